"""Registering demands from every channel, and the refusals at intake."""

import re

import pytest

from minsheng.core.errors import OutOfScope, PermissionDenied, ValidationFailed
from minsheng.demands import services
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Channel
from minsheng.people.models import Resident

from .helpers import register


def test_hotline_registration_creates_resident_number_and_event(world):
    demand = register(world)
    assert re.fullmatch(r"\d{8}\d{5}", demand.number)
    assert demand.state == "registered" and demand.version == 1
    assert demand.reporter.phone == "13700001234" and demand.registered_by == world.users["operator"]
    event = demand.events.get()
    assert (event.action, event.from_state, event.to_state, event.public) == ("register", "", "registered", True)
    assert event.actor_role == "hotline_operator" and event.actor_unit == world.units["centre"]


def test_numbers_are_sequential_within_a_day(world):
    first, second = register(world), register(world)
    assert int(second.number) == int(first.number) + 1


def test_same_phone_in_another_format_is_the_same_resident(world):
    a = register(world, reporter=services.ReporterInput(name="张伟", phone="137-0000-1234"))
    b = register(world, reporter=services.ReporterInput(name="张伟", phone="+86 13700001234"))
    assert a.reporter_id == b.reporter_id
    assert Resident.objects.filter(phone="13700001234").count() == 1


def test_vulnerable_reporter_is_flagged(world):
    elderly = Resident.objects.get(phone="13900001111")
    assert register(world, reporter=elderly).vulnerable is True
    assert register(world).vulnerable is False


def test_anonymous_web_submission_needs_consent(world):
    kwargs = {"actor": None, "channel": Channel.WEB, "reporter": services.ReporterInput(name="刘芳",
                                                                                         phone="13600002222")}
    with pytest.raises(ValidationFailed) as exc:
        register(world, **kwargs)
    assert "consent" in exc.value.field_errors
    demand = register(world, consent=True, hide_name=True, **kwargs)
    assert demand.registered_by is None and demand.hide_name and demand.consent
    assert demand.events.get().actor is None


def test_anonymous_user_cannot_use_staff_channels(world):
    with pytest.raises(PermissionDenied) as exc:
        register(world, actor=None, channel=Channel.HOTLINE)
    assert "网站或微信" in exc.value.message


def test_resident_account_files_as_themselves(world):
    demand = register(world, actor="resident", channel=Channel.WECHAT, consent=True, reporter=None)
    assert demand.reporter.user == world.users["resident"]


def test_grid_patrol_finding_without_reporter(world):
    demand = register(world, actor="gridworker", channel=Channel.PATROL, reporter=None)
    assert demand.reporter is None and demand.channel == "patrol"


def test_roles_that_do_not_take_intake_are_refused(world):
    for actor in ("leader", "auditor", "handler_cg", "volunteer", "nobody"):
        with pytest.raises(PermissionDenied) as exc:
            register(world, actor=actor)
        assert "你的角色不能执行“登记”" in exc.value.message
    assert not Demand.objects.exists()


def test_registration_outside_scope_is_refused(world):
    with pytest.raises(OutOfScope):
        register(world, actor="staff2", region="g1")
    with pytest.raises(OutOfScope):
        register(world, actor="gridworker", region="g1b")  # the grid worker answers for g1 only
    assert not Demand.objects.exists()


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "长" * 101}, "title"),
    ({"description": ""}, "description"),
    ({"description": "字" * 4001}, "description"),
    ({"demand_type": "gossip"}, "demand_type"),
    ({"category": "no.such"}, "category"),
    ({"urgency": "whenever"}, "urgency"),
    ({"channel": "pigeon"}, "channel"),
    ({"latitude": "91", "longitude": "123.9"}, "latitude"),
    ({"latitude": "41.9", "longitude": "east"}, "longitude"),
    ({"latitude": "41.9"}, "latitude"),
    ({"reporter": services.ReporterInput(name="张伟", phone="12345")}, "phone"),
    ({"reporter": services.ReporterInput(name="张伟", phone="13700001234", id_number="110101199001011234")},
     "id_number"),
])
def test_bad_input_is_refused_and_nothing_is_saved(world, changes, field):
    with pytest.raises(ValidationFailed) as exc:
        register(world, **changes)
    assert field in exc.value.field_errors and exc.value.message
    assert not Demand.objects.exists()
    assert not Resident.objects.filter(phone="13700001234").exists()


def test_coordinates_are_stored(world):
    demand = register(world, latitude="41.88", longitude=123.95)
    demand.refresh_from_db()
    assert str(demand.latitude) == "41.880000" and str(demand.longitude) == "123.950000"
