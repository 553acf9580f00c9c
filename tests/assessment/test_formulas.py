"""Every formula on hand-built cases, through the real services; figures read from the live rollups.

Deadline sets count deadlines up to yesterday, so figures are read from a moment well after the
demands' deadlines (``LATER``) unless a test is about the running period.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from minsheng.assessment import rules, selectors
from minsheng.assessment.models import Period, Rollup
from minsheng.core import clock
from minsheng.core.errors import PermissionDenied, ValidationFailed
from minsheng.demands import services
from tests.demands.helpers import bring_to, register

pytestmark = pytest.mark.django_db

LATER = timedelta(days=200)


def _do(world, actor, demand, action, **kwargs):
    return services.SERVICE_FOR_ACTION[action](world.user(actor), demand.pk, demand.version, **kwargs)


def _today():
    return timezone.localdate(clock.now())


def _figures(world, user="leader", start=None, end=None, **filters):
    """Figures from a week ago to 120 days ahead, read 200 days from now (every deadline past)."""
    start = start or _today() - timedelta(days=7)
    end = end or _today() + timedelta(days=120)
    with clock.frozen_at(clock.now() + LATER):
        return selectors.figures(world.user(user), start, end, selectors.Filters(**filters) if filters else None)


def _dispatched_in_heping(world):
    """A demand of 和平街道 (g2), verified and dispatched by that street's own staff."""
    demand = register(world, region="g2")
    demand = _do(world, "staff2", demand, "verify")
    return _do(world, "dispatcher2", demand, "dispatch")


def _handle(world, demand, *, contact=True):
    demand = _do(world, "handler_cg", demand, "accept")
    if contact:
        demand = _do(world, "handler_cg", demand, "record_progress", note="已电话联系居民", contact=True)
    return demand


def _revisit(world, demand, satisfaction, solved):
    return _do(world, "operator", demand, "revisit", satisfaction=satisfaction, solved=solved)


def _within_every_rate(f: selectors.Figures) -> None:
    for name, value in {**f.rates(), **f.more_rates()}.items():
        assert value is None or 0 <= value <= 100, (name, value)


def test_a_demand_contacted_and_resolved_in_time_scores_full_marks(world):
    demand = _handle(world, bring_to(world, "dispatched"))
    demand = _do(world, "handler_cg", demand, "resolve", result="已补装井盖")
    _revisit(world, demand, "satisfied", "solved")
    f = _figures(world)
    assert (f.registered, f.dispatched, f.resolved, f.revisited, f.satisfied, f.solved) == (1, 1, 1, 1, 1, 1)
    assert (f.contact_due, f.contacted_on_time, f.due, f.completed, f.completed_on_time) == (1, 1, 1, 1, 1)
    assert f.rates() == {"response": 100, "resolution": 100, "satisfaction": 100, "completion": 100,
                         "on_time": 100}
    assert f.composite == 100
    assert f.more_rates() == {"return_rate": 0, "dispatch_accuracy": 100, "reopen_rate": 0, "overdue_rate": 0,
                              "direct_answer": None}  # no consultation: "—"


def test_no_contact_before_the_deadline_fails_the_response_rate_only(world):
    demand = _handle(world, bring_to(world, "dispatched"), contact=False)
    after_contact_deadline = demand.contact_due + timedelta(hours=1)
    assert after_contact_deadline < demand.handle_due
    with clock.frozen_at(after_contact_deadline):
        _do(world, "handler_cg", demand, "resolve", result="已补装井盖")
    f = _figures(world)
    assert (f.contact_due, f.contacted_on_time) == (1, 0)
    assert f.response == 0 and f.on_time == 100 and f.completion == 100
    assert f.not_contacted_on_time == 1


def test_a_resolution_before_the_contact_deadline_is_a_response_in_time(world):
    demand = _handle(world, bring_to(world, "dispatched"), contact=False)
    _do(world, "handler_cg", demand, "resolve", result="已补装井盖")
    assert _figures(world).response == 100


def test_a_late_contact_and_a_late_resolution_count_against_the_unit(world):
    demand = _do(world, "handler_cg", bring_to(world, "dispatched"), "accept")
    later = clock.now() + timedelta(days=90)  # past both deadlines and the rule's cut-off
    with clock.frozen_at(later):
        demand = _do(world, "handler_cg", demand, "record_progress", note="联系居民", contact=True)
        _do(world, "handler_cg", demand, "resolve", result="已补装井盖")
    f = _figures(world)
    assert (f.resolved, f.contacted_on_time, f.due, f.completed, f.completed_on_time) == (1, 0, 1, 0, 0)
    assert f.response == 0 and f.on_time == 0 and f.completion == 0
    assert f.overdue == 1 and f.more_rates()["overdue_rate"] == 100


def test_an_open_demand_past_its_deadline_is_overdue_and_not_completed(world):
    _handle(world, bring_to(world, "dispatched"))
    f = _figures(world)
    assert (f.due, f.completed, f.overdue) == (1, 0, 1)
    assert f.completion == 0


def test_deadlines_still_ahead_are_not_counted_yet(world):
    _handle(world, bring_to(world, "dispatched"))
    today = _today()
    f = selectors.figures(world.user("leader"), today.replace(day=1), today + timedelta(days=120))
    assert (f.dispatched, f.contact_due, f.due) == (1, 0, 0)
    assert f.completion is None and f.response is None


def test_invalid_demands_count_as_invalid_and_nowhere_else(world):
    bring_to(world, "invalid")
    f = _figures(world)
    assert (f.registered, f.invalid, f.dispatched, f.resolved) == (1, 1, 0, 0)
    assert f.rates() == dict.fromkeys(selectors.RATES)  # nothing to rate: no figure at all, not 0 %


def test_a_duplicate_merged_before_its_deadlines_leaves_their_sets(world):
    target = _handle(world, bring_to(world, "dispatched"))
    _do(world, "handler_cg", target, "resolve", result="已补装井盖")
    duplicate = bring_to(world, "dispatched")
    _do(world, "dispatcher1", duplicate, "merge", into=target.pk)
    f = _figures(world)
    assert (f.dispatched, f.merged, f.due, f.contact_due, f.resolved) == (2, 1, 1, 1, 1)
    assert f.completion == 100 and f.response == 100


def test_a_return_before_the_deadline_counts_for_the_return_rate_only(world):
    returned = bring_to(world, "returned")
    demand = _do(world, "dispatcher1", returned, "dispatch", unit=world.units["zj"])
    f = _figures(world)
    assert (f.dispatched, f.returned, f.due) == (2, 1, 1)  # the second round is due, the first left
    assert f.more_rates()["return_rate"] == 50 and f.more_rates()["dispatch_accuracy"] == 50
    assert _figures(world, unit=world.units["cg"]).due == 0
    assert _figures(world, unit=world.units["zj"]).due == 1
    assert demand.handling_unit_id == world.units["zj"].pk


def test_a_return_after_the_deadline_stays_overdue_for_the_unit(world):
    demand = _do(world, "handler_cg", bring_to(world, "dispatched"), "accept")
    with clock.frozen_at(demand.handle_due + timedelta(hours=2)):
        _do(world, "handler_cg", demand, "return", reason="不属于本单位职责")
    f = _figures(world, unit=world.units["cg"])
    assert (f.due, f.completed, f.overdue, f.returned) == (1, 0, 1, 1)


def test_a_reopened_demand_is_a_second_round_of_handling(world):
    demand = _handle(world, bring_to(world, "dispatched"))
    demand = _do(world, "handler_cg", demand, "resolve", result="已补装井盖")
    demand = _revisit(world, demand, "dissatisfied", "unsolved")
    demand = _do(world, "operator", demand, "reopen", reason="井盖松动")
    demand = _do(world, "handler_cg", demand, "accept")
    demand = _do(world, "handler_cg", demand, "resolve", result="已重新固定")
    _revisit(world, demand, "basically_satisfied", "solved")
    f = _figures(world)
    assert (f.dispatched, f.reopened, f.resolved, f.revisited, f.dissatisfied, f.basically_satisfied) == \
        (2, 1, 2, 2, 1, 1)
    assert (f.contact_due, f.contacted_on_time) == (2, 2)  # the second round resolved before its contact deadline
    assert f.resolution == 50 and f.satisfaction == 50
    assert f.completion == 100 and f.more_rates()["reopen_rate"] == 50


def test_a_partly_solved_answer_may_be_reopened_only_when_dissatisfied(world):
    demand = bring_to(world, "resolved")
    demand = _revisit(world, demand, "satisfied", "partly_solved")
    with pytest.raises(Exception, match="不满意或未解决"):
        _do(world, "operator", demand, "reopen", reason="再看看")


def test_a_revisit_needs_both_answers(world):
    demand = bring_to(world, "resolved")
    with pytest.raises(ValidationFailed, match="是否解决"):
        _do(world, "operator", demand, "revisit", satisfaction="satisfied")


def test_satisfaction_may_exceed_resolution(world):
    """成都's 2021 figures (解决率 93.53 %, 满意率 94.98 %) are representable: residents may be
    satisfied with how a unit dealt with a problem it could only partly solve."""
    answers = [("satisfied", "solved"), ("satisfied", "partly_solved"), ("basically_satisfied", "unsolved"),
               ("dissatisfied", "solved")]
    for satisfaction, solved in answers:
        _revisit(world, bring_to(world, "resolved"), satisfaction, solved)
    f = _figures(world)
    assert f.resolution == 50 and f.satisfaction == 75
    assert f.satisfaction > f.resolution


def test_time_suspended_moves_the_deadline_and_the_set(world):
    demand = bring_to(world, "suspended")
    original_due = timezone.localdate(demand.handle_due)
    away = demand.handle_due - clock.now() + timedelta(days=10)
    with clock.frozen_at(clock.now() + away):  # resumed after the original deadline
        demand = _do(world, "handler_cg", demand, "resume")
    with clock.frozen_at(clock.now() + away + timedelta(hours=1)):
        _do(world, "handler_cg", demand, "resolve", result="条件具备后已修复")
    f = _figures(world)
    assert (f.due, f.completed_on_time, f.suspended) == (1, 1, 1)
    assert f.on_time == 100
    on_original_day = _figures(world, start=original_due, end=original_due)
    assert on_original_day.due == 0


def test_an_approved_extension_moves_the_deadline_day(world):
    demand = _handle(world, bring_to(world, "dispatched"))
    old_day = timezone.localdate(demand.handle_due)
    new_due = demand.handle_due + timedelta(days=20)
    demand = _do(world, "handler_cg", demand, "request_extension", until=new_due, reason="需要协调")
    demand = _do(world, "dispatcher1", demand, "approve_extension")
    assert _figures(world, start=old_day, end=old_day).due == 0
    new_day = timezone.localdate(demand.handle_due)
    assert _figures(world, start=new_day, end=new_day).due == 1


def test_resolved_on_the_spot_counts_for_the_unit_and_inflates_no_rate(world):
    demand = register(world, actor="staff1")
    _do(world, "staff1", demand, "resolve_on_spot", result="现场解答")
    f = _figures(world)
    assert (f.resolved, f.on_spot, f.dispatched, f.due, f.contact_due) == (1, 1, 0, 0, 0)
    assert f.response is None and f.completion is None and f.on_time is None
    assert _figures(world, unit=world.units["cc1"]).on_spot == 1


def test_cases_of_other_kinds_are_not_counted(world):
    register(world, kind="wish")
    assert not Rollup.objects.exists()
    assert _figures(world).registered == 0


def test_figures_are_kept_per_day_and_per_month(world):
    bring_to(world, "dispatched")
    day, month = _today(), _today().replace(day=1)
    unit = world.units["cg"].pk
    assert Rollup.objects.get(period=Period.DAY, day=day, unit_id=unit).dispatched == 1
    assert Rollup.objects.get(period=Period.MONTH, day=month, unit_id=unit).dispatched == 1
    first, last = selectors.month_bounds(day)
    assert selectors.figures(world.user("leader"), first, last).dispatched == 1


def test_figures_narrow_to_a_region_a_unit_and_a_category(world):
    bring_to(world, "dispatched")
    _dispatched_in_heping(world)
    assert _figures(world).registered == 2
    assert _figures(world, region=world.regions["s1"]).registered == 1
    assert _figures(world, unit=world.units["cg"]).dispatched == 2
    assert _figures(world, unit=world.units["zj"]).dispatched == 0


def test_a_street_sees_only_its_own_figures(world):
    bring_to(world, "dispatched")  # 光明 (s1)
    _dispatched_in_heping(world)  # 和平 (s2)
    assert _figures(world, "dispatcher1").registered == 1
    assert _figures(world, "dispatcher2").registered == 1
    assert _figures(world, "leader").registered == 2
    assert _figures(world, "handler_cg").registered == 0  # not a role that reads assessments


def _good_and_bad(world):
    good = _handle(world, bring_to(world, "dispatched"))
    good = _do(world, "handler_cg", good, "resolve", result="已补装井盖")
    _revisit(world, good, "satisfied", "solved")
    bad = _handle(world, _dispatched_in_heping(world), contact=False)
    with clock.frozen_at(bad.contact_due + timedelta(hours=1)):
        bad = _do(world, "handler_cg", bad, "resolve", result="已处理")
    _revisit(world, bad, "dissatisfied", "unsolved")


def _set_rule(world, **overrides):
    values = {"effective_from": _today(), "weight_response": 10, "weight_resolution": 45,
              "weight_satisfaction": 45, "min_volume": 1, "cutoff_days": 0, **overrides}
    return rules.set_rule(world.user("admin"), **values)


def test_too_few_demands_are_listed_apart_never_ranked(world):
    _good_and_bad(world)
    start, end = _today() - timedelta(days=7), _today() + timedelta(days=120)
    with clock.frozen_at(clock.now() + LATER):
        streets = selectors.table(world.user("leader"), start, end, "street")
    # One demand each, below the default minimum of ten: neither street is ranked.
    assert [(r.rank, r.label) for r in streets] == [(0, "光明街道"), (0, "和平街道")]


def test_tables_rank_streets_and_units_above_the_minimum(world):
    _set_rule(world, min_volume=1)
    _good_and_bad(world)
    start, end = _today(), _today() + timedelta(days=120)  # from the rule's month on
    with clock.frozen_at(clock.now() + LATER):
        streets = selectors.table(world.user("leader"), start, end, "street")
        units = selectors.table(world.user("leader"), start, end, "unit")
    assert [(r.rank, r.label, r.figures.composite) for r in streets] == [(1, "光明街道", 100), (2, "和平街道", 0)]
    # Registrations belong to no unit yet (and are never ranked); the unit answers for what it was given.
    assert [(r.rank, r.label, r.figures.composite, r.figures.volume) for r in units] == [
        (1, "区城管局", 50, 2), (0, "未派单", None, 0)]


def test_ties_are_broken_by_volume(world):
    _set_rule(world, min_volume=1)
    for dispatched in (bring_to(world, "dispatched"), bring_to(world, "dispatched"), _dispatched_in_heping(world)):
        demand = _do(world, "handler_cg", _handle(world, dispatched), "resolve", result="已处理")
        _revisit(world, demand, "satisfied", "solved")
    start, end = _today(), _today() + timedelta(days=120)
    with clock.frozen_at(clock.now() + LATER):
        streets = selectors.table(world.user("leader"), start, end, "street")
    assert [(r.rank, r.label) for r in streets][:2] == [(1, "光明街道"), (2, "和平街道")]
    assert streets[0].figures.composite == streets[1].figures.composite
    assert streets[0].figures.volume > streets[1].figures.volume


def test_units_of_the_same_name_are_shown_with_their_parent(world):
    from minsheng.organisation.models import Unit

    Unit.objects.create(kind="department", name="区城管局", code="cg2", region=world.regions["s2"],
                        parent=world.units["so2"])
    bring_to(world, "dispatched")
    today = _today()
    with clock.frozen_at(clock.now() + LATER):
        units = selectors.table(world.user("leader"), today, today, "unit")
    assert "望花区接诉即办中心 · 区城管局" in [r.label for r in units]


def test_a_rule_applies_from_its_month_and_past_months_keep_theirs(world):
    _good_and_bad(world)
    assert _figures(world).composite == 50  # default weights 10/45/45: (100+0)/2 each
    next_month = selectors.month_bounds(_today())[1] + timedelta(days=1)
    _set_rule(world, effective_from=next_month, weight_response=30, weight_resolution=35, weight_satisfaction=35)
    assert _figures(world).composite == 50  # this month keeps the default
    assert rules.rule_for(next_month).weights["response"] == Decimal("0.30")
    with pytest.raises(ValidationFailed, match="本月或以后"):
        _set_rule(world, effective_from=_today().replace(day=1) - timedelta(days=1))
    with pytest.raises(ValidationFailed, match="之和必须为 100"):
        _set_rule(world, weight_response=50)
    with pytest.raises(PermissionDenied):
        rules.set_rule(world.user("leader"), effective_from=next_month, weight_response=10, weight_resolution=45,
                       weight_satisfaction=45, min_volume=1, cutoff_days=0)


def test_the_trend_curves_agree_with_the_daily_figures(world):
    demand = _handle(world, bring_to(world, "dispatched"))
    _do(world, "handler_cg", demand, "resolve", result="已补装井盖")
    _dispatched_in_heping(world)
    day = _today()
    for user, expected in (("leader", 2), ("dispatcher1", 1)):
        curves = selectors.trends(world.user(user), day)
        assert curves["day"][-1] == (f"{day:%m-%d}", curves["day"][-1][1])
        assert curves["day"][-1][1].registered == expected
        assert curves["week"][-1][1].registered == expected
        assert curves["month"][-1][1].registered == expected
        assert curves["day"][-1][1].resolved == 1
        assert len(curves["day"]) == 30 and len(curves["month"]) == 12
    # A grid-level filter cannot use the community-level trend rows; it reads the detail rows.
    grid = selectors.trends(world.user("leader"), day, selectors.Filters(region=world.regions["g2"]))
    assert grid["day"][-1][1].registered == 1


def test_every_rate_of_a_hand_built_month_lies_between_0_and_100(world):
    _good_and_bad(world)
    bring_to(world, "returned")
    bring_to(world, "suspended")
    _within_every_rate(_figures(world))
