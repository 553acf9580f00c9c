"""Bulk import: all rows or none, the same demands and events as one-by-one registration."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minsheng.core.errors import PermissionDenied
from minsheng.demands.imports import ImportRefused, import_demands
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.projection import differences, rebuild
from minsheng.demands.signals import demands_imported
from minsheng.people.models import Resident

from .helpers import register


def _row(**extra) -> dict[str, str]:
    row = {"channel": "hotline", "demand_type": "complaint", "category": "construction.roads", "urgency": "",
           "title": "建设路井盖缺失", "description": "建设路与光明街交叉口的井盖丢失两天了，晚上很危险，请尽快处理。",
           "address": "建设路1号",
           "region": "g1", "latitude": "41.84", "longitude": "123.88", "reporter_name": "张伟",
           "reporter_phone": "137-0000-1234", "hide_name": "否", "consent": "是"}
    row.update(extra)
    return row


def test_good_rows_become_demands_whose_events_rebuild_them(world):
    rows = [_row(), _row(reporter_phone="13900001111", title="路灯不亮"), _row(reporter_phone="", region="g2")]
    result = import_demands(world.user("operator"), rows)
    assert len(result.demands) == 3 and len(result.events) == 3
    for demand in Demand.objects.all():
        events = list(demand.events.order_by("seq"))
        assert [e.action for e in events] == ["register"]
        assert differences(demand, rebuild(events)) == []
        assert demand.state == "registered" and demand.registered_by == world.users["operator"]
    first = Demand.objects.get(title="建设路井盖缺失", region=world.regions["g1"])
    assert first.reporter.phone == "13700001234" and first.category.code == "construction.roads"
    assert first.urgency.code == "general" and first.consent is True and str(first.latitude) == "41.840000"
    assert Demand.objects.get(title="路灯不亮").vulnerable is True  # the resident on file has a tag
    assert Demand.objects.get(region=world.regions["g2"]).reporter is None
    event = DemandEvent.objects.get(demand=first)
    assert (event.actor_role, event.actor_unit, event.public) == ("hotline_operator", world.units["centre"], True)


def test_one_resident_per_phone_across_the_file_and_the_register(world):
    import_demands(world.user("operator"), [_row(), _row(reporter_phone="+86 13700001234"), _row(),
                                            _row(reporter_phone="13700005678", reporter_name="", region="g2")])
    assert Resident.objects.filter(phone="13700001234").count() == 1
    assert Demand.objects.filter(reporter__phone="13700001234").count() == 3
    # A new resident has the row's name (or 匿名居民), address and region, and a registration time.
    first, second = Resident.objects.get(phone="13700001234"), Resident.objects.get(phone="13700005678")
    assert (first.name, first.address, first.region, first.id_number) == ("张伟", "建设路1号", world.regions["g1"], "")
    assert (second.name, second.region) == ("匿名居民", world.regions["g2"])
    assert first.created_at is not None and not first.tags.exists()


def test_an_imported_demand_and_a_registered_one_are_the_same_rows(world):
    one = register(world, address="建设路1号", latitude="41.84", longitude="123.88", consent=True)
    imported = import_demands(world.user("operator"), [_row()]).demands[0]
    first, second = DemandEvent.objects.get(demand=one), DemandEvent.objects.get(demand=imported)
    ignore = {"number"}
    assert {k: v for k, v in first.payload.items() if k not in ignore} == {
        k: v for k, v in second.payload.items() if k not in ignore}


def test_bad_rows_are_listed_and_nothing_is_written(world):
    rows = [_row(), _row(title="", region="nowhere"), _row(), _row(reporter_phone="12345", latitude="91"),
            _row(channel="web")]
    with pytest.raises(ImportRefused) as refused:
        import_demands(world.user("operator"), rows)
    problems = {(e.line, e.field) for e in refused.value.row_errors}
    assert problems == {(2, "title"), (2, "region"), (4, "reporter_phone"), (4, "latitude"), (5, "channel")}
    assert "3 行有错误" in refused.value.message
    assert Demand.objects.count() == 0 and DemandEvent.objects.count() == 0
    assert not Resident.objects.filter(phone="13700001234").exists()


def test_rows_outside_the_actors_territory_are_refused(world):
    with pytest.raises(ImportRefused) as refused:
        import_demands(world.user("staff1"), [_row(region="g1"), _row(region="g2")])
    assert [(e.line, e.field) for e in refused.value.row_errors] == [(2, "region")]
    assert Demand.objects.count() == 0


def test_a_role_that_may_not_register_is_refused(world):
    with pytest.raises(PermissionDenied):
        import_demands(world.user("handler_cg"), [_row()])


def test_the_signal_is_sent_once_with_every_demand_and_event(world):
    calls = []

    def listener(sender, demands, events, **kwargs):
        calls.append((list(demands), list(events)))

    demands_imported.connect(listener)
    try:
        result = import_demands(world.user("operator"), [_row() for _ in range(7)])
    finally:
        demands_imported.disconnect(listener)
    assert len(calls) == 1
    demands, events = calls[0]
    assert {d.pk for d in demands} == {d.pk for d in result.demands} and len(demands) == 7
    assert {e.demand_id for e in events} == {d.pk for d in demands} and all(e.pk for e in events)


def test_numbering_continues_the_days_counter(world):
    before = register(world)
    imported = import_demands(world.user("operator"), [_row(), _row()]).demands
    after = register(world)
    numbers = [int(before.number), *(int(d.number) for d in imported), int(after.number)]
    assert numbers == list(range(numbers[0], numbers[0] + 4))


def test_the_command_imports_a_csv_file(world, tmp_path, capsys):
    path = tmp_path / "demands.csv"
    rows = [_row(), _row(title="路灯不亮")]
    path.write_text(",".join(rows[0]) + "\n" + "\n".join(",".join(r.values()) for r in rows) + "\n",
                    encoding="utf-8")
    call_command("import_demands", str(path), "--user", "operator")
    assert "imported=2 events=2" in capsys.readouterr().out
    assert set(Demand.objects.values_list("title", flat=True)) == {"建设路井盖缺失", "路灯不亮"}


def test_the_command_lists_bad_rows_of_an_excel_file(world, tmp_path, capsys):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(_row()))
    sheet.append(list(_row().values()))
    sheet.append(list(_row(demand_type="nonsense").values()))
    path = tmp_path / "demands.xlsx"
    book.save(path)
    with pytest.raises(CommandError, match="1 行有错误"):
        call_command("import_demands", str(path), "--user", "operator")
    assert "row 2 demand_type" in capsys.readouterr().err
    assert Demand.objects.count() == 0


# Cells of every sort: codes with spaces, defaults, flags in both languages, coordinates that
# round (or round to zero), numbers and None where text is expected, and values just inside and
# just outside each limit.
_VARIED = [
    {},
    {"channel": " patrol ", "urgency": "danger", "hide_name": "是", "consent": "否", "category": ""},
    {"reporter_phone": "", "region": "g2", "address": "", "latitude": "", "longitude": ""},
    {"reporter_phone": "+86 139-0000-1111", "reporter_name": ""},  # the resident on file, with a tag
    {"latitude": "0.0000001", "longitude": "0", "channel": ""},
    {"latitude": "41.1234567", "longitude": " 123.1 ", "demand_type": "consultation", "urgency": " complex"},
    {"title": "路" * 100, "description": "  内容  ", "address": "址" * 255, "reporter_name": "名" * 50},
    {"hide_name": True, "consent": 1, "latitude": 41, "longitude": 123.5, "reporter_phone": 13700009999},
    {"hide_name": None, "consent": "YES", "channel": None, "category": None, "urgency": None, "address": None},
    {"region": " g1b ", "reporter_phone": "0413-5123456", "reporter_name": " 李四 "},
]
_BAD_CELLS = [
    {"title": "路" * 101}, {"title": "  "}, {"description": None}, {"address": "址" * 256},
    {"reporter_name": "名" * 51}, {"channel": "web"}, {"channel": "nowhere"}, {"demand_type": ""},
    {"category": "nothing"}, {"urgency": "soon"}, {"region": ""}, {"region": "nowhere"}, {"latitude": "91"},
    {"longitude": "abc"}, {"latitude": "41", "longitude": ""}, {"latitude": "nan"}, {"reporter_phone": "12345"},
    {"hide_name": "maybe"}, {"consent": 2}, {"hide_name": 1.0},
]


def test_the_quick_checks_agree_with_the_field_by_field_checks(world):
    from minsheng.demands.imports import (
        _Catalogue,
        _grant_for,
        _grants_for_action,
        _QuickChecks,
        _validate_row,
        transition,
    )

    actor = world.user("staff1")  # covers community c1 only: g2 is out of its territory
    grants = _grants_for_action(actor, transition("register"))
    cat = _Catalogue()
    quick = _QuickChecks(cat, grants, actor)
    rows = [_row(**cells) for cells in _VARIED + _BAD_CELLS] + [_row(**cells) for cells in _VARIED]
    accepted = refused = 0
    for line, row in enumerate(rows, start=1):
        fast = quick(line, row)
        try:
            slow = _validate_row(line, row, cat, _grant_for(row, cat, grants), actor)
        except ImportRefused:
            assert fast is None, row
            refused += 1
            continue
        assert fast == slow, row
        accepted += 1
    assert accepted >= 2 * len(_VARIED) - 4 and refused >= len(_BAD_CELLS)


def test_imported_rows_are_the_rows_registered_instances_make(world):
    """The import writes rows of values; the generator (and the import before it) builds a demand
    and its event per row and writes them: the same columns, but for keys and numbers."""
    from django.db import transaction

    from minsheng.core import clock
    from minsheng.demands.imports import _attach_reporters, build_registered, validate_rows, write_demands

    rows = [_row(**cells) for cells in _VARIED]
    operator = world.user("operator")
    at = clock.now().replace(microsecond=123456)
    with clock.frozen_at(at):
        imported = import_demands(operator, rows)
    registrations = validate_rows(operator, rows)
    with transaction.atomic():
        _attach_reporters(registrations)
        built = write_demands(build_registered(registrations, [at] * len(registrations)))

    def stored(model, keys, ignore):
        by_key = {row["id"]: row for row in model.objects.filter(pk__in=keys).values()}
        return [{k: v for k, v in by_key[key].items() if k not in ignore} for key in keys]

    new_keys, old_keys = [d.pk for d in imported.demands], [d.pk for d in built.demands]
    assert stored(Demand, new_keys, {"id", "number"}) == stored(Demand, old_keys, {"id", "number"})
    new_events = stored(DemandEvent, [e.pk for e in imported.events], {"id", "demand_id"})
    old_events = stored(DemandEvent, [e.pk for e in built.events], {"id", "demand_id"})
    for event in new_events + old_events:
        event["payload"].pop("number")
    assert new_events == old_events
    # The instances handed out are those rows too.
    for demand in imported.demands:
        assert differences(demand, Demand.objects.get(pk=demand.pk)) == []
    assert [e.payload["number"] for e in imported.events] == [d.number for d in imported.demands]
    assert len({d.number for d in imported.demands}) == len(rows)
