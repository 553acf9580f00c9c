"""Two people acting on the same demand at once: exactly one wins, the other gets a conflict."""

import pytest

from minsheng.core.errors import MinshengError, VersionConflict
from minsheng.demands import services
from minsheng.demands.models import Demand

from ..races import outcome, postgres_only, race
from .helpers import bring_to

pytestmark = postgres_only


@pytest.mark.django_db(transaction=True)
def test_racing_transitions_on_one_demand_apply_exactly_once(default_catalogue, world):
    demand = bring_to(world, "in_progress")
    handler = world.user("handler_cg")
    results = race(
        lambda: services.resolve_demand(handler, demand.pk, demand.version, result="已修复"),
        lambda: services.return_demand(handler, demand.pk, demand.version, reason="非本单位"),
    )
    assert sorted(outcome(r, VersionConflict, lost="conflict") for r in results) == ["applied", "conflict"]
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.version == demand.version + 1
    assert stored.events.count() == demand.version + 1
    assert stored.state in ("resolved", "returned")


@pytest.mark.django_db(transaction=True)
def test_merging_two_demands_into_each_other_at_once_applies_one(default_catalogue, world):
    a, b = bring_to(world, "registered"), bring_to(world, "registered")
    dispatcher = world.user("dispatcher1")
    results = race(lambda: services.merge_demand(dispatcher, a.pk, a.version, into=b.pk),
                   lambda: services.merge_demand(dispatcher, b.pk, b.version, into=a.pk))
    # The loser is refused (its target is now merged); a deadlock or any other error shows as itself.
    assert sorted(outcome(r, MinshengError) for r in results) == ["applied", "refused"]
    assert Demand.objects.filter(state="merged").count() == 1
