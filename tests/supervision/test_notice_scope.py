"""A notice about a demand goes only to those who may open it: a grid worker of one grid is not
told about the other grids' demands that reach its committee."""

import pytest

from minsheng.demands import services
from minsheng.notifications.models import OutboxMessage

from ..demands.helpers import register


def _dispatched_to_committee(world, region: str):
    demand = register(world, region=region, category="environment")
    demand = services.verify_demand(world.user("staff1"), demand.pk, demand.version)
    return services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version, unit="cc1")


def _told(demand) -> set[str]:
    return {m.recipient.username for m in OutboxMessage.objects.filter(source__startswith=f"demand:{demand.pk}:")}


@pytest.mark.django_db
def test_grid_worker_is_told_only_about_its_own_grids_demands(world):
    other_grid = _dispatched_to_committee(world, "g1b")
    own_grid = _dispatched_to_committee(world, "g1")
    assert _told(other_grid) == {"staff1"}
    assert _told(own_grid) == {"staff1", "gridworker"}


@pytest.mark.django_db
def test_email_follows_the_same_scope(world, settings):
    settings.MINSHENG_NOTIFY_BY_EMAIL = True
    for name in ("staff1", "gridworker"):
        user = world.users[name]
        user.email = f"{name}@example.org"
        user.save(update_fields=["email"])
    demand = _dispatched_to_committee(world, "g1b")
    emails = OutboxMessage.objects.filter(source__startswith=f"demand:{demand.pk}:", channel="email")
    assert {m.address for m in emails} == {"staff1@example.org"}
