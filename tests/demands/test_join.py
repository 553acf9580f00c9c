"""我也遇到: a resident joins an open demand as one more reporter, with an event in the same transaction."""

import random

import pytest

from minsheng.core.errors import InvalidTransition, ValidationFailed
from minsheng.demands import selectors, services
from minsheng.demands.models import CoReporter, Demand, DemandEvent
from minsheng.demands.projection import rebuild
from minsheng.people.models import Resident

from .helpers import bring_to, register


def _join(demand, name="李娜", phone="13900002222", **kwargs):
    return services.join_demand(demand.pk, reporter=services.ReporterInput(name=name, phone=phone),
                                consent=kwargs.pop("consent", True), **kwargs)


def test_joining_adds_a_reporter_an_event_and_a_resident(world):
    demand = register(world)
    joined, added = _join(demand)
    assert added and joined.version == demand.version + 1 and joined.state == demand.state
    event = DemandEvent.objects.get(demand=demand, seq=joined.version)
    resident = Resident.objects.get(phone="13900002222")
    assert event.action == "join" and event.public and event.payload["resident_id"] == resident.pk
    assert CoReporter.objects.get(demand=demand).resident == resident
    assert selectors.residents_following(joined) == [demand.reporter, resident]
    assert selectors.reporter_count(joined) == 2
    # The event log still rebuilds the demand as stored.
    rebuilt = rebuild(list(DemandEvent.objects.filter(demand=demand).order_by("seq")))
    assert (rebuilt.state, rebuilt.version) == (joined.state, joined.version)


def test_many_residents_are_counted_once_each(world):
    demand = register(world)
    rng = random.Random()
    phones = [f"139{rng.randrange(10**8):08d}" for _ in range(rng.randint(2, 7))]
    for phone in phones + phones[:2]:  # joining twice counts once
        _join(demand, phone=phone)
    assert selectors.reporter_count(Demand.objects.get(pk=demand.pk)) == 1 + len(set(phones))
    assert [r.phone for r in selectors.residents_following(demand)][1:] == list(dict.fromkeys(phones))


def test_the_reporter_joining_their_own_demand_changes_nothing(world):
    demand = register(world)
    joined, added = _join(demand, name="张伟", phone="137 0000 1234")
    assert not added and joined.version == demand.version
    assert not CoReporter.objects.exists()


@pytest.mark.parametrize("stop", ["resolved", "closed", "invalid"])
def test_a_finished_demand_cannot_be_joined(world, stop):
    demand = bring_to(world, stop)
    with pytest.raises(InvalidTransition) as exc:
        _join(demand)
    assert "提交新的诉求" in exc.value.message
    assert not CoReporter.objects.exists() and not Resident.objects.filter(phone="13900002222").exists()


@pytest.mark.parametrize("kwargs, field", [({"consent": False}, "consent"), ({"phone": "12345"}, "phone"),
                                           ({"name": " "}, "name")])
def test_an_anonymous_resident_gives_name_phone_and_consent(world, kwargs, field):
    demand = register(world)
    with pytest.raises(ValidationFailed) as exc:
        _join(demand, **kwargs)
    assert field in exc.value.field_errors
    assert Demand.objects.get(pk=demand.pk).version == demand.version


def test_joining_is_never_offered_to_staff(world):
    demand = register(world)
    for user in ("operator", "dispatcher1", "admin"):
        assert "join" not in [t.action for t in selectors.available_actions(world.user(user), demand)]
