"""Teams take cases (issue #32 item 7): staff give a station case, a wish on the wall or a care
visit's demand to a skills team (代办能人队) or a 帮扶小分队; one member claims it (first claim wins),
then handles it through the rows that exist; the events record both steps and replay."""

import pytest
from django.contrib.auth import get_user_model

from minsheng.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from minsheng.demands import services as engine
from minsheng.demands.models import Demand
from minsheng.demands.projection import differences, rebuild
from minsheng.notifications.models import OutboxMessage
from minsheng.organisation.models import Membership
from minsheng.organisation.roles import Role
from minsheng.people.models import Resident
from minsheng.stations import services, teamwork
from minsheng.stations.models import Agent, SkillTeam
from minsheng.volunteers.models import Team
from minsheng.volunteers.services import register_volunteer

from ..wishes.helpers import act, promise, wish_at

pytestmark = pytest.mark.django_db


def fresh(demand) -> Demand:
    return Demand.objects.get(pk=demand.pk)


def case(world, stations) -> Demand:
    return services.take_in(world.user("agent"), stations["family"], title="门锁坏了", description="老人家门锁打不开",
                            service_item="bill_payment", consent=True,
                            reporter=engine.ReporterInput(name="李秀英", phone="13900001111"))


@pytest.fixture
def locksmiths(world, stations):
    """A skills team of two agents of the 玫瑰城 family station: the fixture's agent and 张师傅."""
    team = SkillTeam.objects.create(name="开锁能人队")
    stations["agent"].skill_teams.add(team)
    user = get_user_model().objects.create_user(username="agent2", password="pw")
    Membership.objects.create(user=user, unit=world.units["st1"], role=Role.STATION_AGENT)
    other = Agent.objects.create(resident=Resident.objects.create(name="张师傅", phone="13611112222"),
                                 station=stations["family"], kind="retiree", user=user)
    other.skill_teams.add(team)
    world.users["agent2"] = user
    return team


def volunteer_user(world, name, phone):
    user = get_user_model().objects.create_user(username=name, password="pw")
    resident = Resident.objects.create(name=name, phone=phone, user=user, region=world.regions["g1"])
    world.users[name] = user
    return register_volunteer(world.user("staff1"), resident=resident, region=world.regions["c1"],
                              categories=["poverty"])


def assign(world, actor, demand, team) -> Demand:
    return teamwork.assign_team(world.user(actor), demand.pk, fresh(demand).version, team=teamwork.team_key(team))


def test_a_station_case_goes_to_a_skills_team_and_the_first_claim_wins(world, stations, locksmiths):
    demand = case(world, stations)
    assign(world, "staff1", demand, locksmiths)
    demand = fresh(demand)
    assert demand.assigned_team == f"skill:{locksmiths.pk}" and demand.assignee_id is None
    assert OutboxMessage.objects.filter(key="stations.team_case", recipient=world.users["agent2"]).exists()
    assert [d.pk for d in teamwork.team_queue(world.user("agent2"))] == [demand.pk]

    teamwork.claim_team_case(world.user("agent2"), demand.pk)
    with pytest.raises(InvalidTransition, match="已由 agent2 认领"):
        teamwork.claim_team_case(world.user("agent"), demand.pk)
    demand = fresh(demand)
    assert demand.assignee_id == world.users["agent2"].pk
    assert [e.action for e in demand.events.order_by("seq")][-2:] == ["assign_team", "claim_team_case"]
    # the claim left the other member's queue, stays in the claimer's
    assert not teamwork.team_queue(world.user("agent")).exists()
    assert [d.pk for d in teamwork.team_queue(world.user("agent2"))] == [demand.pk]

    # the claimer handles it through the station's own row
    services.handle_on_spot(world.user("agent2"), demand.pk, demand.version, result="已上门换锁")
    demand = fresh(demand)
    assert demand.state == "resolved" and demand.assignee_id == world.users["agent2"].pk
    assert differences(demand, rebuild(list(demand.events.order_by("seq")))) == []


def test_only_members_claim_and_only_staff_assign(world, stations, locksmiths):
    demand = case(world, stations)
    with pytest.raises(PermissionDenied):
        assign(world, "volunteer", demand, locksmiths)
    with pytest.raises(ValidationFailed):
        teamwork.assign_team(world.user("staff1"), demand.pk, fresh(demand).version, team="skill:99999")
    assign(world, "staff1", demand, locksmiths)
    outsider = get_user_model().objects.create_user(username="agent3", password="pw")
    Membership.objects.create(user=outsider, unit=world.units["st1"], role=Role.STATION_AGENT)
    with pytest.raises(PermissionDenied, match="开锁能人队"):
        teamwork.claim_team_case(outsider, demand.pk)
    assert fresh(demand).assignee_id is None


def test_a_plain_demand_is_not_a_team_case(world, stations, locksmiths):
    from ..demands.helpers import register

    demand = register(world)
    with pytest.raises(InvalidTransition):
        assign(world, "staff1", demand, locksmiths)


def test_a_wish_goes_to_a_help_team_whose_claimer_alone_takes_it_on(world):
    team = Team.objects.create(kind="team", name="爱心帮扶小分队", region=world.regions["c1"])
    for name, phone in (("小王", "13622220001"), ("小李", "13622220002")):
        volunteer_user(world, name, phone).teams.add(team)
    wish = wish_at(world, "published")
    assign(world, "staff1", wish, team)
    teamwork.claim_team_case(world.user("小李"), wish.pk)
    with pytest.raises(InvalidTransition, match="已由 小李 认领"):
        teamwork.claim_team_case(world.user("小王"), wish.pk)
    with pytest.raises(PermissionDenied, match="由认领的队员办理"):
        act(world, "小王", wish, "claim_wish", promised_by=promise())
    act(world, "小李", wish, "claim_wish", promised_by=promise())
    wish = fresh(wish)
    assert wish.state == "in_progress" and wish.wish_claims.get().user == world.users["小李"]
    assert differences(wish, rebuild(list(wish.events.order_by("seq")))) == []


def test_a_help_team_of_another_street_is_refused(world):
    team = Team.objects.create(kind="team", name="雷锋小分队", region=world.regions["c2"])
    wish = wish_at(world, "published")
    with pytest.raises(ValidationFailed, match="不在该案件所在街道"):
        assign(world, "staff1", wish, team)


def test_a_care_visit_demand_can_go_to_a_team(world, stations, locksmiths):
    from minsheng.care import services as care

    person = care.register_person(world.user("staff1"), Resident.objects.get(phone="13900001111"),
                                  category="elderly_alone", risk="high", plan="每周走访",
                                  responsible=world.user("staff1"), responsible_phone="13700000000")
    visit = care.record_visit(world.user("staff1"), person.pk, found="门锁坏了出不了门", problem="门锁损坏需要修理")
    assign(world, "staff1", visit.demand, locksmiths)
    teamwork.claim_team_case(world.user("agent"), visit.demand.pk)
    assert fresh(visit.demand).assignee_id == world.users["agent"].pk


def test_the_lists_follow_scope(world, stations, locksmiths):
    demand = case(world, stations)
    assign(world, "staff1", demand, locksmiths)
    assert [d.pk for d in teamwork.team_cases_for(world.user("staff1"))] == [demand.pk]
    assert [d.pk for d in teamwork.team_cases_for(world.user("dispatcher1"))] == [demand.pk]
    assert not teamwork.team_cases_for(world.user("staff2")).exists()
    assert not teamwork.team_cases_for(world.user("handler_cg")).exists()
    assert not teamwork.team_queue(world.user("staff1")).exists()  # not a member
    # a member whose grants do not cover the case does not see it
    far = get_user_model().objects.create_user(username="far", password="pw")
    Membership.objects.create(user=far, unit=world.units["cc2"], role=Role.STATION_AGENT)
    Agent.objects.create(resident=Resident.objects.create(name="远师傅", phone="13633334444"),
                         station=stations["community"], kind="retiree", user=far).skill_teams.add(locksmiths)
    assert not teamwork.team_queue(far).exists()


def test_the_member_page_claims(world, stations, locksmiths, login):
    demand = case(world, stations)
    assign(world, "staff1", demand, locksmiths)
    client = login("agent2")
    assert demand.title in client.get("/stations/team-cases/").content.decode()
    assert client.post("/stations/team-cases/", {"demand": demand.pk}).status_code == 302
    second = login("agent").post("/stations/team-cases/", {"demand": demand.pk})
    assert second.status_code == 400 and "已由 agent2 认领" in second.content.decode()
    staff = login("staff1")
    assert "agent2" in staff.get("/work/stations/teams/").content.decode()
    page = staff.get(f"/work/demands/{demand.pk}/").content.decode()
    assert "派给服务队" in page


def test_the_queues_read_the_cases_station_and_care_links_once_a_page(world, stations, login):
    """派给服务队 depends on whether a demand is a station case or came from a care visit: the queue
    of the roles that may assign (community staff, dispatchers, agents) reads both links for the
    whole page, so its queries do not grow with its rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from minsheng.demands import selectors as demand_selectors

    def queries(client) -> int:
        client.get(reverse("web:queue"))  # the process's copies and the session, loaded once
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("web:queue"))
        assert page.status_code == 200
        return len(captured)

    case(world, stations)
    clients = {name: login(name) for name in ("staff1", "dispatcher1", "agent")}
    few = {name: queries(client) for name, client in clients.items()}
    sizes = {name: demand_selectors.queue_for(world.user(name)).count() for name in clients}
    for _ in range(4):
        case(world, stations)
    grown = [name for name in clients if demand_selectors.queue_for(world.user(name)).count() > sizes[name]]
    assert grown  # the new cases are on some of these queues
    assert {name: queries(client) for name, client in clients.items()} == few
