"""Every formula on hand-built cases, through the real services; figures read from the live rollups."""

from datetime import timedelta

import pytest
from django.utils import timezone

from minsheng.assessment import selectors
from minsheng.assessment.models import Period, Rollup
from minsheng.core import clock
from minsheng.demands import services
from tests.demands.helpers import bring_to, register

pytestmark = pytest.mark.django_db


def _do(world, actor, demand, action, **kwargs):
    return services.SERVICE_FOR_ACTION[action](world.user(actor), demand.pk, demand.version, **kwargs)


def _today():
    return timezone.localdate(clock.now())


def _figures(world, user="leader", day=None, **filters):
    day = day or _today()
    return selectors.figures(world.user(user), day, day, selectors.Filters(**filters) if filters else None)


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


def test_a_demand_contacted_and_resolved_in_time_scores_full_marks(world):
    demand = _handle(world, bring_to(world, "dispatched"))
    demand = _do(world, "handler_cg", demand, "resolve", result="已补装井盖")
    _do(world, "operator", demand, "revisit", satisfaction="satisfied")
    f = _figures(world)
    assert (f.registered, f.dispatched, f.resolved, f.revisited, f.satisfied) == (1, 1, 1, 1, 1)
    assert f.rates() == {"response": 100, "resolution": 100, "satisfaction": 100, "completion": 100,
                         "on_time": 100}
    assert f.composite == 100


def test_no_recorded_contact_fails_the_response_rate_only(world):
    demand = _handle(world, bring_to(world, "dispatched"), contact=False)
    _do(world, "handler_cg", demand, "resolve", result="已补装井盖")
    f = _figures(world)
    assert f.response == 0 and f.on_time == 100 and f.completion == 100


def test_a_late_contact_and_a_late_resolution_count_against_the_unit(world):
    demand = _do(world, "handler_cg", bring_to(world, "dispatched"), "accept")
    later = clock.now() + timedelta(days=90)  # past both the contact and the handling deadline
    with clock.frozen_at(later):
        demand = _do(world, "handler_cg", demand, "record_progress", note="联系居民", contact=True)
        _do(world, "handler_cg", demand, "resolve", result="已补装井盖")
    f = _figures(world, day=timezone.localdate(later))
    assert (f.resolved, f.responded_on_time, f.resolved_on_time) == (1, 0, 0)
    assert f.response == 0 and f.on_time == 0


def test_invalid_demands_count_as_invalid_and_nowhere_else(world):
    bring_to(world, "invalid")
    f = _figures(world)
    assert (f.registered, f.invalid, f.dispatched, f.resolved) == (1, 1, 0, 0)
    assert f.rates() == dict.fromkeys(selectors.RATES)  # nothing to rate: no figure at all, not 0 %


def test_a_duplicate_merged_after_dispatch_leaves_the_completion_rate(world):
    target = _handle(world, bring_to(world, "dispatched"))
    _do(world, "handler_cg", target, "resolve", result="已补装井盖")
    duplicate = bring_to(world, "dispatched")
    _do(world, "dispatcher1", duplicate, "merge", into=target.pk)
    f = _figures(world)
    assert (f.dispatched, f.merged, f.withdrawn, f.resolved) == (2, 1, 1, 1)
    assert f.assigned == 1 and f.completion == 100


def test_a_reopened_demand_is_a_second_round_of_handling(world):
    demand = _handle(world, bring_to(world, "dispatched"))
    demand = _do(world, "handler_cg", demand, "resolve", result="已补装井盖")
    demand = _do(world, "operator", demand, "revisit", satisfaction="dissatisfied")
    demand = _do(world, "operator", demand, "reopen", reason="井盖松动")
    demand = _do(world, "handler_cg", demand, "accept")
    demand = _do(world, "handler_cg", demand, "resolve", result="已重新固定")
    _do(world, "operator", demand, "revisit", satisfaction="basically_satisfied")
    f = _figures(world)
    assert (f.dispatched, f.reopened, f.resolved, f.revisited, f.dissatisfied, f.basically_satisfied) == \
        (2, 1, 2, 2, 1, 1)
    # The second round had no recorded contact of its own: the reopening reset it.
    assert f.response == 50
    assert f.resolution == 50 and f.satisfaction == 40  # (0 + 0.8) / 2
    assert f.completion == 100


def test_time_suspended_does_not_count_against_the_deadline(world):
    demand = bring_to(world, "suspended")
    assert demand.handle_due is not None
    away = demand.handle_due - clock.now() + timedelta(days=10)
    with clock.frozen_at(clock.now() + away):  # resumed after the original deadline
        demand = _do(world, "handler_cg", demand, "resume")
    with clock.frozen_at(clock.now() + away + timedelta(hours=1)):
        _do(world, "handler_cg", demand, "resolve", result="条件具备后已修复")
    resolved_day = timezone.localdate(clock.now() + away + timedelta(hours=1))
    f = _figures(world, day=resolved_day)
    assert f.resolved == 1 and f.on_time == 100
    assert _figures(world).suspended == 1


def test_resolved_on_the_spot_counts_as_contacted_and_on_time(world):
    demand = register(world, actor="staff1")
    _do(world, "staff1", demand, "resolve_on_spot", result="现场解答")
    f = _figures(world)
    assert (f.resolved, f.dispatched) == (1, 0)
    assert f.response == 100 and f.on_time == 100


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


def test_tables_rank_streets_and_units(world):
    good = _handle(world, bring_to(world, "dispatched"))
    good = _do(world, "handler_cg", good, "resolve", result="已补装井盖")
    _do(world, "operator", good, "revisit", satisfaction="satisfied")
    bad = _handle(world, _dispatched_in_heping(world), contact=False)
    bad = _do(world, "handler_cg", bad, "resolve", result="已处理")
    _do(world, "operator", bad, "revisit", satisfaction="dissatisfied")
    day = _today()
    streets = selectors.table(world.user("leader"), day, day, "street")
    assert [(r.rank, r.label, r.figures.composite) for r in streets] == [(1, "光明街道", 100), (2, "和平街道", 0)]
    units = selectors.table(world.user("leader"), day, day, "unit")
    # Registrations belong to no unit yet; the unit answers for what it was given.
    assert [(r.label, r.figures.composite, r.figures.registered) for r in units] == [
        ("区城管局", 50, 0), ("未派单", None, 2)]


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
