"""Dispute mediation in a real browser on a tablet (1024 × 768): a community worker turns a demand
into a mediation case, records a session, and both parties sign the agreement on the screen's
signature pads (mouse strokes); the agreement's PDF carries the signatures.  Screenshots."""

from pathlib import Path

import pytest

from minsheng.demands import services as engine
from minsheng.mediation.models import AgreementSignature, MediationCase

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)
TABLET = {"width": 1024, "height": 768}


def draw(page, canvas, seed: int) -> None:
    box = canvas.bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 8):
        page.mouse.move(x + i * 30, y + (18 if (i + seed) % 2 else -18), steps=4)
    page.mouse.up()


def test_a_demand_becomes_a_mediation_case_signed_on_a_tablet(site, screenshot_dir: Path):
    world = site.world
    demand = engine.register_demand(world.user("staff1"), channel="hotline", demand_type="complaint",
                                    title="楼上漏水邻里纠纷", description="楼上卫生间漏水到楼下，双方为维修费争执。",
                                    region=world.regions["g1"],
                                    reporter=engine.ReporterInput(name="张桂兰", phone="13911112222"))
    page = site.signed_in("staff1")
    page.set_viewport_size(TABLET)
    page.goto(f"/work/demands/{demand.pk}/")
    page.locator("#start-mediation").click()
    expect(page.locator("#source")).to_contain_text(demand.number)
    page.select_option("#id_dispute_type", "neighbour")
    page.fill("#id_party-1-name", "赵立新")
    page.fill("#id_party-1-phone", "13833334444")
    page.screenshot(path=str(screenshot_dir / "mediation-1-new-case-tablet.png"), full_page=True)
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.locator("#case-state")).to_have_text("办理中")

    page.fill("#id_attendees", "张桂兰、赵立新、社区调解员")
    page.fill("#id_notes", "双方陈述，调解员提出按六四分担维修费用。")
    page.get_by_role("button", name="保存调解记录").click()
    expect(page.locator("#sessions")).to_contain_text("六四分担")

    form = page.locator("form[data-agreement]")
    page.fill("#id_terms", "赵立新承担维修费用的六成，十日内修好防水层。")
    pads = form.locator("canvas.signature-pad")
    expect(pads).to_have_count(2)
    page.get_by_role("button", name="签订协议").click()  # nobody signed yet: refused in the page
    expect(form.locator("[data-signature-note]")).to_be_visible()
    for i in range(2):
        pads.nth(i).scroll_into_view_if_needed()
        draw(page, pads.nth(i), i)
    page.screenshot(path=str(screenshot_dir / "mediation-2-signing-tablet.png"), full_page=True)
    page.get_by_role("button", name="签订协议").click()
    expect(page.locator("#agreement")).to_contain_text("十日内修好防水层")
    expect(page.locator("#agreement img")).to_have_count(2)
    expect(page.locator("#follow-ups")).to_contain_text("协议后第 7 天")
    page.screenshot(path=str(screenshot_dir / "mediation-3-signed-agreement-tablet.png"), full_page=True)

    case = MediationCase.objects.get(source=demand)
    assert AgreementSignature.objects.filter(agreement__case=case).count() == 2
    response = page.request.get(f"/work/mediation/{case.pk}/agreement.pdf")
    assert response.ok and response.body().startswith(b"%PDF")
    page.goto(f"/work/demands/{demand.pk}/")
    expect(page.locator("#mediation-panel")).to_contain_text("达成调解协议")
    page.screenshot(path=str(screenshot_dir / "mediation-4-source-demand-tablet.png"), full_page=True)
