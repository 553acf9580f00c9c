"""Agent nomination (issue #32 item 6): self-nomination, residents' recommendation and the
community's selection; approval by the street into the reserve pool; appointment from the pool to a
station puts the agent in the register.  Refusals: a role that may not approve, someone not in the
pool, duplicates."""

import pytest

from minsheng.core.errors import InvalidTransition, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of
from minsheng.people.models import Resident
from minsheng.stations import recruitment, selectors
from minsheng.stations.models import Agent, AgentNomination
from minsheng.stations.views_recruitment import nominations_visible_to

pytestmark = pytest.mark.django_db


def me(world) -> Resident:
    return Resident.objects.get(user=world.users["resident"])


def self_nomination(world) -> AgentNomination:
    return recruitment.nominate(world.user("resident"), way="self", region=world.regions["c1"], kind="retiree",
                                statement="退休教师，愿为邻居跑腿", resident=me(world))


def test_nomination_approval_pool_and_appointment(world, stations):
    nomination = self_nomination(world)
    assert nomination.state == "pending"
    recruitment.approve(world.user("dispatcher1"), nomination.pk)
    nomination.refresh_from_db()
    assert nomination.state == "reserve" and nomination.decided_by == world.users["dispatcher1"]
    assert not Agent.objects.filter(resident=me(world)).exists()  # in the pool, not yet an agent

    agent = recruitment.appoint(world.user("dispatcher1"), nomination.pk, station=stations["community"])
    nomination.refresh_from_db()
    assert nomination.state == "appointed" and nomination.agent == agent
    assert agent.station == stations["community"] and agent.kind == "retiree"
    assert agent in selectors.agents_for(world.user("dispatcher1"))
    assert Role.STATION_AGENT in roles_of(world.user("resident"))


def test_recommendation_and_selection_record_who_put_the_person_forward(world, stations):
    recommended = recruitment.nominate(world.user("resident"), way="recommended", region=world.regions["c1"],
                                       kind="veteran", resident=me(world),
                                       nominee={"name": "李成让", "phone": "13577778888"})
    assert recommended.recommender == me(world) and recommended.nominee.name == "李成让"
    selected = recruitment.nominate(world.user("staff1"), way="selected", region=world.regions["c1"],
                                    kind="party_member", nominee={"name": "韩梅", "phone": "13577779999"})
    assert selected.way == "selected" and selected.recommender is None
    assert selected.submitted_by == world.users["staff1"]
    with pytest.raises(PermissionDenied):  # a resident may not select for the community
        recruitment.nominate(world.user("resident"), way="selected", region=world.regions["c1"],
                             kind="party_member", nominee={"name": "韩梅", "phone": "13577770000"})
    with pytest.raises(OutOfScope):
        recruitment.nominate(world.user("staff2"), way="selected", region=world.regions["c1"],
                             kind="party_member", nominee={"name": "韩梅", "phone": "13577770000"})


def test_approval_by_a_role_that_may_not_is_refused(world, stations):
    nomination = self_nomination(world)
    for name in ("staff1", "agent", "resident", "handler_cg"):
        with pytest.raises(PermissionDenied, match="只有街道工作人员"):
            recruitment.approve(world.user(name), nomination.pk)
    with pytest.raises(OutOfScope):
        recruitment.approve(world.user("dispatcher2"), nomination.pk)
    nomination.refresh_from_db()
    assert nomination.state == "pending"


def test_appointing_someone_not_in_the_pool_is_refused(world, stations):
    nomination = self_nomination(world)
    with pytest.raises(InvalidTransition, match="不在代办员储备库中"):
        recruitment.appoint(world.user("dispatcher1"), nomination.pk, station=stations["family"])
    recruitment.refuse(world.user("dispatcher1"), nomination.pk, reason="身体原因")
    with pytest.raises(InvalidTransition, match="不在代办员储备库中"):
        recruitment.appoint(world.user("dispatcher1"), nomination.pk, station=stations["family"])
    assert not Agent.objects.filter(resident=me(world)).exists()


def test_duplicates_are_refused(world, stations):
    self_nomination(world)
    with pytest.raises(ValidationFailed, match="请勿重复提交"):
        self_nomination(world)
    with pytest.raises(ValidationFailed, match="该居民已是代办员"):  # the fixture's agent 刘建国
        recruitment.nominate(world.user("staff1"), way="selected", region=world.regions["c1"], kind="retiree",
                             nominee={"name": "刘建国", "phone": "13600001111"})


def test_the_list_follows_scope(world, stations):
    nomination = self_nomination(world)
    assert list(nominations_visible_to(world.user("staff1"))) == [nomination]
    assert list(nominations_visible_to(world.user("dispatcher1"))) == [nomination]
    assert not nominations_visible_to(world.user("staff2")).exists()
    assert not nominations_visible_to(world.user("dispatcher2")).exists()
    assert not nominations_visible_to(world.user("agent")).exists()


def test_the_pages(world, stations, login):
    client = login("resident")
    response = client.post("/stations/nominate/", {"way": "self", "region": world.regions["c1"].pk,
                                                   "kind": "retiree", "statement": "愿意服务"})
    assert response.status_code == 302
    nomination = AgentNomination.objects.get()
    staff = login("staff1")
    page = staff.get(f"/work/stations/nominations/{nomination.pk}/")
    assert page.status_code == 200 and "等待街道审批" in page.content.decode()
    refused = staff.post(f"/work/stations/nominations/{nomination.pk}/", {"decision": "approve"})
    assert refused.status_code == 400 and "只有街道工作人员" in refused.content.decode()
    street = login("dispatcher1")
    assert street.post(f"/work/stations/nominations/{nomination.pk}/", {"decision": "approve"}).status_code == 302
    pool = street.get("/work/stations/nominations/?state=reserve").content.decode()
    assert "王奎" in pool
    done = street.post(f"/work/stations/nominations/{nomination.pk}/",
                       {"appoint": "1", "station": stations["community"].pk})
    assert done.status_code == 302
    assert "王奎" in street.get("/work/stations/agents/").content.decode()


def test_a_recommendation_does_not_show_back_the_name_registered_for_a_phone(world, stations, login):
    client = login("resident")
    response = client.post("/stations/nominate/", {"way": "recommended", "name": "随便写", "phone": "13900001111",
                                                   "region": world.regions["c1"].pk, "kind": "retiree"})
    assert response.status_code == 302
    page = client.get("/stations/nominate/").content.decode()
    assert "李秀英" not in page and "李**" in page
