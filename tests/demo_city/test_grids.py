"""The demo city's grid work: registers for every grid, a month of patrols, a year of care visits,
the party structure."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Max, Min
from django.utils import timezone

from minsheng.care import selectors as care_selectors
from minsheng.care.models import CarePerson, CareVisit
from minsheng.grids.models import Enterprise, GridAssignment, House, Patrol
from minsheng.organisation.models import Region
from minsheng.party.models import PartyMember, PartyOrganisation


def test_the_demo_city_has_grid_work(demo):
    assert "grid work:" in demo.output
    grids = Region.objects.filter(kind="grid")
    for grid in grids:
        assert House.objects.filter(building__path__startswith=grid.path).exists(), grid  # estates between
        assert Enterprise.objects.filter(region=grid).exists(), grid
        assert GridAssignment.objects.filter(grid=grid, kind="full_time", active=True).count() == 1, grid
    span = Patrol.objects.aggregate(first=Min("started_at"), last=Max("started_at"))
    assert span["last"] - span["first"] >= timedelta(days=28)
    assert Patrol.objects.values("grid").distinct().count() == grids.count()
    visits = CareVisit.objects.aggregate(first=Min("visited_on"), last=Max("visited_on"))
    assert visits["last"] - visits["first"] >= timedelta(days=300)
    assert CarePerson.objects.filter(next_visit_due__lt=timezone.localdate()).exists()  # some are overdue
    assert CareVisit.objects.filter(demand__isnull=False).count() == 5
    assert PartyOrganisation.objects.filter(level="building_group").exists() and PartyMember.objects.exists()
    assert "already seeded" in demo.seed_again()


def test_the_printed_grid_worker_has_people_to_visit_on_the_phone(demo, client):
    """The demo's face: the login printed for grid workers opens 走访 on visits to make, not on an
    empty list, whatever the draw of vulnerable residents gave its grid."""
    user = get_user_model().objects.get(username="grid")
    today = timezone.localdate()
    assert care_selectors.people_for(user).count() >= 3
    due = list(care_selectors.due_visits(user, today))
    assert due and care_selectors.overdue_visits(user, today).exists()
    client.force_login(user)
    page = client.get("/work/care/").content.decode()
    assert all(person.resident.name in page for person in due)


def test_a_building_outside_any_estate_has_its_chief_on_the_grids_page(demo, client):
    """散居楼: the demo's community has a 楼栋长 of a building directly under a grid, shown (masked)
    on that grid's page, where the community's worker appoints and ends such chiefs."""
    from django.contrib.auth import get_user_model

    from minsheng.grids.models import Chief

    chief = Chief.objects.select_related("region__parent").get(region__parent__kind="grid", active=True,
                                                               region__kind="building")
    client.force_login(get_user_model().objects.get(username="community"))
    page = client.get(f"/work/grids/{chief.region.parent_id}/").content.decode()
    assert "何秀珍" in page and "139****0213" in page and "13904130213" not in page
    assert f"/work/grids/{chief.region.parent_id}/chiefs/" in page
