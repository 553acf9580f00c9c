import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from minsheng.demands import services as engine
from minsheng.mediation import services
from minsheng.mediation.services import PartyInput
from tests.stations.conftest import stations  # noqa: F401  (the stations of the world, reused)


def signature_png(seed: int = 0, blank: bool = False) -> SimpleUploadedFile:
    """A PNG as the pad sends it: transparent, with a stroke unless ``blank``."""
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(image).line([(10, 50 + seed % 30), (150, 20), (290, 70 - seed % 20)], fill=(17, 17, 17, 255),
                                   width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"s{seed}.png", buffer.getvalue(), content_type="image/png")


PARTIES = [PartyInput("applicant", "resident", "张桂兰", "13911112222"),
           PartyInput("respondent", "resident", "赵立新", "13833334444")]


def open_case(world, actor="staff1", region="g1", parties=None, **extra):
    fields = {"dispute_type": "neighbour", "title": "楼上漏水引发邻里纠纷",
              "description": "5号楼302漏水到202，双方因维修费用争执。", "region": world.regions.get(region),
              "parties": parties or PARTIES}
    fields.update(extra)
    return services.open_case(world.user(actor), **fields)


def fresh(case):
    case.refresh_from_db()
    case.demand.refresh_from_db()
    return case


def with_session(world, case, actor="staff1"):
    from django.utils import timezone

    from minsheng.core import clock

    services.record_session(world.user(actor), case.demand_id, fresh(case).demand.version,
                            held_on=timezone.localdate(clock.now()), attendees="张桂兰、赵立新、社区调解员",
                            notes="双方陈述，提出分担维修费用的方案。", place="社区议事厅")
    return fresh(case)


def sign_all(case) -> dict:
    return {p.pk: signature_png(p.pk) for p in case.parties.all()}


def agree(world, case, actor="staff1", terms="赵立新承担维修费用的六成，于十日内修好防水层。"):
    case = with_session(world, case, actor)
    services.reach_agreement(world.user(actor), case.demand_id, case.demand.version, matter="楼上漏水",
                             terms=terms, signatures=sign_all(case))
    return fresh(case)


@pytest.fixture
def plain_demand(world):
    return engine.register_demand(world.user("staff1"), channel="hotline", demand_type="complaint",
                                  title="邻居装修噪音和漏水", description="楼上漏水，协商不成。",
                                  region=world.regions["g1"],
                                  reporter=engine.ReporterInput(name="张桂兰", phone="13911112222"))
