"""Group commit: demands registered together in one transaction (registrar.register_batch) are
the demands register_demand writes one at a time, and each waiting request gets its own."""

import threading

import pytest

from minsheng.assessment.models import Rollup
from minsheng.assessment.rollups import rebuild
from minsheng.core.errors import ValidationFailed
from minsheng.demands import registrar as registrar_module
from minsheng.demands import services
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.projection import PROJECTED_FIELDS
from minsheng.demands.registrar import Registrar, register_batch
from minsheng.people.models import Resident
from minsheng.routing.models import DuplicateSignature, Suggestion
from tests.routing.conftest import active_model, model_file  # noqa: F401  (fixtures)

# Differ between two registrations of the same input: when and under which number.
_MOMENT = {"number", "registered_at", "updated_at"}


def _inputs(world) -> list[dict]:
    """Registrations that exercise every part of a register event: a new resident and coordinates,
    a resident on file with a vulnerable-group tag, none at all, a resident filing on the web, the
    optional extras."""
    text = {"channel": "hotline", "demand_type": "complaint", "title": "建设路井盖缺失",
            "description": "建设路与光明街交叉口的井盖丢失两天了，晚上很危险，请尽快处理。"}
    return [
        {**text, "region": world.regions["g1"], "category": "construction.roads", "address": "建设路1号",
         "latitude": "41.84", "longitude": "123.88", "consent": True,
         "reporter": services.ReporterInput(name="张伟", phone="137-0000-1234")},
        {**text, "region": world.regions["g2"], "urgency": "danger", "hide_name": True,
         "reporter": services.ReporterInput(name="老人", phone="13900001111")},
        {**text, "region": world.regions["g1"], "title": "咨询办事时间", "demand_type": "consultation"},
        {**text, "actor": None, "channel": "web", "region": world.regions["g1"], "consent": True,
         "reporter": services.ReporterInput(name="刘芳", phone="13600002222"),
         "media_url": "https://example.org/photo.jpg", "reporter_email": "liu@example.org"},
    ]


def _prepare(world, fields: dict) -> services.PreparedRegistration:
    fields = dict(fields)
    actor = fields.pop("actor", world.user("operator"))
    return services.prepare_registration(actor, **fields)


def _what_it_left(demand: Demand) -> dict:
    stored = Demand.objects.get(pk=demand.pk)
    event = DemandEvent.objects.get(demand=stored)
    signature = DuplicateSignature.objects.get(demand_id=stored.pk)
    suggestion = Suggestion.objects.filter(demand=stored).first()
    return {
        "demand": {f: getattr(stored, f) for f in PROJECTED_FIELDS if f not in _MOMENT},
        "event": (event.seq, event.action, event.from_state, event.to_state, event.actor_id, event.actor_role,
                  event.actor_unit_id, event.note, event.public,
                  {k: v for k, v in event.payload.items() if k != "number"}),
        "fingerprint": (signature.grid_id, signature.is_open, signature.latitude, signature.longitude,
                        bytes(signature.minhash)),
        "suggestion": (suggestion.model_version, suggestion.top) if suggestion else None,
    }


def _rollups() -> list[tuple]:
    return sorted(tuple(row.values()) for row in Rollup.objects.values().order_by())


def _without_ids(rows: list[tuple]) -> list[tuple]:
    return sorted(row[1:] for row in rows)


def test_a_batch_leaves_what_register_demand_leaves(world, active_model):  # noqa: F811
    inputs = _inputs(world)
    one_by_one = [services.register_demand(**{"actor": world.user("operator"), **fields}) for fields in inputs]
    batch = register_batch([_prepare(world, fields) for fields in inputs])

    for alone, together in zip(one_by_one, batch, strict=True):
        left_alone, left_together = _what_it_left(alone), _what_it_left(together)
        assert left_together == left_alone
        assert left_together["suggestion"] is not None
    assert [d.vulnerable for d in batch] == [False, True, False, False]
    assert Resident.objects.filter(phone="13700001234").count() == 1  # found again, not registered twice
    # The numbers go on from the day's counter, in the order of the batch.
    numbers = [d.number for d in one_by_one + batch]
    assert [int(n[-5:]) for n in numbers] == list(range(int(numbers[0][-5:]), int(numbers[0][-5:]) + 8))
    # The rollups the batch added are those a rebuild from the event log makes.
    live = _rollups()
    rebuild()
    assert _without_ids(_rollups()) == _without_ids(live)


def test_the_demands_carry_what_the_answer_shows(world):
    demand = register_batch([_prepare(world, _inputs(world)[0])])[0]
    assert demand.pk and demand.version == 1 and demand.state == "registered"
    assert (demand.region.code, demand.demand_type.code, demand.category.code, demand.reporter.phone) == (
        "g1", "complaint", "construction.roads", "13700001234")


def _in_two_batches(prepared: list[services.PreparedRegistration]) -> list:
    """Register ``prepared`` from one thread each, such that the first one's batch is being written
    while all the others queue up: they make the next batch together.  What each call returned
    or raised, in order."""
    from django.db import connections

    registrar, holding, go = Registrar(), threading.Event(), threading.Event()
    results: list = [None] * len(prepared)

    def hold(demand):
        holding.set()
        go.wait(30)  # the first batch stays open until every other request waits
        return demand

    def run(i: int) -> None:
        try:
            results[i] = registrar.register(prepared[i], hold if i == 0 else None)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(prepared))]
    threads[0].start()
    _until(holding.is_set)
    for t in threads[1:]:
        t.start()
    _until(lambda: len(registrar._waiting) == len(prepared) - 1)
    go.set()
    for t in threads:
        t.join(timeout=60)
    return results


def _until(condition) -> None:
    for _ in range(3000):
        if condition():
            return
        threading.Event().wait(0.01)
    raise TimeoutError


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_each_get_their_own_demand(default_catalogue, world, monkeypatch):
    batches: list[int] = []
    real = registrar_module.register_batch

    def counting(prepared, then=None):
        batches.append(len(prepared))
        return real(prepared, then)

    monkeypatch.setattr(registrar_module, "register_batch", counting)
    titles = [f"第{i}号诉求" for i in range(6)]
    results = _in_two_batches([_prepare(world, {**_inputs(world)[0], "title": title}) for title in titles])
    assert batches == [1, 5]
    assert [d.title for d in results] == titles  # each caller its own demand
    assert len({d.number for d in results}) == 6
    assert set(Demand.objects.values_list("title", flat=True)) == set(titles)  # all committed


@pytest.mark.django_db(transaction=True)
def test_a_failed_batch_is_written_one_by_one_and_only_the_bad_one_fails(default_catalogue, world):
    # An ID number already on file under another phone is refused when the resident is looked
    # up, inside the transaction: it fails the batch, then only its own request.
    Resident.objects.create(name="王五", phone="13800009999", id_number="110101199003074514")
    inputs = _inputs(world)[0]
    bad = services.ReporterInput(name="张三", phone="13700005555", id_number="110101199003074514")
    prepared = [_prepare(world, {**inputs, "title": "先到"}), _prepare(world, {**inputs, "title": "甲"}),
                _prepare(world, {**inputs, "title": "乙", "reporter": bad}),
                _prepare(world, {**inputs, "title": "丙"})]
    results = _in_two_batches(prepared)
    assert [r.title for r in results if isinstance(r, Demand)] == ["先到", "甲", "丙"]
    assert isinstance(results[2], ValidationFailed) and "id_number" in results[2].field_errors
    assert sorted(Demand.objects.values_list("title", flat=True)) == sorted(["先到", "甲", "丙"])


def test_a_resident_on_file_gets_the_address_they_lacked_and_keeps_the_one_they_had(world):
    from minsheng.people.services import find_or_register_resident

    bare = find_or_register_resident(name="李梅", phone="13900000001")
    kept = find_or_register_resident(name="王强", phone="13900000002", address="幸福里1号", region=world.regions["g1"])
    fields = _inputs(world)[0]
    register_batch([
        _prepare(world, {**fields, "reporter": services.ReporterInput(name="李梅", phone="13900000001",
                                                                      address="幸福里3号")}),
        _prepare(world, {**fields, "reporter": services.ReporterInput(name="王强", phone="13900000002",
                                                                      address="别处")}),
    ])
    bare.refresh_from_db()
    kept.refresh_from_db()
    assert (bare.address, bare.region_id) == ("幸福里3号", world.regions["g1"].pk)
    assert kept.address == "幸福里1号"
