"""Random transitions by random actors, with the workflow's invariants checked after every step."""

import contextlib
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.demands import services
from minsheng.demands.models import Demand
from minsheng.demands.projection import differences, rebuild
from minsheng.demands.workflow import HANDLING_STATES, State, actions_from, transition
from minsheng.organisation.scope import demand_filter, roles_of

from .helpers import register

ACTORS = ["operator", "dispatcher", "dispatcher1", "dispatcher2", "handler_cg", "handler_zj", "staff1", "staff2",
          "gridworker", "agent", "leader", "resident", "admin", "nobody"]
GRIDS = ["g1", "g1b", "g2"]
CATEGORIES = ["construction.roads", "construction.property", "environment.noise", "health.medical"]
APPLIED: set[str] = set()
RARELY = st.integers(0, 9).map(lambda n: n == 0)
TEXTS = st.sampled_from(["", "  ", "已联系居民并现场查看", "情况属实", "不属于本单位职责"])


def _kwargs(action: str, data) -> dict:
    """Inputs for an action: sometimes valid, sometimes not."""
    text = data.draw(TEXTS)
    match action:
        case "verify" | "accept" | "approve_extension" | "approve_suspension" | "resume":
            return {}
        case "reject_invalid" | "return" | "deny_extension" | "request_suspension" | "deny_suspension" | \
                "escalate" | "reopen":
            return {"reason": text}
        case "resolve_on_spot" | "resolve":
            return {"result": text}
        case "dispatch":
            return {"unit": data.draw(st.sampled_from([None, "cg", "zj", "cc1", "cc2"]))}
        case "record_progress":
            return {"note": text, "contact": data.draw(st.booleans())}
        case "request_extension":
            return {"until": clock.now() + timedelta(days=data.draw(st.integers(-5, 90))), "reason": text}
        case "revisit":
            return {"satisfaction": data.draw(st.sampled_from(["satisfied", "basically_satisfied",
                                                              "dissatisfied", "meh"]))}
        case "close":
            return {"reason": text}
        case "merge":
            return {"into": data.draw(st.sampled_from(sorted(Demand.objects.values_list("pk", flat=True))))}
    raise AssertionError(action)


class Workflow(RuleBasedStateMachine):
    world = None  # set by the test

    @initialize()
    def open_savepoint(self):
        # Each example runs in its own savepoint and is rolled back in teardown.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.applied = set()

    def teardown(self):
        APPLIED.update(getattr(self, "applied", ()))
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @rule(actor=st.sampled_from(["operator", "staff1", "staff2", "gridworker", "agent", "leader"]),
          grid=st.sampled_from(GRIDS), category=st.sampled_from(CATEGORIES))
    def register_demand(self, actor, grid, category):
        with contextlib.suppress(MinshengError):
            register(self.world, actor=actor, region=grid, category=category)

    @rule(data=st.data(), stale=RARELY, any_action=RARELY, any_actor=RARELY)
    def act(self, data, stale, any_action, any_actor):
        ids = sorted(Demand.objects.values_list("pk", flat=True))
        if not ids:
            return
        demand = Demand.objects.get(pk=data.draw(st.sampled_from(ids)))
        # Mostly an action the state allows, taken by someone holding a role for it, so that runs
        # reach deep into the workflow; sometimes anything by anyone, to exercise the refusals.
        possible = [t.action for t in actions_from(State(demand.state))]
        action = data.draw(st.sampled_from(sorted(services.SERVICE_FOR_ACTION) if any_action or not possible
                                           else possible))
        eligible = [a for a in ACTORS if roles_of(self.world.user(a)) & transition(action).roles]
        actor = data.draw(st.sampled_from(ACTORS if any_actor or not eligible else eligible))
        kwargs = _kwargs(action, data)
        if kwargs.get("unit"):
            kwargs["unit"] = self.world.units[kwargs["unit"]]
        user = self.world.user(actor)
        spec = transition(action)
        covered = Demand.objects.filter(demand_filter(user, spec.roles, spec.scope), pk=demand.pk).exists()
        version = demand.version - 1 if stale else demand.version
        try:
            services.SERVICE_FOR_ACTION[action](user, demand.pk, version, **kwargs)
        except MinshengError:
            after = Demand.objects.get(pk=demand.pk)
            assert after.version == demand.version, "a refused transition changed nothing"
            return
        assert not stale, "a stale version was accepted"
        assert covered, f"{actor} changed {demand.number} outside their scope"
        self.applied.add(action)

    @invariant()
    def projections_rebuild_from_events(self):
        for demand in Demand.objects.all():
            events = list(demand.events.order_by("seq"))
            assert [e.seq for e in events] == list(range(1, demand.version + 1))
            assert differences(demand, rebuild(events)) == []

    @invariant()
    def handled_demands_have_a_unit_and_a_deadline(self):
        for demand in Demand.objects.filter(state__in=HANDLING_STATES):
            assert demand.handling_unit_id is not None and demand.handle_due is not None

    @invariant()
    def closed_demands_have_a_satisfaction_or_a_reason(self):
        for demand in Demand.objects.filter(state=State.CLOSED):
            assert demand.satisfaction in ("satisfied", "basically_satisfied") or demand.close_reason

    @invariant()
    def merged_demands_point_at_another_demand(self):
        for demand in Demand.objects.filter(state=State.MERGED):
            assert demand.merged_into_id not in (None, demand.pk)


@pytest.mark.django_db
def test_random_transitions_keep_the_invariants(world):
    Workflow.world = world
    run_state_machine_as_test(Workflow, settings=settings(
        max_examples=25, stateful_step_count=30, deadline=None,
        # No shrinking: the failing steps are printed as they are, and CI stays fast.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
    # The run must have exercised most of the workflow, or it proved little.
    assert len(APPLIED) >= 12, sorted(APPLIED)
