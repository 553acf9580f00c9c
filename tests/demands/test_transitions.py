"""Every transition's success and every kind of refusal, through the services."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from minsheng.core import clock
from minsheng.core.errors import (
    InvalidTransition,
    OutOfScope,
    PermissionDenied,
    ValidationFailed,
    VersionConflict,
)
from minsheng.demands import services
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.projection import EXTRA_PROJECTIONS, differences, rebuild

from .helpers import bring_to


@dataclass
class Case:
    start: str
    actor: str
    kwargs: dict
    expect: str
    wrong_role: str
    out_of_scope: str
    wrong_state: str
    bad: dict | None = field(default=None)
    # How the demand is registered (``bring_to``'s keywords): the resident's own rows need the
    # demand filed by the world's resident with an account.
    register: dict = field(default_factory=dict)


_BY_RESIDENT = {"reporter": services.ReporterInput(name="王奎", phone="13812341234")}


@pytest.fixture
def world(world):
    """The shared world, and a second resident with an account (out of scope of the first's demands)."""
    from django.contrib.auth import get_user_model

    from minsheng.organisation.models import Membership
    from minsheng.organisation.roles import Role
    from minsheng.people.models import Resident

    neighbour = get_user_model().objects.create_user(username="neighbour", password="pw-neighbour")
    Membership.objects.create(user=neighbour, unit=world.units["cc1"], role=Role.RESIDENT)
    Resident.objects.create(name="邻居", phone="13822223333", user=neighbour, region=world.regions["g1"])
    world.users["neighbour"] = neighbour
    return world


def _later(days):
    return clock.now() + timedelta(days=days)


CASES = {
    "verify": Case("registered", "staff1", {}, "pending_dispatch", "handler_cg", "staff2", "pending_dispatch",
                   {"category": "no.such.category"}),
    "reject_invalid": Case("registered", "staff1", {"reason": "重复来电"}, "invalid", "handler_cg", "staff2",
                           "dispatched", {"reason": "  "}),
    "resolve_on_spot": Case("registered", "operator", {"result": "已当场解答政策"}, "resolved", "leader", "staff2",
                            "dispatched", {"result": ""}),
    "dispatch": Case("pending_dispatch", "dispatcher1", {}, "dispatched", "handler_cg", "dispatcher2",
                     "registered", {"unit": "no-such-unit"}),
    "accept": Case("dispatched", "handler_cg", {}, "in_progress", "leader", "handler_zj", "in_progress"),
    "return": Case("dispatched", "handler_cg", {"reason": "不属于本单位职责"}, "returned", "dispatcher1",
                   "handler_zj", "resolved", {"reason": ""}),
    "record_progress": Case("in_progress", "handler_cg", {"note": "已电话联系居民", "contact": True},
                            "in_progress", "leader", "handler_zj", "dispatched", {"note": ""}),
    "request_extension": Case("in_progress", "handler_cg", {"until": _later(60), "reason": "需协调施工单位"},
                              "in_progress", "dispatcher1", "handler_zj", "dispatched",
                              {"until": _later(-1), "reason": "需协调施工单位"}),
    "approve_extension": Case("extension_requested", "dispatcher1", {}, "in_progress", "handler_cg", "dispatcher2",
                              "dispatched"),
    "deny_extension": Case("extension_requested", "dispatcher1", {"reason": "理由不充分"}, "in_progress",
                           "handler_cg", "dispatcher2", "dispatched", {"reason": ""}),
    "request_suspension": Case("in_progress", "handler_cg", {"reason": "暂不具备条件"}, "in_progress",
                               "dispatcher1", "handler_zj", "dispatched", {"reason": ""}),
    "approve_suspension": Case("suspension_requested", "dispatcher1", {}, "suspended", "handler_cg",
                               "dispatcher2", "dispatched"),
    "deny_suspension": Case("suspension_requested", "dispatcher1", {"reason": "应继续办理"}, "in_progress",
                            "handler_cg", "dispatcher2", "dispatched", {"reason": ""}),
    "resume": Case("suspended", "handler_cg", {}, "in_progress", "dispatcher1", "handler_zj", "in_progress"),
    "escalate": Case("in_progress", "handler_cg", {"reason": "需区级协调"}, "escalated", "leader", "handler_zj",
                     "resolved", {"reason": ""}),
    "resolve": Case("in_progress", "handler_cg", {"result": "已补装井盖"}, "resolved", "dispatcher1",
                    "handler_zj", "dispatched", {"result": ""}),
    "revisit": Case("resolved", "operator",
                    {"satisfaction": "satisfied", "solved": "solved"}, "revisited", "handler_cg", "staff2",
                    "in_progress", {"satisfaction": "very_good"}),
    "close": Case("revisited", "operator", {}, "closed", "handler_cg", "staff2", "in_progress"),
    "reopen": Case("revisited_dissatisfied", "operator", {"reason": "居民反映井盖仍松动"}, "dispatched",
                   "handler_cg", "staff2", "resolved", {"reason": ""}),
    "external_update": Case("in_progress", "operator", {
        "external_id": "12345-889", "status": "OPEN", "description": "市民补充：井盖附近还有积水",
        "occurred_at": _later(0)},
        "in_progress", "handler_cg", "staff2", "closed", {"external_id": "", "status": "OPEN", "description": "补充",
                                                          "occurred_at": _later(0)}),
    "merge": Case("registered", "dispatcher1", {"into": "OTHER"}, "merged", "handler_cg", "dispatcher2",
                  "closed", {"into": "2000010100001"}),
    "order_supervision": Case("in_progress", "leader", {"instruction": "请说明迟迟未修复的原因", "reply_by": _later(3)},
                              "in_progress", "handler_cg", "dispatcher2", "resolved", {"instruction": ""}),
    "reply_supervision": Case("supervised", "handler_cg", {"reply": "配件已到，明日施工"}, "in_progress", "dispatcher1",
                              "handler_zj", "revisited", {"reply": ""}),
    "summon": Case("dispatched", "dispatcher1", {"units": ["zj"], "reason": "涉及管线权属"}, "dispatched",
                   "handler_cg", "dispatcher2", "resolved", {"units": ["no-such-unit"]}),
    "report_in": Case("summoned", "handler_zj", {"report": "已到现场"}, "in_progress", "dispatcher1", "handler_cg",
                      "summoned_revisited", {"report": ""}),
    "supplement": Case("in_progress", "resident", {"text": "井盖旁还有积水"}, "in_progress", "staff1", "neighbour",
                       "resolved", {"text": " "}, register=_BY_RESIDENT),
    "withdraw": Case("pending_dispatch", "resident", {"reason": "已自行解决"}, "closed", "staff1", "neighbour",
                     "dispatched", {"reason": "太长" * 101}, register=_BY_RESIDENT),
    "revisit_attempt": Case("resolved", "operator", {}, "resolved", "handler_cg", "staff2", "in_progress",
                            {"method": "fax"}),
    # The knowledge base's rows (knowledge.services passes a live article's id and version).
    "answer_directly": Case("registered", "operator", {"article_id": 1, "article_version": 1,
                                                       "result": "已依据知识库答复所需材料"}, "closed", "handler_cg",
                            "staff2", "pending_dispatch", {"result": " "}, register={"demand_type": "consultation"}),
    "refer_to_expert": Case("registered", "operator", {"unit": "zj", "article_id": 1, "article_version": 1},
                            "dispatched", "handler_cg", "staff2", "in_progress", {"unit": "no-such-unit"},
                            register={"demand_type": "consultation"}),
}


def _call(world, actor, demand, action, kwargs, version=None):
    kwargs = dict(kwargs)
    if kwargs.get("into") == "OTHER":
        kwargs["into"] = bring_to(world, "registered").number
    service = services.SERVICE_FOR_ACTION[action]
    return service(world.user(actor), demand.pk, demand.version if version is None else version, **kwargs)


def _assert_unchanged(demand):
    fresh = Demand.objects.get(pk=demand.pk)
    assert fresh.version == demand.version and fresh.state == demand.state
    assert DemandEvent.objects.filter(demand=demand).count() == demand.version


def test_every_transition_has_a_case():
    # Other apps' rows (register_actions, e.g. the stations') are tested with those apps.
    assert set(CASES) == set(services.SERVICE_FOR_ACTION) - set(EXTRA_PROJECTIONS)


@pytest.mark.parametrize("action", sorted(CASES))
def test_transition_succeeds_and_writes_one_event(world, action):
    case = CASES[action]
    demand = bring_to(world, case.start, **case.register)
    result = _call(world, case.actor, demand, action, case.kwargs)
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.state == case.expect
    assert stored.version == demand.version + 1
    event = stored.events.get(seq=stored.version)
    assert (event.action, event.from_state, event.to_state) == (action, demand.state, case.expect)
    assert event.actor == world.users[case.actor]
    assert differences(stored, rebuild(list(stored.events.order_by("seq")))) == []
    assert result.version == stored.version


@pytest.mark.parametrize("action", sorted(CASES))
def test_wrong_role_is_refused(world, action):
    case = CASES[action]
    demand = bring_to(world, case.start, **case.register)
    with pytest.raises(PermissionDenied) as exc:
        _call(world, case.wrong_role, demand, action, case.kwargs)
    assert not isinstance(exc.value, OutOfScope)
    assert "你的角色不能执行" in exc.value.message
    _assert_unchanged(demand)


@pytest.mark.parametrize("action", sorted(CASES))
def test_out_of_scope_is_refused(world, action):
    case = CASES[action]
    demand = bring_to(world, case.start, **case.register)
    with pytest.raises(OutOfScope) as exc:
        _call(world, case.out_of_scope, demand, action, case.kwargs)
    assert "不在你的管辖范围内" in exc.value.message
    _assert_unchanged(demand)


@pytest.mark.parametrize("action", sorted(CASES))
def test_wrong_state_is_refused(world, action):
    case = CASES[action]
    demand = bring_to(world, case.wrong_state, **case.register)
    with pytest.raises(InvalidTransition) as exc:
        _call(world, case.actor, demand, action, case.kwargs)
    assert demand.number in exc.value.message and "不能" in exc.value.message
    _assert_unchanged(demand)


@pytest.mark.parametrize("action", sorted(CASES))
def test_stale_version_is_refused(world, action):
    case = CASES[action]
    demand = bring_to(world, case.start, **case.register)
    with pytest.raises(VersionConflict) as exc:
        _call(world, case.actor, demand, action, case.kwargs, version=demand.version - 1)
    assert "已被他人更新" in exc.value.message and "刷新" in exc.value.message
    _assert_unchanged(demand)


@pytest.mark.parametrize("action", sorted(a for a, c in CASES.items() if c.bad is not None))
def test_bad_input_is_refused_with_the_field(world, action):
    case = CASES[action]
    demand = bring_to(world, case.start, **case.register)
    with pytest.raises(ValidationFailed) as exc:
        _call(world, case.actor, demand, action, {**case.kwargs, **case.bad})
    assert exc.value.field_errors, "a bad input names the field it is about"
    assert set(exc.value.field_errors) <= {"category", "reason", "result", "unit", "note", "until",
                                           "satisfaction", "into", "update_id", "instruction", "reply_by",
                                           "reply", "units", "report_hours", "report", "method", "text"}
    _assert_unchanged(demand)
