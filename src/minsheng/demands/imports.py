"""Bulk import: many demands registered in one transaction.

Policy: every row is validated first; if any row is bad, nothing is written and the refusal
lists every bad row (``ImportRefused.row_errors``).  Otherwise the demands and their
``register`` events — the same rows ``services.register_demand`` would write — are inserted in
bulk, numbered through the day counters, and ``signals.demands_imported`` is sent once inside
the transaction, so that listeners (rollups, the search index) follow the whole batch or
nothing.  ``signals.demands_validated`` comes before the transaction, so that the search index
can cut a large import's texts in a second process while the demands are written.

What the single-demand path does and the import does not: it sends no ``demand_transitioned``
per demand, so imported demands get no category suggestion and no duplicate-search index entry
(both are for live intake), and it does not fill gaps in residents already on file.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.catalogue.models import Category, DemandType, TimeLimitPolicy
from minsheng.core import clock
from minsheng.core.bulk import (
    collector_paused,
    insert_rows,
    insert_values,
    instance_maker,
    page_cache,
    reserve_ids,
    row_maker,
)
from minsheng.core.errors import MinshengError, OutOfScope, ValidationFailed
from minsheng.organisation.models import Region
from minsheng.organisation.scope import Grant
from minsheng.people.models import Resident
from minsheng.people.validation import normalise_phone

from .models import Demand, DemandEvent
from .projection import REGISTERED_FIELDS, _dec, apply_event
from .services import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    PUBLIC_CHANNELS,
    _coordinate,
    _grants_for_action,
    _optional_text,
    _require_text,
    reserve_numbers,
)
from .signals import demands_imported, demands_validated
from .workflow import Channel, transition

# Phone numbers (or resident keys) per look-up query.
LOOKUP_BATCH = 2000
# SQLite's page cache while an import writes (bulk.page_cache): 20,000 rows fit in about 50 MiB.
CACHE_MIB = 64
COLUMNS = ["channel", "demand_type", "category", "urgency", "title", "description", "address", "region",
           "latitude", "longitude", "reporter_name", "reporter_phone", "hide_name", "consent"]
_CHANNELS = frozenset(Channel.values) - PUBLIC_CHANNELS  # a staff import, not a resident's own filing
# The field labels of the error messages, translated only when a message is written.
_LABELS = {"demand_type": gettext_lazy("诉求类型"), "category": gettext_lazy("分类"),
           "urgency": gettext_lazy("紧急程度"), "title": gettext_lazy("标题"), "description": gettext_lazy("诉求内容"),
           "address": gettext_lazy("地址"), "region": gettext_lazy("区域"), "latitude": gettext_lazy("纬度"),
           "longitude": gettext_lazy("经度"), "reporter_name": gettext_lazy("姓名")}
_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"", "0", "false", "no", "n", "否", "f"}


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based data row (the header of a file is row 0)
    field: str
    message: str


class ImportRefused(ValidationFailed):
    """At least one row is bad; ``row_errors`` lists each problem, and nothing was written."""

    def __init__(self, row_errors: list[RowError]):
        field_errors: dict[str, list[str]] = defaultdict(list)
        for error in row_errors:
            field_errors[f"{error.line}.{error.field}"].append(error.message)
        super().__init__(_("%(n)d 行有错误，未导入任何诉求。") % {"n": len({e.line for e in row_errors})},
                         field_errors=dict(field_errors))
        self.row_errors = row_errors


@dataclass
class Registration:
    """One validated row: the register event's payload, without its number yet."""

    line: int
    payload: dict[str, Any]
    grant: Grant  # the actor's grant it is registered under (role and unit go on the event)
    actor_id: int | None
    reporter_phone: str = ""
    reporter_name: str = ""


@dataclass
class ImportResult:
    demands: Sequence[Demand]
    events: Sequence[DemandEvent]


class _Catalogue:
    """Codes → rows, read once per import instead of once per row."""

    def __init__(self) -> None:
        self.types = {t.code: t for t in DemandType.objects.filter(active=True)}
        self.categories = {c.code: c for c in Category.objects.filter(active=True)}
        self.urgencies = {u.code: u for u in TimeLimitPolicy.objects.all()}
        self.regions = {r.code: r for r in Region.objects.all()}
        self.allowed_regions: dict[str, bool] = {}


def _flag(value: Any, field: str) -> bool:
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationFailed.for_field(field, _("“%(value)s”不是“是”或“否”。") % {"value": value})


def _code(table: dict, value: Any, field: str, label: str, *, default: str = "", required: bool = True):
    code = str(value if value is not None else "").strip() or default
    if not code:
        if required:
            raise ValidationFailed.for_field(field, _("请填写%(label)s。") % {"label": label})
        return None
    try:
        return table[code]
    except KeyError:
        raise ValidationFailed.for_field(
            field, _("%(label)s“%(value)s”不存在或已停用。") % {"label": label, "value": code}) from None


def _cell(row: Mapping[str, Any], field: str) -> Any:
    value = row.get(field)
    return "" if value is None else value


def _channel(value: Any) -> str:
    channel = str(value).strip() or Channel.HOTLINE
    if channel not in _CHANNELS:
        raise ValidationFailed.for_field("channel", _("未知的渠道“%(channel)s”。") % {"channel": channel})
    return channel


def _region(value: Any, cat: _Catalogue, grant: Grant) -> Region:
    found = _code(cat.regions, value, "region", _LABELS["region"])
    allowed = cat.allowed_regions.get(found.code)
    if allowed is None:
        allowed = cat.allowed_regions[found.code] = grant.covers_region(found)
    if not allowed:
        raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": found.name})
    return found


def _grant_for(row: Mapping[str, Any], cat: _Catalogue, grants: list[Grant]) -> Grant:
    """The first of the actor's grants covering the row's region, as register_demand chooses it."""
    region = cat.regions.get(str(row.get("region") or "").strip())
    return next((g for g in grants if region is not None and g.covers_region(region)), grants[0])


def _phone(value: Any) -> str:
    raw = str(value).strip()
    return normalise_phone(raw) if raw else ""


def _payload(channel: str, demand_type_id: int, category_id: int | None, title: str, description: str,
             address: str, latitude: str | None, longitude: str | None, region_id: int, hide_name: bool,
             consent: bool, urgency_id: int, registered_by_id: int | None) -> dict[str, Any]:
    """The register event's payload; the number, reporter and vulnerable flag come later."""
    return {
        "number": None, "channel": channel, "demand_type_id": demand_type_id, "category_id": category_id,
        "title": title, "description": description, "address": address, "latitude": latitude,
        "longitude": longitude, "region_id": region_id, "reporter_id": None, "hide_name": hide_name,
        "consent": consent, "vulnerable": False, "urgency_id": urgency_id, "parent_id": None,
        "registered_by_id": registered_by_id,
    }


def _registration(line: int, grant: Grant, registered_by_id: int | None, values: dict[str, Any]) -> Registration:
    category = values["category"]
    payload = _payload(values["channel"], values["demand_type"].pk, category.pk if category else None,
                       values["title"], values["description"], values["address"], values["latitude"],
                       values["longitude"], values["region"].pk, values["hide_name"], values["consent"],
                       values["urgency"].pk, registered_by_id)
    return Registration(line, payload, grant, registered_by_id, values["reporter_phone"], values["reporter_name"])


def _registered_by(actor) -> int | None:
    return actor.pk if getattr(actor, "is_authenticated", False) else None


def _validate_row(line: int, row: Mapping[str, Any], cat: _Catalogue, grant: Grant, actor) -> Registration:
    """The checks of ``register_demand`` for a staff actor, one field after another; the first
    problem of each field is reported (a row can have several)."""
    errors: list[RowError] = []
    values: dict[str, Any] = {}

    def check(field: str, fn):
        try:
            values[field] = fn()
        except ValidationFailed as exc:
            for messages in (exc.field_errors or {field: [exc.message]}).values():
                errors.extend(RowError(line, field, m) for m in messages)
        except OutOfScope as exc:
            errors.append(RowError(line, field, exc.message))

    def get(field: str) -> Any:
        return _cell(row, field)

    L = _LABELS
    check("channel", lambda: _channel(get("channel")))
    check("demand_type", lambda: _code(cat.types, get("demand_type"), "demand_type", L["demand_type"]))
    check("category", lambda: _code(cat.categories, get("category"), "category", L["category"], required=False))
    check("urgency", lambda: _code(cat.urgencies, get("urgency"), "urgency", L["urgency"], default="general"))
    check("title", lambda: _require_text(str(get("title")), "title", L["title"], MAX_TITLE))
    check("description", lambda: _require_text(str(get("description")), "description", L["description"],
                                               MAX_DESCRIPTION))
    check("address", lambda: _optional_text(str(get("address")), "address", L["address"], 255))
    check("region", lambda: _region(get("region"), cat, grant))
    check("latitude", lambda: _coordinate(get("latitude"), "latitude", -90, 90, L["latitude"]))
    check("longitude", lambda: _coordinate(get("longitude"), "longitude", -180, 180, L["longitude"]))
    check("reporter_name", lambda: _optional_text(str(get("reporter_name")), "reporter_name", L["reporter_name"],
                                                  50))
    check("reporter_phone", lambda: _phone(get("reporter_phone")))
    check("hide_name", lambda: _flag(get("hide_name"), "hide_name"))
    check("consent", lambda: _flag(get("consent"), "consent"))
    if "latitude" in values and "longitude" in values and (values["latitude"] is None) != (
            values["longitude"] is None):
        errors.append(RowError(line, "latitude", _("经纬度必须同时填写。")))
    if errors:
        raise ImportRefused(errors)
    return _registration(line, grant, _registered_by(actor), values)


_BAD = object()  # a cell the quick checks did not accept


def _memo(compute: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``compute(cell)`` once per distinct cell value (a file repeats its codes, flags and
    coordinates); ``_BAD`` for a value it refuses."""
    cache: dict[Any, Any] = {}

    def lookup(value: Any) -> Any:
        key = value if type(value) is str else (type(value), value)  # 1, 1.0 and True are different cells
        try:
            return cache[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable cell: checked each time
            key = None
        try:
            result = compute("" if value is None else value)
        except MinshengError:
            result = _BAD
        if key is not None:
            cache[key] = result
        return result

    return lookup


def _text(value: Any, max_length: int, required: bool) -> Any:
    """``_require_text`` / ``_optional_text`` of the cell, or ``_BAD``."""
    text = (value if type(value) is str else "" if value is None else str(value)).strip()
    return _BAD if len(text) > max_length or (required and not text) else text


class _QuickChecks:
    """The checks of ``_validate_row`` for a row that passes them all, with each look-up (codes,
    region and territory, coordinates, flags) done once per distinct value.  A row with any
    value they do not accept goes through ``_validate_row``, which lists its problems."""

    def __init__(self, cat: _Catalogue, grants: list[Grant], actor) -> None:
        L = _LABELS
        self.registered_by_id = _registered_by(actor)
        self.channel = _memo(_channel)
        self.demand_type = _memo(lambda v: _code(cat.types, v, "demand_type", L["demand_type"]).pk)
        self.category = _memo(lambda v: getattr(_code(cat.categories, v, "category", L["category"], required=False),
                                                "pk", None))
        self.urgency = _memo(lambda v: _code(cat.urgencies, v, "urgency", L["urgency"], default="general").pk)
        self.latitude = _memo(lambda v: _coordinate(v, "latitude", -90, 90, L["latitude"]))
        self.longitude = _memo(lambda v: _coordinate(v, "longitude", -180, 180, L["longitude"]))
        self.hide_name = _memo(lambda v: _flag(v, "hide_name"))
        self.consent = _memo(lambda v: _flag(v, "consent"))

        def region(value: Any) -> tuple[int, Grant]:
            grant = _grant_for({"region": value}, cat, grants)  # the same look-up as for a whole row
            return _region(value, cat, grant).pk, grant

        self.region = _memo(region)

    def __call__(self, line: int, row: Mapping[str, Any]) -> Registration | None:
        get = row.get
        channel, demand_type, category = self.channel(get("channel")), self.demand_type(get("demand_type")), \
            self.category(get("category"))
        urgency, place = self.urgency(get("urgency")), self.region(get("region"))
        latitude, longitude = self.latitude(get("latitude")), self.longitude(get("longitude"))
        hide_name, consent = self.hide_name(get("hide_name")), self.consent(get("consent"))
        title, description = _text(get("title"), MAX_TITLE, True), _text(get("description"), MAX_DESCRIPTION, True)
        address, name = _text(get("address"), 255, False), _text(get("reporter_name"), 50, False)
        if (channel is _BAD or demand_type is _BAD or category is _BAD or urgency is _BAD or place is _BAD
                or latitude is _BAD or longitude is _BAD or hide_name is _BAD or consent is _BAD or title is _BAD
                or description is _BAD or address is _BAD or name is _BAD or (latitude is None) != (longitude is None)):
            return None
        try:
            phone = _phone(_cell(row, "reporter_phone"))
        except ValidationFailed:
            return None
        region_id, grant = place
        payload = _payload(channel, demand_type, category, title, description, address, latitude, longitude,
                           region_id, hide_name, consent, urgency, self.registered_by_id)
        return Registration(line, payload, grant, self.registered_by_id, phone, name)


def validate_rows(actor, rows: Iterable[Mapping[str, Any]]) -> list[Registration]:
    """Check every row; raise ImportRefused listing all bad rows, or return them ready to write."""
    grants = _grants_for_action(actor, transition("register"))
    cat = _Catalogue()
    quick = _QuickChecks(cat, grants, actor)
    ready: list[Registration] = []
    errors: list[RowError] = []
    for line, row in enumerate(rows, start=1):
        registration = quick(line, row)
        if registration is not None:
            ready.append(registration)
            continue
        try:
            ready.append(_validate_row(line, row, cat, _grant_for(row, cat, grants), actor))
        except ImportRefused as exc:
            errors.extend(exc.row_errors)
    if not ready and not errors:
        raise ValidationFailed.for_field("file", _("文件中没有诉求。"))
    if errors:
        raise ImportRefused(errors)
    return ready


def _pairs_in(model, key: str, value: str, keys: list) -> list[tuple]:
    """(key, value) of ``model``'s rows whose ``key`` column is one of ``keys``: plain SELECTs of
    LOOKUP_BATCH keys each (the ORM's IN lookup costs more than the query for thousands of keys)."""
    meta, connection = model._meta, connections[router.db_for_read(model)]
    quoted = connection.ops.quote_name
    column = quoted(meta.get_field(key).column)
    select = f"SELECT {column}, {quoted(meta.get_field(value).column)} FROM {quoted(meta.db_table)} WHERE {column} IN "
    pairs: list[tuple] = []
    with connection.cursor() as cursor:
        for i in range(0, len(keys), LOOKUP_BATCH):
            chunk = keys[i:i + LOOKUP_BATCH]
            cursor.execute(select + f"({', '.join(['%s'] * len(chunk))})", chunk)
            pairs.extend(cursor.fetchall())
    return pairs


def _attach_reporters(registrations: list[Registration]) -> None:
    """One resident per phone number: existing ones are reused, missing ones created in bulk."""
    phones = {r.reporter_phone for r in registrations if r.reporter_phone}
    if not phones:
        return
    found: dict[str, int] = dict(_pairs_in(Resident, "phone", "id", sorted(phones)))
    tags = Resident.tags.through
    tagged = {resident for resident, _tag in _pairs_in(tags, "resident", "id", sorted(found.values()))}
    missing: dict[str, Resident] = {}
    new_resident = instance_maker(Resident)
    for r in registrations:
        if r.reporter_phone and r.reporter_phone not in found and r.reporter_phone not in missing:
            missing[r.reporter_phone] = new_resident(
                phone=r.reporter_phone, name=r.reporter_name or _("匿名居民"), address=r.payload["address"],
                region_id=r.payload["region_id"])
    insert_rows(Resident, list(missing.values()))  # as bulk_create writes them (created_at now), faster
    found.update({phone: resident.pk for phone, resident in missing.items()})
    for r in registrations:
        if r.reporter_phone:
            r.payload["reporter_id"] = found[r.reporter_phone]
            r.payload["vulnerable"] = found[r.reporter_phone] in tagged


def build_registered(registrations: list[Registration],
                     at: list[datetime]) -> list[tuple[Demand, list[DemandEvent]]]:
    """Unsaved demands and their register events, numbered through the day counters; ``at[i]``
    is when row i is registered.  Call inside a transaction."""
    spec = transition("register")
    by_day: dict[date, list[int]] = defaultdict(list)
    for i, moment in enumerate(at):
        by_day[timezone.localtime(moment).date()].append(i)
    for day, indexes in sorted(by_day.items()):
        for i, number in zip(indexes, reserve_numbers(day, len(indexes)), strict=True):
            registrations[i].payload["number"] = number
    new_demand = instance_maker(Demand, version=0, state="")
    new_event = instance_maker(DemandEvent, seq=1, action=spec.action, from_state="", to_state=spec.target,
                               payload=None, note="", public=spec.public)
    built = []
    for registration, moment in zip(registrations, at, strict=True):
        grant = registration.grant
        demand = new_demand()
        event = new_event(actor_id=registration.actor_id, actor_role=grant.role, actor_unit_id=grant.unit_id,
                          payload=registration.payload, created_at=moment)
        apply_event(demand, event)
        built.append((demand, [event]))
    return built


def write_demands(built: list[tuple[Demand, list[DemandEvent]]]) -> ImportResult:
    """Insert demands, then their events (which need the demands' keys), in large batches.
    Each demand must already be the projection of its events (``projection.apply_event``)."""
    demands = [d for d, _events in built]
    insert_rows(Demand, demands)
    events = []
    for demand, its_events in built:
        for event in its_events:
            event.demand = demand
        events.extend(its_events)
    insert_rows(DemandEvent, events)
    return ImportResult(demands, events)


class _Built(Sequence):
    """Model instances made when first read: an import writes rows of values and need not hold
    a demand and an event instance for each of them."""

    def __init__(self, count: int, make: Callable[[int], Any]) -> None:
        self._count, self._make = count, make
        self._made: list[Any] = [None] * count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        made = self._made[index]  # IndexError past the end, as a list
        if made is None:
            made = self._made[index] = self._make(index % self._count)
        return made

    def __iter__(self) -> Iterator[Any]:
        made, make = self._made, self._make
        for i in range(self._count):
            if made[i] is None:
                made[i] = make(i)
        return iter(made)

    def __repr__(self) -> str:
        return f"<{self._count} imported rows>"


def _template(model, instance) -> tuple[list, dict[str, int]]:
    """``instance``'s row of database values (the rows of a batch are copies of it), and the
    position of each attribute in it."""
    columns, row_of = row_maker(model)
    return row_of(instance), {name: i for i, name in enumerate(columns)}


class _Registered:
    """Numbered registrations with their keys: the rows of the demands and of their register
    events as ``build_registered`` and ``write_demands`` would write them, without a model
    instance per row.  Every new demand is the projection of its register event, and those
    differ only in what the event carries (``projection.REGISTERED_FIELDS``, the coordinates)
    and its key, so each row is the first one's, built through ``apply_event``, with these
    columns replaced (tests/demands/test_imports.py compares the two ways)."""

    def __init__(self, registrations: list[Registration], at: datetime) -> None:
        count = len(registrations)
        self.registrations, self.at = registrations, at
        self.demand_ids, self.event_ids = reserve_ids(Demand, count), reserve_ids(DemandEvent, count)
        self.alias = router.db_for_write(Demand)
        spec = transition("register")
        self._new_demand = instance_maker(Demand, version=0, state="")
        self._new_event = instance_maker(DemandEvent, seq=1, action=spec.action, from_state="",
                                         to_state=spec.target, payload=None, note="", public=spec.public)
        self.events = _Built(count, self._event)
        self.demands = _Built(count, self._demand)

    def _event(self, i: int) -> DemandEvent:
        registration = self.registrations[i]
        event = self._new_event(id=self.event_ids[i], demand_id=self.demand_ids[i], actor_id=registration.actor_id,
                                actor_role=registration.grant.role, actor_unit_id=registration.grant.unit_id,
                                payload=registration.payload, created_at=self.at)
        event._state.adding, event._state.db = False, self.alias
        return event

    def _demand(self, i: int) -> Demand:
        demand = self._new_demand()
        apply_event(demand, self.events[i])
        demand.pk = self.demand_ids[i]
        demand._state.adding, demand._state.db = False, self.alias
        return demand

    def demand_rows(self) -> Iterator[list]:
        connection = connections[self.alias]
        first, at = _template(Demand, self.demands[0])
        carried, where = itemgetter(*REGISTERED_FIELDS), [at[name] for name in REGISTERED_FIELDS]
        key, latitude, longitude = at["id"], at["latitude"], at["longitude"]
        publish = at["publish_consent"]  # carried only when given (projection.apply_event)
        prepare = Demand._meta.get_field("latitude").get_db_prep_save  # longitude: the same decimal field
        to_db = _memo(lambda v: None if (number := _dec(v)) is None else prepare(number, connection))
        for demand_id, registration in zip(self.demand_ids, self.registrations, strict=True):
            payload = registration.payload
            row = first.copy()
            for i, value in zip(where, carried(payload), strict=True):
                row[i] = value
            row[key], row[latitude], row[longitude] = demand_id, to_db(payload["latitude"]), to_db(payload["longitude"])
            row[publish] = bool(payload.get("publish_consent"))
            yield row

    def event_rows(self) -> Iterator[list]:
        connection = connections[self.alias]
        first, at = _template(DemandEvent, self.events[0])
        key, demand, actor, role, unit, payload = (at[c] for c in (
            "id", "demand_id", "actor_id", "actor_role", "actor_unit_id", "payload"))
        # What the payload field's get_db_prep_save does with a dict, without its generic steps.
        adapt, encoder = connection.ops.adapt_json_value, DemandEvent._meta.get_field("payload").encoder
        for event_id, demand_id, registration in zip(self.event_ids, self.demand_ids, self.registrations,
                                                     strict=True):
            row = first.copy()
            row[key], row[demand], row[actor] = event_id, demand_id, registration.actor_id
            row[role], row[unit] = registration.grant.role, registration.grant.unit_id
            row[payload] = adapt(registration.payload, encoder)
            yield row


def register_all(registrations: list[Registration], at: datetime) -> ImportResult:
    """Number and insert the demands and register events of validated rows, all registered at
    ``at``; call inside a transaction."""
    for registration, number in zip(registrations, reserve_numbers(timezone.localtime(at).date(),
                                                                   len(registrations)), strict=True):
        registration.payload["number"] = number
    registered = _Registered(registrations, at)
    insert_values(Demand, registered.demand_rows())
    insert_values(DemandEvent, registered.event_rows())
    return ImportResult(registered.demands, registered.events)


def import_demands(actor, rows: Iterable[Mapping[str, Any]]) -> ImportResult:
    """Validate every row, then register them all at once, or refuse the whole file."""
    with collector_paused():
        registrations = validate_rows(actor, rows)
        prepared = dict(demands_validated.send(sender=Demand, payloads=[r.payload for r in registrations]))
        with page_cache(router.db_for_write(Demand), CACHE_MIB), transaction.atomic():
            _attach_reporters(registrations)
            result = register_all(registrations, clock.now())
            demands_imported.send(sender=Demand, demands=result.demands, events=result.events, prepared=prepared)
    return result
