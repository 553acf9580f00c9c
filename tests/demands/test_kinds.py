"""Other kinds of case (wishes, care tasks) on the one engine: their own rows of the table,
their own projections, and refusal of rows that do not apply to them."""

import pytest

from minsheng.core.errors import InvalidTransition, ValidationFailed
from minsheng.demands import selectors, services, workflow
from minsheng.demands.models import Demand
from minsheng.demands.projection import EXTRA_PROJECTIONS, differences, rebuild
from minsheng.demands.workflow import Kind, State, _t

from .helpers import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def note_wish_action():
    """A wish-only action that records a promise date (removed again after the test)."""
    spec = _t("promise_wish", "承诺", [State.REGISTERED], State.PENDING_DISPATCH, {"hotline_operator"},
              kinds={Kind.WISH})

    def promise(actor, demand_id, version, *, until: str):
        return services.perform_transition(actor, demand_id, version, "promise_wish", lambda d, g: {"until": until})

    def project(demand, event):
        demand.result = f"承诺 {event.payload['until']}"

    services.register_actions((spec, promise, project))
    yield spec
    del workflow.TRANSITIONS["promise_wish"], services.SERVICE_FOR_ACTION["promise_wish"]
    del EXTRA_PROJECTIONS["promise_wish"]


def test_a_wish_is_registered_as_its_own_kind_and_replays(world):
    wish = register(world, kind=Kind.WISH)
    assert wish.kind == "wish"
    assert wish.events.get().payload["kind"] == "wish"
    plain = register(world)
    assert plain.kind == "demand" and "kind" not in plain.events.get().payload
    for d in (wish, plain):
        assert differences(Demand.objects.get(pk=d.pk), rebuild(list(d.events.order_by("seq")))) == []


def test_an_unknown_kind_is_refused_and_nothing_is_written(world):
    with pytest.raises(ValidationFailed) as err:
        register(world, kind="parcel")
    assert "kind" in err.value.field_errors
    assert not Demand.objects.exists()


def test_a_kinds_own_action_applies_to_it_only(world, note_wish_action):
    operator = world.user("operator")
    plain = register(world)
    with pytest.raises(InvalidTransition):
        services.SERVICE_FOR_ACTION["promise_wish"](operator, plain.pk, plain.version, until="2026-12-01")
    wish = register(world, kind=Kind.WISH)
    wish = services.SERVICE_FOR_ACTION["promise_wish"](operator, wish.pk, wish.version, until="2026-12-01")
    stored = Demand.objects.get(pk=wish.pk)
    assert stored.state == State.PENDING_DISPATCH and stored.result == "承诺 2026-12-01"
    assert differences(stored, rebuild(list(stored.events.order_by("seq")))) == []
    assert "promise_wish" in [t.action for t in workflow.actions_from(State.REGISTERED, Kind.WISH)]
    assert "promise_wish" not in [t.action for t in workflow.actions_from(State.REGISTERED, Kind.DEMAND)]


def test_a_row_cannot_be_registered_twice_with_another_meaning(note_wish_action):
    clash = _t("promise_wish", "另一个", [State.REGISTERED], State.CLOSED, {"hotline_operator"})
    with pytest.raises(ValueError):
        workflow.add_transition(clash)


def test_a_row_limited_to_channels_and_a_condition_is_neither_offered_nor_allowed_elsewhere(world):
    """``channels`` and ``condition`` narrow a row like ``kinds``, in the one test (``applies_to_case``)
    behind both the menus and the services."""
    spec = _t("walk_in_note", "到站记录", [State.REGISTERED], None, {"hotline_operator"}, kinds={Kind.DEMAND},
              channels={"station"}, condition=lambda demand: demand.title.startswith("到站"))
    services.register_actions((spec, lambda actor, demand_id, version: services.perform_transition(
        actor, demand_id, version, "walk_in_note"), None))
    try:
        operator = world.user("operator")
        hotline = register(world)
        other_title = register(world, channel="station")
        wish = register(world, channel="station", kind=Kind.WISH, title="到站许愿")
        walk_in = register(world, channel="station", title="到站反映井盖缺失")
        for demand in (hotline, other_title, wish):
            assert "walk_in_note" not in [t.action for t in selectors.available_actions(operator, demand)]
            with pytest.raises(InvalidTransition):
                services.SERVICE_FOR_ACTION["walk_in_note"](operator, demand.pk, demand.version)
            assert Demand.objects.get(pk=demand.pk).version == demand.version
        assert "walk_in_note" in [t.action for t in selectors.available_actions(operator, walk_in)]
        services.SERVICE_FOR_ACTION["walk_in_note"](operator, walk_in.pk, walk_in.version)
        assert Demand.objects.get(pk=walk_in.pk).version == walk_in.version + 1
        assert "walk_in_note" in [t.action for t in workflow.actions_from(State.REGISTERED, Kind.DEMAND, "station")]
        assert "walk_in_note" not in [t.action for t in workflow.actions_from(State.REGISTERED, Kind.DEMAND, "web")]
    finally:
        del workflow.TRANSITIONS["walk_in_note"], services.SERVICE_FOR_ACTION["walk_in_note"]
        del EXTRA_PROJECTIONS["walk_in_note"]
