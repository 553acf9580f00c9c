"""The party structure report: counts per level, central households and in-service members reporting
to each community, within the viewer's territory."""

import pytest

from minsheng.organisation.models import Region
from minsheng.party.models import PartyMember, PartyOrganisation
from minsheng.party.selectors import structure_report
from minsheng.people.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def structure(world):
    building = Region.objects.create(kind="building", name="1号楼", code="g1-b1", parent=world.regions["g1"])
    street = PartyOrganisation.objects.create(level="street_committee", name="光明街道党工委",
                                              region=world.regions["s1"])
    community = PartyOrganisation.objects.create(level="community", name="玫瑰城社区党委", region=world.regions["c1"],
                                                 parent=street)
    estate = PartyOrganisation.objects.create(level="estate", name="幸福里小区党支部", region=world.regions["g1"],
                                              parent=community)
    group = PartyOrganisation.objects.create(level="building_group", name="1号楼党小组", region=building, parent=estate)
    other_street = PartyOrganisation.objects.create(level="street_committee", name="和平街道党工委",
                                                    region=world.regions["s2"])
    PartyOrganisation.objects.create(level="community", name="雷锋社区党委", region=world.regions["c2"],
                                     parent=other_street)

    def member(phone, org, **extra):
        return PartyMember.objects.create(resident=Resident.objects.create(name="党员" + phone[-2:], phone=phone),
                                          organisation=org, **extra)

    member("13700000001", community)
    member("13700000002", group, central_household=True, building=building)
    member("13700000003", group)
    member("13700000004", None, in_service=True, workplace="区住建局", reporting_community=world.regions["c1"])
    member("13700000005", estate, active=False)
    return building


def test_counts_per_level_and_per_community(world, structure, client):
    report = structure_report(world.user("leader"))
    assert [(r.label, r.organisations, r.members) for r in report.levels] == [
        ("街道党工委", 2, 0), ("社区党组织", 2, 1), ("小区党组织", 1, 0), ("楼栋党小组", 1, 2)]
    assert report.central_households == 1
    rows = {c.community.code: c for c in report.communities}
    assert (rows["c1"].organisations, rows["c1"].members, rows["c1"].central_households,
            rows["c1"].in_service_reported) == (3, 3, 1, 1)
    assert (rows["c2"].organisations, rows["c2"].members, rows["c2"].in_service_reported) == (1, 0, 0)

    mine = structure_report(world.user("staff2"))
    assert [r.organisations for r in mine.levels] == [0, 1, 0, 0]
    assert [c.community.code for c in mine.communities] == ["c2"]

    client.force_login(world.user("staff1"))
    page = client.get("/work/party/").content.decode()
    assert "楼栋党小组" in page and "在职党员报到" in page and "雷锋社区" not in page
    export = client.get("/work/party/", {"format": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
