"""The registers of residents, houses and enterprises: Excel import (preview, row-level errors,
all or nothing, duplicates), search, and the history of every change.

An import is two steps.  ``preview_import`` reads the workbook, checks every row and stores the
cleaned rows with their errors; nothing is written to the registers.  ``commit_import`` writes
them in one transaction, and only when no row has an error: a bad row never lets the others in
silently.  A row whose key (a resident's phone, a house's building and room, an enterprise's
credit code) is already registered is a duplicate: the preview shows it and the import updates
that record, each changed field kept in the history."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc

from minsheng.core import clock
from minsheng.core.errors import NotFound, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.people.models import Resident, VulnerableTag
from minsheng.people.services import PhoneSearch, log_phone_search, parse_phone_search
from minsheng.people.validation import mask_id_number, mask_phone, normalise_id_number, normalise_phone

from .models import Enterprise, House, RegisterChange, RegisterImport
from .selectors import region_q, territory_paths

Entity = RegisterChange.Entity
# Who keeps the registers: grid workers for their grid, community and street staff for theirs.
REGISTER_KEEPERS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
MAX_IMPORT_ERRORS_SHOWN = 500
_CHUNK = 2000

# Each register's columns: (field, header in the workbook, required).
COLUMNS: dict[str, list[tuple[str, Any, bool]]] = {
    Entity.RESIDENT: [("name", gettext_lazy("姓名"), True), ("phone", gettext_lazy("联系电话"), True),
                      ("id_number", gettext_lazy("身份证号"), False), ("address", gettext_lazy("住址"), False),
                      ("region", gettext_lazy("网格或楼栋编码"), True), ("tags", gettext_lazy("困难群体"), False),
                      ("household", gettext_lazy("户号"), False)],
    Entity.HOUSE: [("building", gettext_lazy("楼栋编码"), True), ("room", gettext_lazy("房号"), True),
                   ("occupancy", gettext_lazy("居住状态"), False), ("area", gettext_lazy("面积"), False),
                   ("householder", gettext_lazy("户主"), False), ("phone", gettext_lazy("联系电话"), False)],
    Entity.ENTERPRISE: [("region", gettext_lazy("网格或楼栋编码"), True), ("name", gettext_lazy("名称"), True),
                        ("credit_code", gettext_lazy("统一社会信用代码"), True),
                        ("address", gettext_lazy("地址"), False),
                        ("contact", gettext_lazy("联系人"), False), ("phone", gettext_lazy("联系电话"), False)],
}
# Fields compared and written when a duplicate updates the record it matches.
# Columns a workbook may leave out (added after templates were handed out): their cells read as empty.
OPTIONAL_COLUMNS = {Entity.RESIDENT: {"household"}}
_WRITTEN = {Entity.RESIDENT: ["name", "id_number", "address", "region_id"],
            Entity.HOUSE: ["occupancy", "area", "householder", "phone"],
            Entity.ENTERPRISE: ["region_id", "name", "address", "contact", "phone"]}
_MODEL = {Entity.RESIDENT: Resident, Entity.HOUSE: House, Entity.ENTERPRISE: Enterprise}
_TAG_SPLIT = re.compile(r"[、,，;；\s]+")


def headers(entity: str) -> list[str]:
    return [str(label) for _f, label, _r in COLUMNS[entity]]


def _require_keeper(actor) -> list[str]:
    paths = territory_paths(actor, REGISTER_KEEPERS)
    if not paths:
        raise PermissionDenied(_("你的角色不能维护台账。"))
    return paths


def _check_entity(entity: str) -> None:
    if entity not in Entity.values:
        raise ValidationFailed.for_field("entity", _("未知的台账类别。"))


# --- reading a workbook ---------------------------------------------------------------

def read_workbook(file) -> Iterator[tuple[int, list[Any]]]:
    """(row number as Excel shows it, cell values) of the first sheet, header row included."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationFailed.for_field("file", _("无法读取该文件，请上传 .xlsx 格式的 Excel 文件。")) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        workbook.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed as a number comes back as 13800000000.0
    return str(value).strip()


@dataclass
class Regions:
    """Every region by code, once per import, with the actor's territory."""

    by_code: dict[str, tuple[int, str, str]]
    paths: list[str]

    @classmethod
    def load(cls, paths: list[str]) -> "Regions":
        return cls({c: (i, p, k) for i, c, p, k in Region.objects.values_list("pk", "code", "path", "kind")}, paths)

    def resolve(self, code: str, kinds: set[str], label: str) -> tuple[int | None, str]:
        found = self.by_code.get(code)
        if found is None:
            return None, _("%(label)s“%(code)s”不存在。") % {"label": label, "code": code}
        if found[2] not in kinds:
            return None, _("“%(code)s”不是%(kinds)s。") % {
                "code": code, "kinds": "/".join(str(Region.Kind(k).label) for k in sorted(kinds))}
        if not any(found[1].startswith(p) for p in self.paths):
            return None, _("“%(code)s”不在你的管辖范围内。") % {"code": code}
        return found[0], ""


class _RowError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _phone(value: str, required: bool) -> str:
    if not value and not required:
        return ""
    try:
        return normalise_phone(value)
    except ValidationFailed as exc:
        raise _RowError("phone", exc.message) from None


def _clean_resident(cells: dict[str, str], regions: Regions, tags: dict[str, int]) -> dict[str, Any]:
    phone = _phone(cells["phone"], True)
    id_number = ""
    if cells["id_number"]:
        try:
            id_number = normalise_id_number(cells["id_number"])
        except ValidationFailed as exc:
            raise _RowError("id_number", exc.message) from None
    region_id, error = regions.resolve(cells["region"], {Region.Kind.GRID, Region.Kind.BUILDING}, _("区域"))
    if error:
        raise _RowError("region", error)
    tag_ids = []
    for name in filter(None, _TAG_SPLIT.split(cells["tags"])):
        if name not in tags:
            raise _RowError("tags", _("未知的困难群体“%(name)s”。") % {"name": name})
        tag_ids.append(tags[name])
    household = cells["household"][:30]
    if household and regions.by_code[cells["region"]][2] != Region.Kind.BUILDING:
        raise _RowError("household", _("填写户号时，“网格或楼栋编码”须为楼栋编码（户号是楼栋内的房号）。"))
    return {"name": cells["name"][:50], "phone": phone, "id_number": id_number, "address": cells["address"][:255],
            "region_id": region_id, "tags": sorted(set(tag_ids)), "household": household}


_OCCUPANCY = {str(label): value for value, label in House.Occupancy.choices}


def _clean_house(cells: dict[str, str], regions: Regions, _tags) -> dict[str, Any]:
    building_id, error = regions.resolve(cells["building"], {Region.Kind.BUILDING}, _("楼栋"))
    if error:
        raise _RowError("building", error)
    occupancy = House.Occupancy.OWNER
    if cells["occupancy"]:
        occupancy = _OCCUPANCY.get(cells["occupancy"]) or (
            cells["occupancy"] if cells["occupancy"] in House.Occupancy.values else None)
        if occupancy is None:
            raise _RowError("occupancy", _("居住状态应为：%(values)s。") % {"values": "、".join(_OCCUPANCY)})
    area = None
    if cells["area"]:
        try:
            area = Decimal(cells["area"]).quantize(Decimal("0.01"))
        except InvalidOperation:
            area = None
        if area is None or not (0 < area < 100000):
            raise _RowError("area", _("面积应为正数。"))
    return {"building_id": building_id, "room": cells["room"][:30], "occupancy": occupancy,
            "area": str(area) if area is not None else None, "householder": cells["householder"][:50],
            "phone": _phone(cells["phone"], False)}


def _clean_enterprise(cells: dict[str, str], regions: Regions, _tags) -> dict[str, Any]:
    region_id, error = regions.resolve(cells["region"], {Region.Kind.GRID, Region.Kind.BUILDING}, _("区域"))
    if error:
        raise _RowError("region", error)
    code = cells["credit_code"].upper()
    if not uscc.is_valid(code):
        raise _RowError("credit_code", _("统一社会信用代码“%(code)s”无效。") % {"code": cells["credit_code"]})
    return {"region_id": region_id, "name": cells["name"][:100], "credit_code": code,
            "address": cells["address"][:255], "contact": cells["contact"][:50],
            "phone": _phone(cells["phone"], False)}


_CLEANERS = {Entity.RESIDENT: _clean_resident, Entity.HOUSE: _clean_house, Entity.ENTERPRISE: _clean_enterprise}


def _key(entity: str, row: dict[str, Any]) -> tuple:
    if entity == Entity.RESIDENT:
        return (row["phone"],)
    if entity == Entity.HOUSE:
        return (row["building_id"], row["room"])
    return (row["credit_code"],)


@dataclass
class ParsedRegister:
    rows: list[dict[str, Any]]  # cleaned rows, each with "row" (its number in the workbook)
    errors: list[dict[str, Any]]  # {"row", "field", "message"}


def parse_register(entity: str, table: Iterable[tuple[int, list[Any]]], paths: list[str]) -> ParsedRegister:
    """Check every row of a register table (header first); collect each bad row's reason."""
    _check_entity(entity)
    columns = COLUMNS[entity]
    rows, errors = [], []
    iterator = iter(table)
    try:
        _n, header = next(iterator)
    except StopIteration:
        raise ValidationFailed.for_field("file", _("文件是空的。")) from None
    header = [_text(h) for h in header]
    positions = {}
    for field, label, _required in columns:
        if str(label) not in header and field in OPTIONAL_COLUMNS.get(entity, ()):
            continue
        if str(label) not in header:
            raise ValidationFailed.for_field("file", _("缺少“%(column)s”列。表头应为：%(headers)s") % {
                "column": label, "headers": "、".join(headers(entity))})
        positions[field] = header.index(str(label))
    regions = Regions.load(paths)
    tags = {}
    for pk, code, name in VulnerableTag.objects.values_list("pk", "code", "name"):
        tags[code] = tags[name] = pk
    clean = _CLEANERS[entity]
    seen: dict[tuple, int] = {}
    seen_ids: dict[str, int] = {}
    for number, values in iterator:
        cells = {f: _text(values[positions[f]]) if positions.get(f, len(values)) < len(values) else ""
                 for f, _label, _required in columns}
        if not any(cells.values()):
            continue  # blank lines between blocks of data are common in hand-kept sheets
        try:
            for field, label, required in columns:
                if required and not cells[field]:
                    raise _RowError(field, _("缺少%(label)s。") % {"label": label})
            row = clean(cells, regions, tags)
            key = _key(entity, row)
            if key in seen:
                raise _RowError(columns[1][0] if entity == Entity.RESIDENT else columns[0][0],
                                _("与第 %(n)d 行重复。") % {"n": seen[key]})
            if row.get("id_number"):
                if row["id_number"] in seen_ids:
                    raise _RowError("id_number", _("身份证号与第 %(n)d 行重复。") % {"n": seen_ids[row["id_number"]]})
                seen_ids[row["id_number"]] = number
        except _RowError as exc:
            errors.append({"row": number, "field": exc.field, "message": exc.message})
            continue
        seen[key] = number
        row["row"] = number
        rows.append(row)
    if not rows and not errors:
        raise ValidationFailed.for_field("file", _("文件中没有数据行。"))
    _match_existing(entity, rows, errors, paths)
    return ParsedRegister(rows, sorted(errors, key=lambda e: e["row"]))


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _match_existing(entity: str, rows: list[dict[str, Any]], errors: list[dict[str, Any]], paths: list[str]) -> None:
    """Mark each row that matches a registered record (``existing``: its id); a resident whose ID
    number is registered under another phone is an error, as at the intake.

    A match registered outside the importer's territory is an error too: an import may update only
    records its author may see, never pull someone else's record into their area."""
    def inside(path: str | None) -> bool:
        return path is not None and any(path.startswith(p) for p in paths)

    outside = _("该记录已在你的管辖范围外登记，不能通过导入修改。")
    if entity == Entity.RESIDENT:
        for chunk in _chunks(rows):
            by_phone = {phone: (pk, path) for phone, pk, path in Resident.objects.filter(
                phone__in=[r["phone"] for r in chunk]).values_list("phone", "pk", "region__path")}
            ids = [r["id_number"] for r in chunk if r["id_number"]]
            id_owner = (dict(Resident.objects.filter(id_number__in=ids).values_list("id_number", "phone"))
                        if ids else {})
            for r in chunk:
                pk, path = by_phone.get(r["phone"], (None, None))
                r["existing"] = pk
                owner = id_owner.get(r["id_number"]) if r["id_number"] else None
                if pk is not None and not inside(path):
                    errors.append({"row": r["row"], "field": "phone", "message": outside})
                    r["bad"] = True
                elif owner is not None and owner != r["phone"]:
                    errors.append({"row": r["row"], "field": "id_number",
                                   "message": _("该身份证号已登记在另一个联系电话名下。")})
                    r["bad"] = True
        rows[:] = [r for r in rows if not r.pop("bad", False)]
    elif entity == Entity.HOUSE:
        # A house's building is checked against the territory when the row is cleaned, so a match
        # (same building and room) lies inside it.
        for chunk in _chunks(rows):
            # Two IN lists rather than one OR per row: SQLite limits an expression's depth to 1000.
            candidates = House.objects.filter(building_id__in={r["building_id"] for r in chunk},
                                              room__in={r["room"] for r in chunk})
            found = {(b, room): pk for pk, b, room in candidates.values_list("pk", "building_id", "room")}
            for r in chunk:
                r["existing"] = found.get((r["building_id"], r["room"]))
    else:
        for chunk in _chunks(rows):
            found = {code: (pk, path) for code, pk, path in Enterprise.objects.filter(
                credit_code__in=[r["credit_code"] for r in chunk]).values_list("credit_code", "pk", "region__path")}
            for r in chunk:
                pk, path = found.get(r["credit_code"], (None, None))
                r["existing"] = pk
                if pk is not None and not inside(path):
                    errors.append({"row": r["row"], "field": "credit_code", "message": outside})
                    r["bad"] = True
        rows[:] = [r for r in rows if not r.pop("bad", False)]


# --- preview and import -----------------------------------------------------------------

def preview_import(actor, entity: str, file, filename: str = "") -> RegisterImport:
    """Read and check a workbook; store its cleaned rows and errors for the preview.  Writes nothing
    to the registers."""
    paths = _require_keeper(actor)
    _check_entity(entity)
    parsed = parse_register(entity, read_workbook(file), paths)
    return RegisterImport.objects.create(
        entity=entity, filename=(filename or getattr(file, "name", "") or "")[:200], uploaded_by=actor,
        rows=parsed.rows, errors=parsed.errors, created_at=clock.now())


def commit_import(actor, import_id: int) -> RegisterImport:
    """Write a previewed import whole, or refuse it whole when any row has an error."""
    _require_keeper(actor)
    with transaction.atomic():
        batch = RegisterImport.objects.select_for_update().filter(pk=import_id, uploaded_by=actor).first()
        if batch is None:
            raise NotFound(_("导入记录不存在。"))
        if batch.status != RegisterImport.Status.PREVIEWED:
            raise ValidationFailed.for_field("import", _("该文件已经导入过了。"))
        if batch.errors:
            message = _("有 %(n)d 行数据有错误，请改正后重新上传；本次没有导入任何数据。") % {
                "n": len({e["row"] for e in batch.errors})}
            raise ValidationFailed.for_field("import", message)
        created, updated = write_rows(actor, batch.entity, batch.rows, source=_("Excel 导入：%(name)s") % {
            "name": batch.filename})
        batch.status, batch.created, batch.updated = RegisterImport.Status.IMPORTED, created, updated
        batch.rows = []  # written; the registers and their history hold them now
        batch.save(update_fields=["status", "created", "updated", "rows"])
    return batch


def _new(entity: str, row: dict[str, Any]):
    if entity == Entity.RESIDENT:
        return Resident(name=row["name"], phone=row["phone"], id_number=row["id_number"], address=row["address"],
                        region_id=row["region_id"])
    if entity == Entity.HOUSE:
        return House(building_id=row["building_id"], room=row["room"], occupancy=row["occupancy"],
                     area=row["area"], householder=row["householder"], phone=row["phone"])
    return Enterprise(region_id=row["region_id"], name=row["name"], credit_code=row["credit_code"],
                      address=row["address"], contact=row["contact"], phone=row["phone"])


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _kept(field: str, value: Any) -> Any:
    """A value as the history keeps it: phones and ID numbers masked, since the history is shown
    to everyone who may see the record."""
    value = _plain(value)
    if field == "phone" and value:
        return mask_phone(value)
    if field == "id_number" and value:
        return mask_id_number(value)
    return value


def write_rows(actor, entity: str, rows: list[dict[str, Any]], *, source: str) -> tuple[int, int]:
    """Create the new records and update the matched ones, with one history entry per record
    (all in the caller's transaction).  Returns (created, updated)."""
    model = _MODEL[entity]
    fields = _WRITTEN[entity]
    at = clock.now()
    actor_id = getattr(actor, "pk", None)
    created = updated = 0
    for chunk in _chunks(rows):
        fresh = [r for r in chunk if not r.get("existing")]
        objects = model.objects.bulk_create([_new(entity, r) for r in fresh], batch_size=500)
        if entity == Entity.RESIDENT and not all(o.pk for o in objects):
            # Databases that cannot return ids from a bulk insert: read them back by phone.
            ids = dict(Resident.objects.filter(phone__in=[o.phone for o in objects]).values_list("phone", "pk"))
            for o in objects:
                o.pk = ids[o.phone]
        history = [RegisterChange(entity=entity, record_id=o.pk, changed_by_id=actor_id, source=source, at=at,
                                  changes={f: [None, _kept(f, getattr(o, f))] for f in fields if getattr(o, f)})
                   for o in objects]
        links = []
        if entity == Entity.RESIDENT:
            links = [(o.pk, t) for o, r in zip(objects, fresh, strict=True) for t in r["tags"]]
        matched = {r["existing"]: r for r in chunk if r.get("existing")}
        changed_objects = []
        for record in model.objects.filter(pk__in=list(matched)):
            row = matched[record.pk]
            changes = {}
            incoming = _new(entity, row)
            for f in fields:
                new, old = getattr(incoming, f), getattr(record, f)
                if new in ("", None) or _plain(old) == _plain(new):
                    continue  # an empty cell keeps what the register knows
                changes[f] = [_kept(f, old), _kept(f, new)]
                setattr(record, f, new)
            if entity == Entity.RESIDENT:
                links += [(record.pk, t) for t in row["tags"]]
            if changes:
                changed_objects.append(record)
                history.append(RegisterChange(entity=entity, record_id=record.pk, changed_by_id=actor_id,
                                              source=source, at=at, changes=changes))
        if changed_objects:
            model.objects.bulk_update(changed_objects, fields, batch_size=500)
        if links:
            through = Resident.tags.through
            through.objects.bulk_create([through(resident_id=r, vulnerabletag_id=t) for r, t in links],
                                        ignore_conflicts=True, batch_size=1000)
        RegisterChange.objects.bulk_create(history, batch_size=1000)
        if entity == Entity.RESIDENT:
            ids = {o.phone: o.pk for o in objects} | {r["phone"]: r["existing"] for r in chunk if r.get("existing")}
            _link_households(actor, [(ids[r["phone"]], r) for r in chunk if r.get("household")], source, at)
        created += len(objects)
        updated += len(changed_objects)
    return created, updated


def _link_households(actor, rows: list[tuple[int, dict[str, Any]]], source: str, at) -> None:
    """The import's 户号 column: each resident joins the household with that number in their
    building, made when the building has none yet; the resident's region becomes the household's
    unit or building (as ``estates.link_household``), each change in the register's history."""
    if not rows:
        return
    keys = {(r["region_id"], r["household"]) for _pk, r in rows}
    houses = {(h.building_id, h.room): h for h in House.objects.filter(
        building_id__in={b for b, _room in keys}, room__in={room for _b, room in keys}).select_related(
        "building", "entrance")}
    missing = [House(building_id=b, room=room) for b, room in sorted(keys) if (b, room) not in houses]
    if missing:
        House.objects.bulk_create(missing, batch_size=500)
        houses |= {(h.building_id, h.room): h for h in House.objects.filter(
            building_id__in={h.building_id for h in missing}, room__in={h.room for h in missing}).select_related(
            "building", "entrance")}
    residents = Resident.objects.in_bulk([pk for pk, _r in rows])
    changed, history = [], []
    for pk, row in rows:
        resident, house = residents[pk], houses[(row["region_id"], row["household"])]
        place = house.entrance_id or house.building_id
        if resident.house_id == house.pk and resident.region_id == place:
            continue
        changes = {}
        if resident.house_id != house.pk:
            old = House.objects.filter(pk=resident.house_id).select_related("building", "entrance").first()
            changes["house"] = [str(old) if old else None, str(house)]
        if resident.region_id != place:
            changes["region_id"] = [resident.region_id, place]
        resident.house_id, resident.region_id = house.pk, place
        changed.append(resident)
        history.append(RegisterChange(entity=Entity.RESIDENT, record_id=pk, changed_by_id=getattr(actor, "pk", None),
                                      source=source, at=at, changes=changes))
    Resident.objects.bulk_update(changed, ["house", "region"], batch_size=500)
    RegisterChange.objects.bulk_create(history, batch_size=1000)


# --- search and history -------------------------------------------------------------------

def search_register(actor, entity: str, query: str) -> QuerySet:
    """Records of the actor's territory matching a name, an address, or a phone: the whole number,
    or a name with the number's last four digits (people.services.parse_phone_search: part of a
    number alone would rebuild a masked one).  Searching by phone needs a role that may see
    personal data and is written to the access log.  Phones stay masked in what the caller shows."""
    _check_entity(entity)
    query = (query or "").strip()
    if entity == Entity.RESIDENT:
        qs = Resident.objects.filter(region_q(actor)).select_related("region")
    elif entity == Entity.HOUSE:
        qs = House.objects.filter(region_q(actor, "building")).select_related("building")
    else:
        qs = Enterprise.objects.filter(region_q(actor)).select_related("region")
    if not query:
        return qs.order_by("-pk")
    if entity == Entity.ENTERPRISE and len(query) == 18 and query.isalnum():
        return qs.filter(credit_code=query.upper()).order_by("-pk")  # a credit code, not a phone
    if entity == Entity.HOUSE and query.isdigit() and len(query) < 7:
        return qs.filter(room=query).order_by("-pk")  # a room number, not part of a phone
    search = parse_phone_search(actor, query)
    if search is not None and search.phone:
        return qs.filter(_by_phone(actor, entity, qs, search)).order_by("-pk")
    if entity == Entity.RESIDENT:
        match = Q(name=query) | Q(name__startswith=query) | Q(address__contains=query)
    elif entity == Entity.HOUSE:
        match = Q(householder__startswith=query) | Q(room=query) | Q(building__name__contains=query)
    else:
        match = Q(name__contains=query) | Q(address__contains=query) | Q(credit_code=query.upper())
    if search is not None:  # a name with four digits, or an address ending in a number ("幸福路1234")
        match |= _by_phone(actor, entity, qs, search)
    return qs.filter(match).order_by("-pk")


def _by_phone(actor, entity: str, qs: QuerySet, search: PhoneSearch) -> Q:
    """The condition for ``search``; the search is logged with the residents it finds."""
    name_field = {Entity.RESIDENT: "name", Entity.HOUSE: "householder", Entity.ENTERPRISE: "contact"}[entity]
    match = (Q(phone=search.phone) if search.phone
             else Q(phone__endswith=search.last_four, **{name_field: search.name}))
    phones = list(qs.filter(match).values_list("phone", flat=True)[:50])
    # The residents behind the numbers found (one per number), so that each one's access log shows it.
    log_phone_search(actor, search, Resident.objects.filter(phone__in=phones),
                     _("台账按电话查找（%(register)s）") % {"register": Entity(entity).label})
    return match


def record_of(actor, entity: str, record_id: int):
    """One register record of the actor's territory."""
    _check_entity(entity)
    record = search_register(actor, entity, "").filter(pk=record_id).first()
    if record is None:
        if _MODEL[entity].objects.filter(pk=record_id).exists():
            raise OutOfScope(_("该记录不在你的管辖范围内。"))
        raise NotFound(_("记录不存在。"))
    return record


def history_of(entity: str, record_id: int) -> QuerySet[RegisterChange]:
    return RegisterChange.objects.filter(entity=entity, record_id=record_id).select_related("changed_by")


def readable_history(entity: str, record_id: int) -> list[tuple[RegisterChange, list[tuple[str, Any, Any]]]]:
    """The history with field labels and region names instead of column names and ids (phones and
    ID numbers are kept masked in the history)."""
    model = _MODEL[entity]
    history = list(history_of(entity, record_id)[:100])
    region_ids = {v for h in history for f, pair in h.changes.items() if f.endswith("_id") for v in pair if v}
    names = dict(Region.objects.filter(pk__in=region_ids).values_list("pk", "name"))
    rows = []
    for h in history:
        items = []
        for field, (old, new) in h.changes.items():
            label = model._meta.get_field(field.removesuffix("_id")).verbose_name
            if field.endswith("_id"):
                old, new = names.get(old, old), names.get(new, new)
            items.append((str(label), old, new))
        rows.append((h, items))
    return rows
