"""Bulk import: many demands registered in one transaction.

Policy: every row is validated first; if any row is bad, nothing is written and the refusal
lists every bad row (``ImportRefused.row_errors``).  Otherwise the demands and their
``register`` events — the same rows ``services.register_demand`` would write — are inserted in
bulk, numbered through the day counters, and ``signals.demands_imported`` is sent once inside
the transaction, so that listeners (rollups) follow the whole batch or nothing.

What the single-demand path does and the import does not: it sends no ``demand_transitioned``
per demand, so imported demands get no category suggestion and no duplicate-search index entry
(both are for live intake), and it does not fill gaps in residents already on file.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.catalogue.models import Category, DemandType, TimeLimitPolicy
from minsheng.core import clock
from minsheng.core.bulk import insert_rows, instance_maker
from minsheng.core.errors import OutOfScope, ValidationFailed
from minsheng.organisation.models import Region
from minsheng.organisation.scope import Grant
from minsheng.people.models import Resident
from minsheng.people.validation import normalise_phone

from .models import Demand, DemandEvent, DemandNumberCounter
from .projection import apply_event
from .services import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    PUBLIC_CHANNELS,
    _coordinate,
    _grants_for_action,
    _optional_text,
    _require_text,
)
from .signals import demands_imported
from .workflow import Channel, transition

# Phone numbers per look-up query, residents per INSERT.
BATCH = 500
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
    demands: list[Demand]
    events: list[DemandEvent]


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
        value = row.get(field)
        return "" if value is None else value

    def channel() -> str:
        value = str(get("channel")).strip() or Channel.HOTLINE
        if value not in _CHANNELS:
            raise ValidationFailed.for_field("channel", _("未知的渠道“%(channel)s”。") % {"channel": value})
        return value

    def region() -> Region:
        found = _code(cat.regions, get("region"), "region", L["region"])
        allowed = cat.allowed_regions.get(found.code)
        if allowed is None:
            allowed = cat.allowed_regions[found.code] = grant.covers_region(found)
        if not allowed:
            raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": found.name})
        return found

    def phone() -> str:
        raw = str(get("reporter_phone")).strip()
        return normalise_phone(raw) if raw else ""

    L = _LABELS
    check("channel", channel)
    check("demand_type", lambda: _code(cat.types, get("demand_type"), "demand_type", L["demand_type"]))
    check("category", lambda: _code(cat.categories, get("category"), "category", L["category"], required=False))
    check("urgency", lambda: _code(cat.urgencies, get("urgency"), "urgency", L["urgency"], default="general"))
    check("title", lambda: _require_text(str(get("title")), "title", L["title"], MAX_TITLE))
    check("description", lambda: _require_text(str(get("description")), "description", L["description"],
                                               MAX_DESCRIPTION))
    check("address", lambda: _optional_text(str(get("address")), "address", L["address"], 255))
    check("region", region)
    check("latitude", lambda: _coordinate(get("latitude"), "latitude", -90, 90, L["latitude"]))
    check("longitude", lambda: _coordinate(get("longitude"), "longitude", -180, 180, L["longitude"]))
    check("reporter_name", lambda: _optional_text(str(get("reporter_name")), "reporter_name", L["reporter_name"],
                                                  50))
    check("reporter_phone", phone)
    check("hide_name", lambda: _flag(get("hide_name"), "hide_name"))
    check("consent", lambda: _flag(get("consent"), "consent"))
    if "latitude" in values and "longitude" in values and (values["latitude"] is None) != (
            values["longitude"] is None):
        errors.append(RowError(line, "latitude", _("经纬度必须同时填写。")))
    if errors:
        raise ImportRefused(errors)
    category = values["category"]
    payload = {
        "number": None, "channel": values["channel"], "demand_type_id": values["demand_type"].pk,
        "category_id": category.pk if category else None, "title": values["title"],
        "description": values["description"], "address": values["address"], "latitude": values["latitude"],
        "longitude": values["longitude"], "region_id": values["region"].pk, "reporter_id": None,
        "hide_name": values["hide_name"], "consent": values["consent"], "vulnerable": False,
        "urgency_id": values["urgency"].pk, "parent_id": None,
        "registered_by_id": actor.pk if getattr(actor, "is_authenticated", False) else None,
    }
    return Registration(line, payload, grant, payload["registered_by_id"], values["reporter_phone"],
                        values["reporter_name"])


def validate_rows(actor, rows: Iterable[Mapping[str, Any]]) -> list[Registration]:
    """Check every row; raise ImportRefused listing all bad rows, or return them ready to write."""
    grants = _grants_for_action(actor, transition("register"))
    cat = _Catalogue()
    ready: list[Registration] = []
    errors: list[RowError] = []
    for line, row in enumerate(rows, start=1):
        # The grant is the first one covering the row's region, as register_demand chooses it.
        region = cat.regions.get(str(row.get("region") or "").strip())
        grant = next((g for g in grants if region is not None and g.covers_region(region)), grants[0])
        try:
            ready.append(_validate_row(line, row, cat, grant, actor))
        except ImportRefused as exc:
            errors.extend(exc.row_errors)
    if not ready and not errors:
        raise ValidationFailed.for_field("file", _("文件中没有诉求。"))
    if errors:
        raise ImportRefused(errors)
    return ready


def reserve_numbers(day: date, count: int) -> list[str]:
    """``count`` consecutive demand numbers of ``day`` from its counter (as ``_next_number`` does
    one at a time); call inside a transaction."""
    if not DemandNumberCounter.objects.filter(day=day).update(last=F("last") + count):
        try:
            with transaction.atomic():
                DemandNumberCounter.objects.create(day=day, last=count)
        except IntegrityError:  # another transaction created the day's counter first
            DemandNumberCounter.objects.filter(day=day).update(last=F("last") + count)
    last = DemandNumberCounter.objects.get(day=day).last
    return [f"{day:%Y%m%d}{n:05d}" for n in range(last - count + 1, last + 1)]


def _attach_reporters(registrations: list[Registration]) -> None:
    """One resident per phone number: existing ones are reused, missing ones created in bulk."""
    phones = {r.reporter_phone for r in registrations if r.reporter_phone}
    if not phones:
        return
    found: dict[str, int] = {}
    tagged: set[int] = set()
    ordered = sorted(phones)
    for i in range(0, len(ordered), BATCH):
        chunk = ordered[i:i + BATCH]
        found.update(Resident.objects.filter(phone__in=chunk).values_list("phone", "pk"))
    for i in range(0, len(found), BATCH):
        ids = list(found.values())[i:i + BATCH]
        tagged.update(Resident.tags.through.objects.filter(resident_id__in=ids).values_list("resident_id", flat=True))
    missing: dict[str, Resident] = {}
    for r in registrations:
        if r.reporter_phone and r.reporter_phone not in found and r.reporter_phone not in missing:
            missing[r.reporter_phone] = Resident(
                phone=r.reporter_phone, name=r.reporter_name or _("匿名居民"), address=r.payload["address"],
                region_id=r.payload["region_id"])
    Resident.objects.bulk_create(missing.values(), batch_size=BATCH)
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


def import_demands(actor, rows: Iterable[Mapping[str, Any]]) -> ImportResult:
    """Validate every row, then register them all at once, or refuse the whole file."""
    registrations = validate_rows(actor, rows)
    with transaction.atomic():
        _attach_reporters(registrations)
        now = clock.now()
        built = build_registered(registrations, [now] * len(registrations))
        result = write_demands(built)
        demands_imported.send(sender=Demand, demands=result.demands, events=result.events)
    return result

