"""The workbench by keyboard: the unit pickers' type-ahead and the operator's intake."""

from pathlib import Path

import pytest

from minsheng.supervision.models import SummonedUnit

from ..demands.helpers import bring_to

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_summon_picks_two_units_by_typing_and_keys(site, world, screenshot_dir: Path):
    demand = bring_to(world, "in_progress")
    page = site.signed_in("dispatcher1")
    page.goto(f"/work/demands/{demand.pk}/")
    page.locator("#action-summon summary").click()
    box = page.get_by_role("combobox", name="吹哨单位")
    box.focus()
    box.press_sequentially("城管")
    expect(page.get_by_role("option", name="区城管局")).to_be_visible()
    box.press("Enter")  # picks the highlighted option; does not send the form
    box.press_sequentially("住建")
    expect(page.get_by_role("option", name="区住建局")).to_be_visible()
    box.press("ArrowDown")
    box.press("ArrowUp")
    box.press("Enter")
    chips = page.locator("#action-summon .combobox-chips li")
    expect(chips).to_have_count(2)
    box.press_sequentially("没有这个单位")
    expect(page.locator("#action-summon .combobox-list")).to_contain_text("没有匹配的单位")
    box.press("Escape")
    page.fill("#action-summon textarea[name=reason]", "管线权属不清，需住建、城管到场")
    page.screenshot(path=str(screenshot_dir / "workbench-summon-picker.png"))
    page.locator("#action-summon button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#whistle")).to_contain_text("区住建局")
    assert set(SummonedUnit.objects.values_list("unit__code", flat=True)) == {"zj", "cg"}


def test_bulk_dispatch_through_the_confirmation(site, world, screenshot_dir: Path):
    from minsheng.demands.models import Demand

    demands = [bring_to(world, "pending_dispatch") for _ in range(2)]
    page = site.signed_in("dispatcher1")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/work/")
    expect(page.locator("#bulk button[type=submit]")).to_be_disabled()  # nothing ticked yet
    for d in demands:
        page.check(f'input[value="{d.pk}:{d.version}"]')
    expect(page.locator("[data-bulk-count]")).to_have_text("已选 2 件")
    page.select_option("#bulk-action", "dispatch")
    page.screenshot(path=str(screenshot_dir / "workbench-bulk-queue.png"))
    page.locator("#bulk button[type=submit]").click()
    expect(page.locator("#bulk-items tbody tr")).to_have_count(2)
    page.screenshot(path=str(screenshot_dir / "workbench-bulk-confirm.png"), full_page=True)
    page.locator("#bulk-confirm button[type=submit]").click()
    page.wait_for_url("**/work/")
    assert Demand.objects.filter(pk__in=[d.pk for d in demands], state="dispatched").count() == 2


def test_a_reply_template_fills_the_result_box(site, world, screenshot_dir: Path):
    from minsheng.web.models import ReplyTemplate

    demand = bring_to(world, "in_progress")
    ReplyTemplate.objects.create(name="办结告知", action="resolve",
                                 text="{resident_name}您好，{number}已由{unit}办结。")
    page = site.signed_in("handler_cg")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"/work/demands/{demand.pk}/")
    form = page.locator("#action-resolve")
    form.evaluate("d => { d.open = true; }")
    form.locator("textarea[name=result]").fill("现场已补装井盖。")
    form.locator("select[data-reply-into]").select_option(label="办结告知")
    expect(form.locator("textarea[name=result]")).to_have_value(f"现场已补装井盖。\n张伟您好，{demand.number}已由区城管局办结。")
    form.screenshot(path=str(screenshot_dir / "workbench-reply-template.png"))


def _focused(page) -> str:
    return page.evaluate("(() => { const e = document.activeElement;"
                         " return e.id || e.getAttribute('aria-label') || e.tagName; })()")


def _fill_by_keyboard(page, phone: str, title: str) -> list[str]:
    """Type one call's demand into the intake with Tab and keys only; returns the tab order seen."""
    order = [_focused(page)]
    page.keyboard.type(phone)
    steps = [("id_name", "赵敏"), ("id_id_number", None), ("id_channel", None), ("id_demand_type", None),
             ("搜索分类", "道路"), ("id_category", None), ("id_urgency", None), ("id_title", title),
             ("id_description", "建设路12号门前人行道塌陷一个大坑，老人经过很危险。"), ("搜索网格", "玫瑰城第一"),
             ("id_region", None), ("id_address", "建设路12号")]
    for _expected, text in steps:
        page.keyboard.press("Tab")
        order.append(_focused(page))
        if text:
            page.keyboard.type(text)
    return order


def test_the_operator_files_two_demands_with_the_keyboard_only(site, world, screenshot_dir: Path):
    from minsheng.demands.models import Demand

    page = site.signed_in("operator")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/work/intake/")
    expected = ["id_phone", "id_name", "id_id_number", "id_channel", "id_demand_type", "搜索分类", "id_category",
                "id_urgency", "id_title", "id_description", "搜索网格", "id_region", "id_address"]
    assert _fill_by_keyboard(page, "13912345678", "建设路人行道塌陷") == expected
    page.keyboard.press("Tab")
    page.screenshot(path=str(screenshot_dir / "workbench-intake-keyboard.png"))
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Alt+N")  # 登记并接下一件
    page.wait_for_url("**/work/intake/?channel=hotline")
    first = Demand.objects.get()
    expect(page.locator(".messages")).to_contain_text(first.number)
    assert first.title == "建设路人行道塌陷" and first.category.code.startswith("construction")
    assert first.region.code == "g1" and first.reporter.name == "赵敏"
    assert _fill_by_keyboard(page, "13912340000", "建设路又一处塌陷") == expected  # focus back on the phone
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/work/demands/*/")
    assert Demand.objects.count() == 2 and Demand.objects.filter(title="建设路又一处塌陷").exists()
