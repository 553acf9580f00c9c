"""The knowledge base in a real browser: the operator answers a consultation from the intake page's
suggestions (1440×900), and a resident reads and searches 常见问题 on a phone (390×844)."""

from pathlib import Path

import pytest

from minsheng.demands.models import Demand

from ..knowledge.helpers import published

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_the_operator_answers_a_consultation_from_the_knowledge_base_during_intake(site):
    world = site.world
    article = published(world)
    published(world, title="供暖报停怎么办理", answer="每年10月31日前到供热公司营业厅办理报停。",
              materials="房产证\n户主身份证")
    page = site.signed_in("operator")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/work/intake/")
    page.fill("#id_phone", "13600002222")
    page.fill("#id_name", "刘芳")
    page.select_option("#id_demand_type", "consultation")
    page.select_option("#id_region", "g1")
    page.fill("#id_title", "咨询居住证办理")
    page.locator("#id_description").press_sequentially("想问一下办理居住证要带什么材料", delay=5)
    panel = page.locator("#knowledge")
    expect(panel.get_by_text(article.title)).to_be_visible()
    expect(panel.get_by_text("供暖报停怎么办理")).to_have_count(0)
    panel.get_by_label("同时把答复短信发给来电人").check()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "knowledge-intake-answer-1440.png"), full_page=True)
    panel.get_by_role("button", name="直接答复并结案").click()
    expect(page.get_by_text("已直接答复并结案")).to_be_visible()
    demand = Demand.objects.get()
    assert demand.state == "closed" and demand.demand_type.code == "consultation"
    expect(page.locator("#cited-articles").get_by_text(article.title)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "knowledge-intake-answered-1440.png"), full_page=True)
    page.goto("/work/knowledge/?q=居住证")  # the list, from the 办理 menu
    expect(page.get_by_role("link", name=article.title)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "knowledge-list-1440.png"), full_page=True)
    page.get_by_role("link", name=article.title).click()
    expect(page.get_by_role("heading", name="版本历史")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "knowledge-article-1440.png"), full_page=True)
    assert site.page_errors == [] and site.external_requests() == []


def test_a_resident_reads_and_searches_the_faq_on_a_phone(site):
    world = site.world
    published(world)
    published(world, title="供暖报停怎么办理", answer="每年10月31日前到供热公司营业厅办理报停。",
              materials="房产证\n户主身份证", where_when="供热公司营业厅，8:30-16:30")
    page = site.page(phone=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/submit/")
    page.get_by_label("办事咨询？先查常见问题，很多问题马上就有答案").fill("供暖")
    page.get_by_role("button", name="查常见问题").click()
    expect(page.get_by_role("heading", name="常见问题")).to_be_visible()
    expect(page.get_by_text("每年10月31日前到供热公司营业厅办理报停。")).to_be_visible()  # the match opens
    expect(page.get_by_text("办理居住证需要哪些材料")).to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "knowledge-faq-390.png"), full_page=True)
    assert site.page_errors == [] and site.external_requests() == []
