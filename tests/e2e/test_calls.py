"""A simulated call pops on the operator's workbench, the operator files a demand from it in one
click, and the demand keeps the call (docs/calls.md)."""

import json
import re
import time
import urllib.request

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from minsheng.calls.models import CallRecord, Seat
from minsheng.calls.services import create_phone_system
from minsheng.demands.models import Demand


def _post(site, token: str, body: dict) -> dict:
    request = urllib.request.Request(site.url + "/api/cti/events", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_a_call_pops_files_a_demand_in_one_click_and_stays_on_it(site, screenshot_dir):
    system, token = create_phone_system(name="区12345交换机")
    Seat.objects.create(phone_system=system, extension="8001", operator=site.world.users["operator"])
    page = site.signed_in("operator")
    polls = []
    page.on("response", lambda r: polls.append(r.status) if "/work/calls/live/" in r.url else None)
    page.set_viewport_size({"width": 1440, "height": 900})  # the office's screen
    assert page.locator("#call-pop").is_hidden()
    page.wait_for_timeout(1000)  # a few polls with nothing new: bodiless 304s after the first answer
    assert polls[:1] == [200] and 304 in polls and set(polls) <= {200, 304}, polls

    _post(site, token, {"event": "newCall", "callId": "e2e-1", "from": "13900001111", "to": "12345", "user": "8001"})
    answered = time.perf_counter()
    _post(site, token, {"event": "answer", "callId": "e2e-1", "user": "8001"})
    pop = page.locator("#call-pop")
    pop.get_by_text("李秀英").wait_for()
    took = time.perf_counter() - answered
    assert took < 3, f"the pop took {took:.2f} s"  # 1 s on a quiet machine (bench/bench_calls.py)
    assert "139****1111" in pop.inner_text() and "13900001111" not in pop.inner_text()
    assert pop.locator(".badge.vulnerable").count() == 1
    page.screenshot(path=str(screenshot_dir / "calls-pop.png"))
    assert set(polls) <= {200, 304}, polls

    pop.locator("#call-pop-intake").click()
    page.wait_for_url("**/work/intake/?call=*")
    assert page.locator("#id_phone").input_value() == "13900001111"
    page.locator("#resident").get_by_text("李秀英").wait_for()  # the number's resident, looked up at once
    page.wait_for_timeout(1500)  # two polls: the card of the call being filed stays out of the form's way,
    assert page.locator("#call-pop-body").is_hidden()  # folded into its bar, which still shows the call
    assert page.locator("#call-pop-toggle").get_attribute("aria-expanded") == "false"
    assert "139****1111" in page.locator("#call-pop-toggle").inner_text()
    page.select_option("#id_demand_type", "complaint")
    page.select_option("#id_category", "construction.roads")
    page.fill("#id_title", "楼下井盖缺失")
    page.fill("#id_description", "玫瑰城社区5号楼楼下的井盖丢失两天了，晚上很危险。")
    page.select_option("#id_region", "g1")
    page.fill("#id_address", "玫瑰城第一网格5号楼楼下")
    page.fill("#id_name", "李秀英")
    page.screenshot(path=str(screenshot_dir / "calls-intake.png"), full_page=True)
    page.locator("#intake-form button[type=submit]:not([name])").click()  # 登记 (not 登记并接下一件)
    page.wait_for_url("**/work/demands/*/")

    _post(site, token, {"event": "hangup", "callId": "e2e-1", "duration": "187",
                        "recordingUrl": "https://pbx.example.invalid/rec/e2e-1.wav"})
    page.reload()
    calls = page.locator("#calls")
    assert "e2e-1" in calls.inner_text() and "187" in calls.inner_text()
    assert calls.get_by_role("link", name="收听录音").get_attribute("href") == "https://pbx.example.invalid/rec/e2e-1.wav"
    demand = Demand.objects.get(title="楼下井盖缺失")
    assert CallRecord.objects.get(call_id="e2e-1").demand == demand
    calls.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "calls-demand.png"))

    # The centre's leader sees the call counted among the seat figures.
    leader = site.signed_in("leader")
    leader.goto("/work/calls/")
    assert leader.locator("table.seat-figures").first.get_by_text("8001 operator").count() == 1
    leader.screenshot(path=str(screenshot_dir / "calls-figures.png"), full_page=True)


def test_an_idle_workbench_signs_itself_out(site, settings):
    """The poll is not activity: once the session has been idle for the idle sign-out's minutes,
    the next poll is refused and the page reloads onto the sign-in page, taking any caller's
    card off the screen."""
    from django.contrib.sessions.backends.db import SessionStore

    from minsheng.core.middleware import IdleTimeoutMiddleware

    settings.MINSHENG_SESSION_IDLE_MINUTES = 30
    system, _token = create_phone_system(name="区12345交换机")
    Seat.objects.create(phone_system=system, extension="8001", operator=site.world.users["operator"])
    page = site.signed_in("operator")
    page.wait_for_timeout(1000)
    assert "/work/" in page.url
    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(key)
    session[IdleTimeoutMiddleware.KEY] = int(time.time()) - 31 * 60  # the last page 31 minutes ago
    session.save()
    page.wait_for_url("**/login/**", timeout=10_000)
    assert page.locator("#call-pop").count() == 0


def _axe_failures(axe, page) -> list:
    """axe-core's serious and critical findings on the call panel."""
    found = axe.run(page, context="#call-pop").response["violations"]
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found if v["impact"] in ("serious", "critical")]


def _panel_at(page, x: float, y: float) -> bool:
    """Whether the call panel is what a click at (x, y) would hit."""
    return page.evaluate("([x, y]) => !!document.elementFromPoint(x, y)?.closest('#call-pop')", [x, y])


def test_the_call_panel_folds_into_a_bar_remembered_across_pages_and_unfolds_for_a_new_call(site, screenshot_dir):
    """Folded, the live call is a one-line bar (state, masked number, time on the line) that
    leaves the page under it usable; the choice holds on the next page; a new call unfolds it."""
    system, token = create_phone_system(name="区12345交换机")
    Seat.objects.create(phone_system=system, extension="8001", operator=site.world.users["operator"])
    page = site.signed_in("operator")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/work/demands/")
    _post(site, token, {"event": "newCall", "callId": "e2e-fold-1", "from": "13900001111", "to": "12345",
                        "user": "8001"})
    _post(site, token, {"event": "answer", "callId": "e2e-fold-1", "user": "8001"})
    pop, body, toggle = page.locator("#call-pop"), page.locator("#call-pop-body"), page.locator("#call-pop-toggle")
    body.get_by_text("李秀英").wait_for()
    assert toggle.get_attribute("aria-expanded") == "true" and toggle.get_attribute("aria-controls") == "call-pop-body"
    bar = toggle.inner_text()
    assert "通话中" in bar and "139****1111" in bar and "13900001111" not in bar
    expect(page.locator(".call-bar-time")).to_have_text(re.compile(r"^\d+:\d\d$"))  # time on the line
    open_box = pop.bounding_box()
    page.screenshot(path=str(screenshot_dir / "calls-panel-open.png"))
    axe = Axe()
    assert _axe_failures(axe, page) == []

    # Fold with the bar's button: one line is left, the card is hidden, the page under it answers clicks.
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false" and body.is_hidden()
    folded = pop.bounding_box()
    assert folded["height"] < 60 and folded["height"] * folded["width"] < open_box["height"] * open_box["width"] / 4
    page.screenshot(path=str(screenshot_dir / "calls-panel-folded.png"))
    assert _axe_failures(axe, page) == []
    centre = (open_box["x"] + open_box["width"] / 2, open_box["y"] + open_box["height"] / 2)
    assert not _panel_at(page, *centre), "the page where the card was is still behind the panel"
    # At the very end of the page the folded bar sits below the last of its content, not over it.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    last = page.evaluate("""() => { let bottom = 0;
        for (const e of document.querySelectorAll('main *')) {
          const r = e.getBoundingClientRect(); if (r.height) bottom = Math.max(bottom, r.bottom); }
        return bottom; }""")
    assert last <= pop.bounding_box()["y"], "the folded bar hides the end of the page"

    # Remembered on the next page: it opens folded, the call still on its bar.
    page.goto("/work/")
    toggle.wait_for()
    expect(toggle).to_contain_text("139****1111")
    assert toggle.get_attribute("aria-expanded") == "false" and body.is_hidden()

    # Alt+C unfolds it, Escape inside the card folds it again and gives the focus back to the bar.
    page.keyboard.press("Alt+c")
    assert toggle.get_attribute("aria-expanded") == "true" and body.is_visible()
    body.locator("#call-pop-intake").focus()
    page.keyboard.press("Escape")
    assert body.is_hidden() and page.evaluate("document.activeElement.id") == "call-pop-toggle"
    page.keyboard.press("Enter")  # the bar's button, from the keyboard
    assert body.is_visible()
    body.get_by_role("button", name="收起").click()  # the card's own fold button
    assert body.is_hidden()

    # The call ends: the bar says so and its clock stops; a new call unfolds the panel by itself.
    _post(site, token, {"event": "hangup", "callId": "e2e-fold-1", "duration": "30"})
    expect(pop).to_have_class(re.compile(r"\bended\b"))
    assert "通话已结束" in toggle.inner_text()
    _post(site, token, {"event": "newCall", "callId": "e2e-fold-2", "from": "13900002222", "to": "12345",
                        "user": "8001"})
    _post(site, token, {"event": "answer", "callId": "e2e-fold-2", "user": "8001"})
    expect(toggle).to_contain_text("139****2222")
    assert toggle.get_attribute("aria-expanded") == "true" and body.is_visible()
    assert "通话中" in toggle.inner_text()

    # Closed (×), the bar leaves the page until the next call.
    pop.get_by_role("button", name="关闭来电卡片").click()
    assert pop.is_hidden()
