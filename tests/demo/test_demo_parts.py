"""Every part of the demo seeds its own live data whatever ran before it, once, and truthfully:
dispatched to the unit the catalogue names, with places and people that read as real ones."""

import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from minsheng.calls.models import CallRecord
from minsheng.calls.selectors import live_call_id
from minsheng.catalogue.selectors import responsible_unit
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.selectors import overdue_q, time_status
from minsheng.demands.workflow import OPEN_STATES
from minsheng.demo.management.commands.seed_demo import PARTS
from minsheng.demo.models import SeedMark
from minsheng.homecare.models import CareTask
from minsheng.ledger.models import Item, Supermarket, Transfer
from minsheng.organisation.models import Membership, Region
from minsheng.projects.models import Meeting, PracticalThing, SecretaryProject
from minsheng.projects.selectors import status_of
from minsheng.projects.status import colour_of
from minsheng.routing.hot_issues import hot_issues
from minsheng.stations.models import Station, StationCase
from minsheng.supervision.models import SummonedUnit, Summons, SupervisionOrder
from minsheng.volunteers.models import Activity, SignUp, Team, Volunteer
from minsheng.web.models import ReplyTemplate
from minsheng.wishes.models import WishClaim
from minsheng.wishes.selectors import wall

# The smallest demo in which every part has residents enough to draw on.
SMALL = ["--demands", "120", "--residents", "300"]


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _seed(*extra: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *SMALL, *extra, stdout=out)
    return out.getvalue()


def _last_line(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue().splitlines()[-1]


def _sizes() -> dict[str, int]:
    models = [Demand, DemandEvent, Volunteer, Team, Activity, SignUp, Transfer, Supermarket, Item, SupervisionOrder,
              Summons, StationCase, CareTask, SecretaryProject, Meeting, PracticalThing, Region,
              ReplyTemplate, get_user_model()]
    return {m.__name__: m.objects.count() for m in models}


def _assert_everything_seeded(default_order: bool = True) -> None:
    now = timezone.now()
    assert set(SeedMark.objects.values_list("part", flat=True)) >= set(PARTS) - {"stations", "history"}
    # Volunteers, teams of 1+8+N, activities with sign-ups and attendance.
    assert Volunteer.objects.count() > 50
    assert Team.objects.filter(kind="committee").count() == 5 and Team.objects.filter(kind="category").exists()
    assert Activity.objects.exists() and SignUp.objects.filter(attended=True).exists()
    assert SignUp.objects.filter(activity__starts_at__gt=now).exists()  # upcoming ones take sign-ups
    # The ledger: hours earned, points redeemed and refunded; a love supermarket per street with goods in stock.
    kinds = set(Transfer.objects.values_list("kind", flat=True))
    assert {"activity_hours", "wish_hours", "redemption", "refund"} <= kinds, kinds
    assert Supermarket.objects.count() == Region.objects.filter(kind="street").count()
    for market in Supermarket.objects.all():
        assert market.items.filter(stock__gt=0).count() >= 5, market.name
    # Wishes on the wall and in several states of their loop; the printed volunteer login has one in
    # hand, to fulfil from 我的认领 on the phone (offline too).
    assert wall().count() >= 3
    assert WishClaim.objects.filter(user__username="volunteer", released_at__isnull=True,
                                    demand__state="in_progress").exists()
    # Reply templates for every reply form, some for one category only.
    assert set(ReplyTemplate.objects.values_list("action", flat=True)) == {"resolve", "record_progress", "return",
                                                                          "revisit"}
    assert ReplyTemplate.objects.filter(category__isnull=False).exists()
    assert len(set(Demand.objects.filter(kind="wish").values_list("state", flat=True))) >= 5
    # Demands due soon (yellow) and overdue (red), supervision orders and summonses.
    colours = Counter(time_status(d, now) for d in Demand.objects.filter(kind="demand", state__in=OPEN_STATES))
    assert colours["yellow"] >= 5 and colours["red"] >= 5, colours
    assert Demand.objects.filter(overdue_q(now), kind="demand").exists()
    assert SupervisionOrder.objects.filter(replied_at__isnull=True).exists()
    assert SupervisionOrder.objects.filter(replied_at__isnull=False).exists()
    assert Summons.objects.exists()
    assert SummonedUnit.objects.filter(reported_at__isnull=True).exists()
    assert SummonedUnit.objects.filter(reported_at__isnull=False).exists()
    # Recruitment: applications and nominations in several states, the reserve pool, cases given to teams.
    from minsheng.stations.models import AgentNomination
    from minsheng.volunteers.models import VolunteerApplication

    assert {"pending", "approved", "refused"} <= set(VolunteerApplication.objects.values_list("state", flat=True))
    # (An agent is appointed to a station: only when the stations part ran before, as by default.)
    states = {"pending", "reserve", "refused"} | ({"appointed"} if default_order else set())
    assert states <= set(AgentNomination.objects.values_list("state", flat=True))
    teamed = Demand.objects.exclude(assigned_team="")
    assert teamed.filter(kind="wish").exists()
    if default_order:  # the skills team's station cases need the stations part to have run before
        assert teamed.filter(kind="demand", assignee__isnull=False).exists()
    # Stations and their cases; hot issues; projects in all four colours, meetings and lists.
    assert Station.objects.exists() and StationCase.objects.exists()
    admin = get_user_model().objects.get(username="admin")
    assert len(hot_issues(admin)) >= 3
    today = timezone.localdate(now)
    colours = {colour_of(status_of(p, today)) for p in SecretaryProject.objects.all()}
    assert colours == {"green", "yellow", "red", "blue"}, colours
    assert Meeting.objects.exists() and PracticalThing.objects.exists()
    # Home care: tasks due in the next days, none overdue at birth.
    tasks = Demand.objects.filter(kind="care_task", state__in=OPEN_STATES)
    assert tasks.filter(handle_due__gt=now, handle_due__lt=now + timedelta(days=7)).exists()
    assert not tasks.filter(handle_due__lt=now).exists()
    assert not CareTask.objects.filter(done=False, planned_on__lt=today).exists()
    # The knowledge base: live articles, some past their review date, expert seats, consultations answered.
    from minsheng.knowledge.models import Article
    from minsheng.knowledge.selectors import overdue_articles

    assert Article.objects.filter(current__isnull=False).count() >= 25
    assert overdue_articles().exists() and Article.objects.filter(expert_seat=True).exists()
    assert Demand.objects.filter(events__action="answer_directly").exists()
    # The hotline: a day and more of calls, some kept on demands, and a caller on the printed operator's line.
    assert CallRecord.objects.filter(answered_at__isnull=False, ended_at__isnull=False).count() > 50
    assert CallRecord.objects.filter(outcome="abandoned").exists()
    assert CallRecord.objects.filter(outcome="demand", demand__isnull=False).exists()
    assert live_call_id(get_user_model().objects.get(username="operator")) is not None
    # Meal assistance: a village and a community canteen with a year of meals, deliveries credited
    # as hours, statements issued, deliveries waiting for a volunteer today.
    from minsheng.meals.models import Canteen, Delivery, Meal
    from minsheng.meals.models import Statement as MealStatement

    assert set(Canteen.objects.values_list("kind", flat=True)) >= {"village", "community"}
    span = Meal.objects.order_by("day").values_list("day", flat=True)
    assert (span.last() - span.first()).days >= 360
    assert Delivery.objects.filter(delivered_at__isnull=False).count() >= 20
    assert Delivery.objects.filter(delivered_at__isnull=True).exists() and MealStatement.objects.exists()
    assert "meal_hours" in kinds
    # Elder service places: a station with months of checks, a 幸福院 with residents in rooms and
    # its rota's attendance credited, a day-care centre with a month of check-ins.
    from minsheng.eldercare.models import DayCareVisit, Facility, HealthCheck, ShiftSignup, Stay

    assert set(Facility.objects.values_list("kind", flat=True)) == {"station", "happiness_home", "day_care"}
    checked = HealthCheck.objects.order_by("measured_at").values_list("measured_at", flat=True)
    assert (checked.last() - checked.first()).days >= 90 and HealthCheck.objects.filter(out_of_range=True).exists()
    assert Stay.objects.filter(moved_out__isnull=True).count() >= 5
    assert Stay.objects.filter(room__active=False, moved_out__isnull=False).exists()  # a closed room keeps its stay
    assert ShiftSignup.objects.filter(attendance="attended").exists() and "rota_hours" in kinds
    assert DayCareVisit.objects.values("day").distinct().count() >= 15
    # Aid given: a Spring Festival campaign of about 200 gifts by the street, its party committee and
    # a company, out of what they donated; activities with their beneficiaries and people served.
    from minsheng.aid.models import Campaign, Gift
    from minsheng.aid.stock import stock_lines

    festival = Campaign.objects.get(name__endswith="春节慰问")
    assert festival.gifts.filter(status="active").count() >= 150
    # (The party committee gives when the party part ran first; otherwise the street office does.)
    assert {"unit", "company"} <= set(festival.gifts.values_list("giver__kind", flat=True))
    assert all(line.quantity_left >= 0 for line in stock_lines(festival))
    assert Gift.objects.filter(sensitive=True).exists() and Gift.objects.filter(status="void").exists()
    assert Activity.objects.filter(people_served__gt=0, beneficiaries__isnull=False).exists()
    # Dispute mediation: cases in every state, the printed agent's signed agreement with a follow-up
    # made and one to make (its case's deadline), reachable from the agent's and community staff's lists.
    from minsheng.mediation.models import MediationCase, MediationFollowUp

    outcomes = set(MediationCase.objects.values_list("outcome", flat=True))
    assert outcomes == {"", "agreement", "failed"} and MediationCase.objects.count() >= 24, outcomes
    assert MediationCase.objects.filter(demand__state="closed", outcome="agreement").exists()
    if default_order:  # cases started from station cases need the stations part to have run before
        assert MediationCase.objects.filter(source__isnull=False).exists()
    signed = MediationCase.objects.filter(mediator_user__username="agent", follow_ups__done_at__isnull=False,
                                          demand__state="in_progress").distinct().first()
    assert signed is not None and signed.agreement.signatures.count() == signed.parties.count() >= 2
    assert MediationFollowUp.objects.filter(case=signed, done_at__isnull=False).exists()
    assert MediationFollowUp.objects.filter(case=signed, done_at__isnull=True, due_on__gt=today).exists()
    assert MediationCase.objects.filter(mediator_user__username="community").exists()
    # The city administrator entered the providers' codes of the residents' main SMS messages.
    from minsheng.notifications.models import SmsTemplateCode

    assert set(SmsTemplateCode.objects.values_list("message", flat=True)) >= {"demand.received", "demand.resolved"}
    # The event log and the ledger agree with the tables.
    assert re.fullmatch(r"mismatches=0 demands=\d+", _last_line("verify_events"))
    assert _last_line("verify_ledger").startswith("ok=yes") and "unbalanced=0" in _last_line("verify_ledger")


@pytest.mark.slow
@pytest.mark.django_db
def test_the_order_of_the_parts_does_not_matter(fast_hashing):
    _seed("--parts", ",".join(reversed(PARTS)))
    _assert_everything_seeded(default_order=False)


@pytest.mark.django_db
def test_a_part_runs_once_and_a_failed_part_leaves_no_mark():
    from minsheng.demo.marks import seed_once

    calls = []

    def part() -> str:
        calls.append(1)
        return "probe: 1 row"

    def broken() -> str:
        SeedMark.objects.create(part="row of the broken part", seeded_at=timezone.now())
        raise RuntimeError("interrupted")

    assert seed_once("probe", part) == "probe: 1 row"
    assert seed_once("probe", part) == "probe: already seeded"
    assert calls == [1]
    with pytest.raises(RuntimeError):
        seed_once("broken", broken)
    assert not SeedMark.objects.filter(part__in=["broken", "row of the broken part"]).exists()


@pytest.mark.django_db
def test_demands_go_to_the_unit_the_catalogue_names_in_places_of_their_own(fast_hashing):
    _seed("--parts", "history")
    dispatched = 0
    for demand in Demand.objects.filter(kind="demand", escalation_level=0, category__isnull=False).select_related(
            "category", "region"):
        last = demand.events.filter(action="dispatch").order_by("-seq").first()
        if last is None:
            continue
        dispatched += 1
        expected = responsible_unit(demand.category, demand.region)
        assert last.payload["unit_id"] == expected.pk, (demand.number, demand.category.code, demand.title)
    assert dispatched > 50
    # Every compound has a name of its own, so an address points at one grid.
    buildings = Region.objects.filter(kind="building").values_list("name", "parent__parent_id")
    compound_communities: dict[str, set[int]] = {}
    for name, community in buildings:
        compound_communities.setdefault(re.sub(r"\d+号楼$", "", name), set()).add(community)
    assert all(len(c) == 1 for c in compound_communities.values())
    for address in Demand.objects.values_list("address", flat=True):
        crossing = re.fullmatch(r"(.+)与(.+)交叉口", address)
        assert crossing is None or crossing[1] != crossing[2], address
    # The people at work are shown by their names, not by their accounts.
    working = get_user_model().objects.filter(pk__in=Membership.objects.values("user"))
    assert not working.filter(first_name="").exists()
    assert not working.filter(first_name__contains="-").exists()
