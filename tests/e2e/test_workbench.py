"""The web pages end to end, in a real browser: residents file, track and rate; staff verify,
dispatch, handle and close; refusals; screenshots of each role's main page in both languages."""

import re
from pathlib import Path

import pytest

from minsheng.catalogue.models import Category, DemandType, TimeLimitPolicy
from minsheng.demands.models import Demand
from minsheng.organisation.models import Region, Unit
from minsheng.people.models import Resident

from ..demands.helpers import bring_to

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

# The live server must see the test's data and the test the server's: transactional.
pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "建设路人行道塌陷"
DESCRIPTION = "建设路12号门前人行道塌陷一个大坑，老人和孩子经过很危险，请尽快修复。"
RESIDENT_PHONE = "13912345678"
HELPER_PHONE_LAST4 = "1234"  # tests/demands/helpers.register files with 13700001234
DETAIL_URL = re.compile(r"/work/demands/\d+/$")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff]")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


# --- page helpers ------------------------------------------------------------------------

def submit_demand(page, *, consent: bool = True) -> None:
    page.goto("/submit/")
    page.fill("#id_description", DESCRIPTION)
    page.fill("#id_address", "玫瑰城第一网格建设路12号")  # the place: resolved by the server, no grid to pick
    page.check("#id_demand_type input[value=complaint]")
    page.select_option("#id_category", "construction.roads")
    page.fill("#id_title", TITLE)
    page.fill("#id_name", "赵敏")
    page.fill("#id_phone", RESIDENT_PHONE)
    if consent:
        page.check("#id_consent")
    page.locator("main form button.submit-report").click()
    page.wait_for_load_state()


def file_as_resident(page) -> str:
    submit_demand(page)
    page.wait_for_url("**/submit/done/")
    number = page.locator("#demand-number").inner_text().strip()
    assert re.fullmatch(r"\d{13}", number), number
    return number


def track(page, number: str, last4: str):
    page.goto("/track/")
    page.fill("#id_number", number)
    page.fill("#id_phone_last4", last4)
    with page.expect_response(lambda r: r.url.endswith("/track/") and r.request.method == "POST") as info:
        page.locator("form[action='/track/'] button[type=submit]").click()
    page.wait_for_load_state()
    return info.value


def rate(page, satisfaction: str, comment: str = "") -> None:
    """Answer the revisit's questions on the tracking page: whether the problem is solved (a
    demand's; a wish asks satisfaction only) — solved unless dissatisfied — and satisfaction."""
    form = page.locator("form[action='/track/rate/']")
    solved = "unsolved" if satisfaction == "dissatisfied" else "solved"
    if form.locator("input[name=solved]").count():
        form.locator(f"input[name=solved][value={solved}]").check()
    form.locator(f"input[name=satisfaction][value={satisfaction}]").check()
    if comment:
        form.locator("[name=comment]").fill(comment)
    form.locator("button[type=submit]").click()
    expect(page.get_by_role("heading", name="感谢您的评价")).to_be_visible()
    page.get_by_role("button", name="查看办理进度").click()
    page.wait_for_load_state()


def row(page, number: str):
    return page.locator("table.list tbody tr").filter(has=page.get_by_role("link", name=number, exact=True))


def open_from_queue(page, number: str) -> None:
    """The demand must be waiting in the user's queue; open it from there."""
    page.goto("/work/")
    expect(row(page, number)).to_have_count(1)
    page.get_by_role("link", name=number, exact=True).click()
    page.wait_for_url(DETAIL_URL)


def state_of(page):
    """The state shown on a staff detail page (the first fact)."""
    return page.locator("dl.facts > dd").first.locator("strong")


def assert_fits_the_screen(page) -> None:
    """No sideways scrolling (the resident's pages are used on phones)."""
    scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{page.url} is {scroll_width}px wide on a {inner_width}px screen"


def act(page, action: str, **fields) -> None:
    """Open the action's panel on the detail page, fill its form and submit it."""
    box = page.locator(f"details.action#action-{action}")
    expect(box).to_have_count(1)
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    for name, value in fields.items():
        control = box.locator(f"[name='{name}']")
        if control.evaluate("e => e.tagName") == "SELECT" and control.get_attribute("data-combobox") is not None:
            # A type-ahead picker in front of the (hidden) select: type, then pick the match.
            box.locator(f"#{control.get_attribute('id')}-combo").fill(value)
            box.get_by_role("option", name=value).first.click()
        elif control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    if box.locator("form[data-confirm]").count():  # an action that ends or turns back work asks first
        page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        box.locator("button[type=submit]").click()


def act_ok(page, action: str, **fields) -> None:
    act(page, action, **fields)
    page.wait_for_url(DETAIL_URL)
    expect(page.locator(".messages li.success")).to_contain_text("已完成")


# --- 1-3: the workflow across roles ------------------------------------------------------

def test_full_loop_resident_to_closed_across_roles(site):
    resident = site.page(phone=True)
    number = file_as_resident(resident)
    assert_fits_the_screen(resident)
    demand = Demand.objects.get(number=number)
    assert (demand.state, demand.channel, demand.region.code, demand.category.code) == (
        "registered", "web", "g1", "construction.roads")

    # Registered → verified by the community committee covering g1.
    staff = site.login("staff1")
    open_from_queue(staff, number)
    expect(state_of(staff)).to_have_text("已登记")
    act_ok(staff, "verify")
    expect(state_of(staff)).to_have_text("待派单")

    # The street dispatcher of 光明街道 finds it and dispatches it to 区城管局.
    dispatcher = site.login("dispatcher1")
    dispatcher.goto(f"/work/demands/?q={number}")
    expect(row(dispatcher, number)).to_contain_text("待派单")
    open_from_queue(dispatcher, number)
    act_ok(dispatcher, "dispatch", unit="区城管局")
    expect(state_of(dispatcher)).to_have_text("已派单")
    expect(dispatcher.locator("dl.facts")).to_contain_text("区城管局")

    # The department accepts and resolves it.
    handler = site.login("handler_cg")
    open_from_queue(handler, number)
    act_ok(handler, "accept")
    expect(state_of(handler)).to_have_text("办理中")
    act_ok(handler, "resolve", result="已回填塌陷路面并恢复铺装")
    expect(state_of(handler)).to_have_text("已办结")

    # The resident sees the result and rates it.
    track(resident, number, RESIDENT_PHONE[-4:])
    expect(resident.locator("#demand-state")).to_have_text("已办结")
    expect(resident.locator("ol.timeline")).to_contain_text("已回填塌陷路面并恢复铺装")
    assert_fits_the_screen(resident)
    rate(resident, "satisfied")
    expect(resident.locator("#demand-state")).to_have_text("已回访")

    # The hotline closes it; the resident's tracking page follows.
    operator = site.login("operator")
    open_from_queue(operator, number)
    expect(operator.locator("dl.facts")).to_contain_text("满意")
    act_ok(operator, "close")
    expect(state_of(operator)).to_have_text("已结案")
    track(resident, number, RESIDENT_PHONE[-4:])
    expect(resident.locator("#demand-state")).to_have_text("已结案")
    expect(resident.locator("form[action='/track/rate/']")).to_have_count(0)
    assert Demand.objects.get(number=number).state == "closed"


def test_dissatisfied_rating_reopens_to_the_handler(site):
    demand = bring_to(site.world, "resolved")
    resident = site.page(phone=True)
    track(resident, demand.number, HELPER_PHONE_LAST4)
    expect(resident.locator("#demand-state")).to_have_text("已办结")
    rate(resident, "dissatisfied", "井盖还是松动的，踩上去会响")
    expect(resident.locator("#demand-state")).to_have_text("已派单")

    handler = site.signed_in("handler_cg")
    expect(row(handler, demand.number)).to_contain_text("已派单")
    open_from_queue(handler, demand.number)
    expect(handler.locator("#action-accept")).to_have_count(1)
    assert Demand.objects.get(pk=demand.pk).reopen_count == 1


def test_returned_demand_is_redispatched_to_another_department(site):
    demand = bring_to(site.world, "dispatched")
    reason = "该路段人行道由区住建局负责养护"

    handler = site.signed_in("handler_cg")
    open_from_queue(handler, demand.number)
    with handler.expect_response(lambda r: r.request.method == "GET" and r.request.redirected_from) as landed:
        act(handler, "return", reason=reason)
    # The demand has left the department: it confirms on the queue rather than a 404 detail page.
    assert landed.value.status == 200
    handler.wait_for_url("**/work/")
    expect(handler.locator(".messages li.success")).to_contain_text("已完成：退单")
    expect(row(handler, demand.number)).to_have_count(0)
    assert Demand.objects.get(pk=demand.pk).state == "returned"

    dispatcher = site.signed_in("dispatcher1")
    expect(row(dispatcher, demand.number)).to_contain_text("已退单")
    open_from_queue(dispatcher, demand.number)
    expect(dispatcher.locator("ol.timeline")).to_contain_text(reason)
    act_ok(dispatcher, "dispatch", unit="区住建局")
    expect(state_of(dispatcher)).to_have_text("已派单")
    expect(dispatcher.locator("dl.facts")).to_contain_text("区住建局")

    other = site.signed_in("handler_zj")
    expect(row(other, demand.number)).to_contain_text("已派单")
    open_from_queue(other, demand.number)
    expect(other.locator("#action-accept")).to_have_count(1)


def test_map_without_grid_boundaries_leaves_the_form_working(site):
    """Region.boundary is optional: with no grid drawn the map must not break the page."""
    Region.objects.update(boundary=None)
    page = site.page(phone=True)
    with page.expect_response("**/map/grids.geojson"):
        page.goto("/submit/")
    page.wait_for_timeout(300)  # let the map script handle the (empty) answer
    errors = list(site.page_errors)
    site.page_errors.clear()  # reported here, not again by the site fixture
    assert not errors, errors
    file_as_resident(page)


# --- 4: refusals -------------------------------------------------------------------------

def test_handler_of_another_department_gets_404_for_the_detail_page(site):
    demand = bring_to(site.world, "dispatched")  # to 区城管局 by the catalogue
    page = site.signed_in("handler_zj")
    response = page.goto(f"/work/demands/{demand.pk}/")
    assert response.status == 404
    content = page.content()
    assert demand.title not in content and demand.number not in content
    # Posting the action form anyway (with a valid CSRF token) is refused the same way.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(f"/work/demands/{demand.pk}/accept/", form={"version": str(demand.version)},
                                 headers={"X-CSRFToken": token, "Referer": site.url + "/work/"})
    assert response.status == 404
    assert Demand.objects.get(pk=demand.pk).state == "dispatched"
    page.goto("/work/")
    expect(row(page, demand.number)).to_have_count(0)


def test_tracking_with_wrong_phone_digits_reveals_nothing(site):
    demand = bring_to(site.world, "in_progress")
    page = site.page(phone=True)
    response = track(page, demand.number, "9999")
    assert response.status == 404
    expect(page.locator("main .errorlist[role=alert]")).to_contain_text("没有找到该诉求")
    expect(page.locator("#demand-state")).to_have_count(0)
    body = page.locator("main").inner_text()
    for secret in (demand.title, "办理中", "区城管局", "张伟"):
        assert secret not in body, secret
    # The right digits do find it.
    track(page, demand.number, HELPER_PHONE_LAST4)
    expect(page.locator("#demand-state")).to_have_text("办理中")


def test_resolve_with_empty_result_shows_the_field_error(site):
    demand = bring_to(site.world, "in_progress")
    page = site.signed_in("handler_cg")
    page.goto(f"/work/demands/{demand.pk}/")
    act(page, "resolve", result="   ")
    box = page.locator("#action-resolve")
    expect(box).to_have_attribute("open", "")
    expect(box.locator(".field:has([name=result]) .errorlist")).to_contain_text("请填写办理结果")
    expect(state_of(page)).to_have_text("办理中")
    assert Demand.objects.get(pk=demand.pk).state == "in_progress"


def test_language_switch_after_a_form_error_lands_on_a_working_page(site):
    demand = bring_to(site.world, "in_progress")
    page = site.signed_in("handler_cg")
    page.goto(f"/work/demands/{demand.pk}/")
    act(page, "resolve", result="   ")
    expect(page.locator("#action-resolve .errorlist")).to_be_visible()
    with page.expect_response(lambda r: r.request.method == "GET" and r.request.redirected_from) as landed:
        page.locator("header.top select[name=language]").select_option("en")
    assert landed.value.status == 200, f"{landed.value.status} for {landed.value.url}"
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_public_form_error_keeps_what_was_typed(site):
    page = site.page(phone=True)
    submit_demand(page, consent=False)
    expect(page.locator(".field:has(#id_consent) .errorlist")).to_contain_text("请阅读并同意隐私告知")
    expect(page.locator("#id_title")).to_have_value(TITLE)
    expect(page.locator("#id_description")).to_have_value(DESCRIPTION)
    expect(page.locator("#id_demand_type input[value=complaint]")).to_be_checked()
    expect(page.locator("#id_category")).to_have_value("construction.roads")
    expect(page.locator("#id_address")).to_have_value("玫瑰城第一网格建设路12号")
    expect(page.locator("#id_name")).to_have_value("赵敏")
    expect(page.locator("#id_phone")).to_have_value(RESIDENT_PHONE)
    assert not Demand.objects.exists()
    # Ticking the box is all that is missing.
    page.check("#id_consent")
    page.locator("main form button.submit-report").click()
    page.wait_for_url("**/submit/done/")
    expect(page.locator("#demand-number")).to_have_text(re.compile(r"^\d{13}$"))


# --- 5: screenshots in both languages ----------------------------------------------------

def _resident_submit(site):
    return site.page(phone=True), "/submit/"


def _operator_intake(site):
    return site.signed_in("operator"), "/work/intake/"


def _dispatcher_queue(site):
    bring_to(site.world, "pending_dispatch")
    bring_to(site.world, "returned", title="光明街路灯不亮")
    return site.signed_in("dispatcher1"), "/work/"


def _handler_detail(site):
    demand = bring_to(site.world, "dispatched")
    return site.signed_in("handler_cg"), f"/work/demands/{demand.pk}/"


def _leader_overview(site):
    bring_to(site.world, "escalated")
    bring_to(site.world, "closed", title="光明街路灯不亮")
    return site.signed_in("leader"), "/work/overview/"


def _grid_worker_queue(site):
    bring_to(site.world, "registered")  # in g1, the grid worker's grid: waits for verification
    return site.signed_in("gridworker", phone=True), "/work/"


def _agent_intake(site):
    return site.signed_in("agent", phone=True), "/work/intake/"


# name → (open the page, [Chinese texts], [English texts that must show when English is chosen])
SCREENS = {
    "resident-submit": (_resident_submit, ["提交诉求", "查询进度"], ["Submit a demand", "Track a demand",
                                                                     "Staff sign-in", "Submit"]),
    "operator-intake": (_operator_intake, ["登记诉求", "我的待办"], ["Register a demand", "My queue", "Demands",
                                                                     "Register"]),
    "dispatcher-queue": (_dispatcher_queue, ["我的待办", "待派单", "已退单"], ["My queue", "Overview",
                                                                               "Awaiting dispatch", "Returned"]),
    "handler-detail": (_handler_detail, ["已派单", "签收", "退单"], ["Dispatched", "Actions", "Accept", "Return",
                                                                     "History"]),
    "leader-overview": (_leader_overview, ["总览", "已结案"], ["Overview", "Registered", "Closed", "Escalated"]),
    "gridworker-queue": (_grid_worker_queue, ["我的待办", "已登记"], ["My queue", "Registered"]),
    "agent-intake": (_agent_intake, ["登记诉求", "代办站"], ["Register a demand", "Station"]),
}


def _data_names() -> list[str]:
    """Names that come from the database (catalogue, places, people, demands), longest first."""
    names = {"简体中文", TITLE, DESCRIPTION}
    for model in (Category, DemandType, TimeLimitPolicy, Region, Unit, Resident):
        names.update(model.objects.values_list("name", flat=True))
    for title, description in Demand.objects.values_list("title", "description"):
        names.update((title, description))
    return sorted((n for n in names if n), key=len, reverse=True)


_TEXTS_JS = """() => {
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest('script, style, noscript')) continue;
    const t = n.textContent.trim();
    if (t) out.push(t);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], optgroup[label]'))
    for (const a of ['placeholder', 'aria-label', 'title', 'label']) {
      const v = el.getAttribute(a);
      if (v && (a !== 'label' || el.tagName === 'OPTGROUP')) out.push(v);
    }
  return out;
}"""


def chinese_left_on_english_page(page) -> tuple[list[str], list[str]]:
    """(interface texts still in Chinese, database names shown in Chinese) on the current page."""
    names = _data_names()
    interface, data = set(), set()
    for text in page.evaluate(_TEXTS_JS):
        if not CJK.search(text):
            continue
        rest = text
        for name in names:
            if name in rest:
                data.add(name)
                rest = rest.replace(name, " ")
        if CJK.search(rest):
            interface.add(text)
    data.discard("简体中文")  # the language's own name, as intended
    return sorted(interface), sorted(data)


@pytest.fixture(scope="module")
def untranslated_report():
    found: dict[str, tuple[list[str], list[str]]] = {}
    yield found
    if not found:
        return
    lines = ["Chinese text seen on English pages (e2e screenshots)", ""]
    for name, (interface, data) in sorted(found.items()):
        lines.append(f"[{name}]")
        lines.extend(f"  interface: {text}" for text in interface)
        lines.extend(f"  data:      {text}" for text in data)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "untranslated-en.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("name", list(SCREENS))
def test_screenshots_in_chinese_and_english(site, screenshot_dir: Path, untranslated_report, name):
    open_page, chinese, english = SCREENS[name]
    page, path = open_page(site)
    page.goto(path)
    html = page.locator("html")
    nav = page.locator("header.top nav")
    expect(html).to_have_attribute("lang", "zh-hans")
    for text in chinese:
        expect(page.locator("body")).to_contain_text(text)
    page.screenshot(path=screenshot_dir / f"{name}-zh.png", full_page=True)

    # Switch through the header's language select (it submits itself on change).
    with page.expect_navigation():
        page.locator("header.top select[name=language]").select_option("en")
    page.wait_for_url(f"**{path}")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("header.top .brand")).to_have_text("Minsheng")
    for text in english:
        expect(page.locator("body")).to_contain_text(text)
    expect(nav).not_to_contain_text(CJK)
    if name != "handler-detail":  # there the heading is the demand's number and title
        expect(page.locator("main h1")).not_to_contain_text(CJK)
    page.screenshot(path=screenshot_dir / f"{name}-en.png", full_page=True)
    if page.viewport_size["width"] < 400:
        assert_fits_the_screen(page)  # English labels are longer
    untranslated_report[name] = chinese_left_on_english_page(page)

    # The choice sticks for the next page of the same browser.
    page.goto(path)
    expect(html).to_have_attribute("lang", "en")
