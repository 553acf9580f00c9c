"""Two people acting on the same demand at once: exactly one wins, the other gets a conflict."""

import threading

import pytest
from django.db import connection

from minsheng.core.errors import VersionConflict
from minsheng.demands import services
from minsheng.demands.models import Demand

from .helpers import bring_to

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database cannot be shared by concurrent writers; runs on PostgreSQL",
)


@pytest.mark.django_db(transaction=True)
def test_racing_transitions_on_one_demand_apply_exactly_once(world):
    demand = bring_to(world, "in_progress")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(actor, fn, **kwargs):
        from django.db import connections

        barrier.wait()
        try:
            fn(world.user(actor), demand.pk, demand.version, **kwargs)
            outcomes.append("applied")
        except VersionConflict:
            outcomes.append("conflict")
        except Exception as exc:  # reported in the assertion below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("handler_cg", services.resolve_demand), kwargs={"result": "已修复"}),
        threading.Thread(target=act, args=("handler_cg", services.return_demand), kwargs={"reason": "非本单位"}),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["applied", "conflict"]
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.version == demand.version + 1
    assert stored.events.count() == demand.version + 1
    assert stored.state in ("resolved", "returned")
