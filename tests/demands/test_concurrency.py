"""Two people acting on the same demand at once: exactly one wins, the other gets a conflict."""

import threading

import pytest
from django.db import connection

from minsheng.core.errors import MinshengError, VersionConflict
from minsheng.demands import services
from minsheng.demands.models import Demand

from .helpers import bring_to

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database cannot be shared by concurrent writers; runs on PostgreSQL",
)


@pytest.mark.django_db(transaction=True)
def test_racing_transitions_on_one_demand_apply_exactly_once(default_catalogue, world):
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


@pytest.mark.django_db(transaction=True)
def test_merging_two_demands_into_each_other_at_once_applies_one(default_catalogue, world):
    a, b = bring_to(world, "registered"), bring_to(world, "registered")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def merge(source, target):
        from django.db import connections

        barrier.wait()
        try:
            services.merge_demand(world.user("dispatcher1"), source.pk, source.version, into=target.pk)
            outcomes.append("applied")
        except MinshengError:
            outcomes.append("refused")  # the other merge went first: its target is now merged
        except Exception as exc:  # a deadlock or any other error: reported in the assertion below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=merge, args=(a, b)), threading.Thread(target=merge, args=(b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["applied", "refused"]
    assert Demand.objects.filter(state="merged").count() == 1
