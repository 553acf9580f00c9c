"""The event log is append-only and the projection can always be rebuilt from it."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from minsheng.demands.models import Demand, DemandEvent

from .helpers import bring_to


def test_events_cannot_be_updated_or_deleted_through_the_orm(world):
    demand = bring_to(world, "in_progress")
    event = demand.events.first()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        DemandEvent.objects.filter(demand=demand).update(note="改写历史")
    with pytest.raises(TypeError):
        DemandEvent.objects.filter(demand=demand).delete()


@pytest.mark.parametrize("sql", [
    "UPDATE demands_demandevent SET note = 'rewritten' WHERE demand_id = %s",
    "DELETE FROM demands_demandevent WHERE demand_id = %s",
])
def test_the_database_refuses_raw_updates_and_deletes(world, sql):
    demand = bring_to(world, "dispatched")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [demand.pk])
    assert demand.events.count() == 3


def _verify() -> str:
    out = io.StringIO()
    call_command("verify_events", stdout=out)
    return out.getvalue()


def test_verify_events_reports_zero_mismatches_for_every_state(world):
    for stop in ("registered", "returned", "escalated", "suspended", "closed", "invalid", "revisited_dissatisfied"):
        bring_to(world, stop)
    assert _verify().splitlines()[-1] == "mismatches=0 demands=7"


def test_verify_events_finds_a_projection_changed_behind_the_services_back(world):
    demand = bring_to(world, "in_progress")
    bring_to(world, "closed")
    Demand.objects.filter(pk=demand.pk).update(handling_unit=world.units["zj"], result="伪造的结果")
    output = _verify()
    assert output.splitlines()[-1] == "mismatches=1 demands=2"
    assert demand.number in output and "handling_unit_id" in output and "result" in output
