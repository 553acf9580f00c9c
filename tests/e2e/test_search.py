"""The staff list's search box in a real browser: a two-character word of a description, best match first."""

from pathlib import Path

import pytest

from ..demands.helpers import _do, bring_to, register

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_dispatcher_finds_a_word_of_a_description_and_of_a_result(site):
    world = site.world
    noisy = register(world, title="楼下饭店扰民", description="饭店夜里排风机的噪音很大，噪音影响老人休息。")
    fixed = bring_to(world, "in_progress", title="空调外机问题", description="邻居空调外机声音大")
    _do(world, "handler_cg", fixed, "resolve", result="已协调邻居更换外机支架，噪音明显降低。")
    other = register(world, title="建设路井盖缺失", description="井盖丢失两天了")
    page = site.signed_in("dispatcher")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/work/demands/")
    page.get_by_role("textbox", name="编号或关键词（标题、内容、办理结果、进展）").fill("噪音")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("共 2 件")).to_be_visible()
    content = page.content()
    assert noisy.number in content and fixed.number in content and other.number not in content
    assert content.index(noisy.number) < content.index(fixed.number)  # twice the word: first
    expect(page.locator("select[name=sort] option:checked")).to_have_text("最相关")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-staff-list-1440.png"), full_page=True)
