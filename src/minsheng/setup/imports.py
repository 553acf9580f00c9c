"""Set-up from the files an office has: the region tree with the national division codes, grid
and building boundaries from GeoJSON, units, staff accounts and their roles, and the dispatch
catalogue (权责清单: matter × region → unit, time limit).

Each import is two steps, the same code both times.  ``parse`` reads the file (Excel .xlsx or
CSV; GeoJSON for boundaries) into plain rows and finds what is wrong with a row on its own (a
missing name, a malformed code).  ``run`` then goes through the rows against the database inside
one transaction — creating or updating each row keyed by its code (a username, a category and
region for a rule), so a file imported twice updates in place — collects every row's errors and
every change, and rolls the whole transaction back on a dry run or when any row has an error.
A dry run therefore checks exactly what the real run would do, and a real run writes all of it
or nothing.  Every refusal names its row (as the spreadsheet numbers it) and its column.
"""

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.catalogue.models import Category, DispatchRule, TimeLimitPolicy
from minsheng.core import clock
from minsheng.core.errors import NotFound, PermissionDenied, ValidationFailed
from minsheng.organisation.models import Membership, Region, SetupImport, Unit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import forget_grants

from .access import EVERYWHERE, inside, territory_paths

Kind = SetupImport.Kind
MAX_ROWS = 20000
MAX_ERRORS_SHOWN = 500

# Each file's columns: (key, header, required).  A header matches its Chinese or English text or
# the key itself, so a file saved from either language's template reads the same.
COLUMNS: dict[str, list[tuple[str, Any, bool]]] = {
    Kind.REGIONS: [("code", gettext_lazy("区划代码"), True), ("name", gettext_lazy("名称"), True),
                   ("kind", gettext_lazy("层级"), True), ("parent", gettext_lazy("上级代码"), False),
                   ("aliases", gettext_lazy("别名"), False), ("latitude", gettext_lazy("纬度"), False),
                   ("longitude", gettext_lazy("经度"), False)],
    Kind.UNITS: [("code", gettext_lazy("单位编码"), True), ("name", gettext_lazy("单位名称"), True),
                 ("kind", gettext_lazy("单位类型"), True), ("region", gettext_lazy("所在区域代码"), True),
                 ("parent", gettext_lazy("上级单位编码"), False), ("phone", gettext_lazy("联系电话"), False),
                 ("active", gettext_lazy("启用"), False)],
    Kind.ACCOUNTS: [("username", gettext_lazy("用户名"), True), ("name", gettext_lazy("姓名"), True),
                    ("unit", gettext_lazy("单位编码"), True), ("role", gettext_lazy("角色"), True),
                    ("region", gettext_lazy("负责区域代码"), False), ("password", gettext_lazy("初始密码"), False),
                    ("active", gettext_lazy("有效"), False)],
    Kind.CATALOGUE: [("category", gettext_lazy("诉求分类编码"), True), ("region", gettext_lazy("区域代码"), False),
                     ("unit", gettext_lazy("承办单位编码"), True), ("time_limit", gettext_lazy("办理时限"), False)],
}
# A GeoJSON feature's properties, by the same rule.
FEATURE_PROPERTIES = [("code", gettext_lazy("区划代码"), True), ("name", gettext_lazy("名称"), False),
                      ("kind", gettext_lazy("层级"), False), ("parent", gettext_lazy("上级代码"), False)]

_REGION_WORDS = {"省": "province", "自治区": "province", "直辖市": "city", "市": "city", "州": "city",
                 "地区": "city", "盟": "city", "区": "district", "县": "district", "区县": "district",
                 "旗": "district", "街道": "street", "乡": "street", "镇": "street", "乡镇": "street",
                 "社区": "community", "村": "community", "网格": "grid", "楼栋": "building", "楼": "building"}
# The national division codes (GB/T 2260) begin with one of these province codes.
PROVINCE_PREFIXES = frozenset({"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35",
                               "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54",
                               "61", "62", "63", "64", "65", "71", "81", "82"})
# The region a territorial unit answers for must be of its level.
UNIT_REGION_KINDS = {Unit.Kind.CITY_CENTRE: {Region.Kind.CITY, Region.Kind.PROVINCE},
                     Unit.Kind.DISTRICT_CENTRE: {Region.Kind.DISTRICT},
                     Unit.Kind.STREET_OFFICE: {Region.Kind.STREET},
                     Unit.Kind.COMMUNITY_COMMITTEE: {Region.Kind.COMMUNITY}}
_YES = {"是", "y", "yes", "true", "1", "启用", "有效", "√"}
_NO = {"否", "n", "no", "false", "0", "停用", "无效", "×"}
_PHONE = re.compile(r"^[0-9+\-() ]{3,20}$")
_FREE_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")


def headers(kind: str) -> list[str]:
    return [str(label) for _k, label, _r in COLUMNS[kind]]


def _check_kind(kind: str) -> None:
    if kind not in Kind.values:
        raise ValidationFailed.for_field("kind", _("未知的导入类别：%(kind)s。") % {"kind": kind})


# --- reading the file ------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number comes back as 110101.0
    return str(value).strip()


def _read_csv(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    # Excel in China saves CSV in GBK; everything else in UTF-8 (with or without its mark).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed.for_field("file", _("无法识别 CSV 文件的编码，请保存为 UTF-8 或 GBK。"))
    yield from enumerate(csv.reader(io.StringIO(text)), start=1)


def read_table(data: bytes, filename: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number as the spreadsheet shows it, cell values) of a workbook's first sheet or a CSV."""
    if filename.lower().endswith(".csv"):
        return _read_csv(data)
    from minsheng.grids.registers import read_workbook

    return read_workbook(io.BytesIO(data))


def _header_map(kind: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for key, label, _required in COLUMNS.get(kind, FEATURE_PROPERTIES):
        names[key.lower()] = key
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[str(label).strip().lower()] = key
    return names


@dataclass
class Parsed:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def _label(kind: str, key: str) -> str:
    columns = FEATURE_PROPERTIES if kind == Kind.BOUNDARIES else COLUMNS[kind]
    return next((str(label) for k, label, _r in columns if k == key), key)


def parse(kind: str, data: bytes, filename: str) -> Parsed:
    """The file's rows as plain values keyed by column (``row`` is the spreadsheet's row number,
    the feature's number in GeoJSON), with the errors a row shows on its own."""
    _check_kind(kind)
    if kind == Kind.BOUNDARIES:
        return _parse_geojson(data)
    table = read_table(data, filename)
    parsed = Parsed()
    names = _header_map(kind)
    header = next(table, None)
    if header is None:
        raise ValidationFailed.for_field("file", _("文件是空的。"))
    positions = {names[_text(h).lower()]: i for i, h in enumerate(header[1]) if _text(h).lower() in names}
    unknown = [_text(h) for h in header[1] if _text(h) and _text(h).lower() not in names]
    if unknown:  # a misnamed column would otherwise be dropped without a word
        raise ValidationFailed.for_field("file", _("无法识别的列：%(unknown)s。可用的列：%(columns)s。") % {
            "unknown": "、".join(unknown), "columns": "、".join(headers(kind))})
    missing = [str(label) for key, label, required in COLUMNS[kind] if required and key not in positions]
    if missing:
        raise ValidationFailed.for_field("file", _("缺少必填列：%(columns)s。请使用模板的表头。") % {
            "columns": "、".join(missing)})
    passwords: dict[str, str] = {}
    for number, values in table:
        cells = {key: _text(values[i]) if i < len(values) else "" for key, i in positions.items()}
        if not any(cells.values()):
            continue
        if len(parsed.rows) >= MAX_ROWS:
            raise ValidationFailed.for_field("file", _("一个文件最多 %(n)d 行，请分成几个文件导入。") % {"n": MAX_ROWS})
        row = {"row": number, **cells}
        for key, label, required in COLUMNS[kind]:
            if required and not cells.get(key):
                parsed.errors.append({"row": number, "column": str(label), "message": _("必填。")})
        if kind == Kind.ACCOUNTS:
            _hash_password(row, passwords, parsed.errors)
        parsed.rows.append(row)
    return parsed


def _hash_password(row: dict[str, Any], hashes: dict[str, str], errors: list[dict[str, Any]]) -> None:
    """Keep an initial password only as its hash (one hash per distinct password: hashing is slow
    on purpose, and an office often gives every new account the same one)."""
    password = row.pop("password", "")
    if not password:
        return
    try:
        password_validation.validate_password(password)
    except ValidationError as exc:
        errors.append({"row": row["row"], "column": _label(Kind.ACCOUNTS, "password"),
                       "message": " ".join(exc.messages)})
        return
    if password not in hashes:
        hashes[password] = make_password(password)
    row["password_hash"] = hashes[password]


def _parse_geojson(data: bytes) -> Parsed:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed.for_field("file", _("无法读取该文件，请上传 GeoJSON（UTF-8 编码的 JSON）。")) from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(
            document.get("features"), list):
        raise ValidationFailed.for_field("file", _("GeoJSON 必须是 FeatureCollection。"))
    parsed = Parsed()
    names = _header_map(Kind.BOUNDARIES)
    for number, feature in enumerate(document["features"], start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            parsed.errors.append({"row": number, "column": "properties", "message": _("要素缺少 properties。")})
            continue
        row: dict[str, Any] = {"row": number}
        for name, value in properties.items():
            if str(name).strip().lower() in names:
                row[names[str(name).strip().lower()]] = _text(value)
        if not row.get("code"):
            parsed.errors.append({"row": number, "column": _label(Kind.BOUNDARIES, "code"), "message": _("必填。")})
        try:
            row["boundary"] = polygon_coordinates(feature.get("geometry"))
        except ValueError as exc:
            parsed.errors.append({"row": number, "column": "geometry", "message": str(exc)})
        parsed.rows.append(row)
    return parsed


def polygon_coordinates(geometry: Any) -> list[list[list[float]]]:
    """A GeoJSON Polygon's (or one-part MultiPolygon's) coordinates, checked: closed rings of at
    least four [longitude, latitude] positions in range, a valid polygon (no self-intersection).
    Raises ValueError with the reason in the user's language."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError(_("几何类型必须是 Polygon（多边形）。"))
    coordinates = geometry.get("coordinates")
    if geometry["type"] == "MultiPolygon":
        if not isinstance(coordinates, list) or len(coordinates) != 1:
            raise ValueError(_("MultiPolygon 只能包含一个多边形；请把各部分分成不同的网格或楼栋。"))
        coordinates = coordinates[0]
    if not isinstance(coordinates, list) or not coordinates:
        raise ValueError(_("多边形没有坐标。"))
    rings = []
    for ring in coordinates:
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValueError(_("每个环至少要有 4 个点（首尾相同）。"))
        points = []
        for point in ring:
            if (not isinstance(point, list | tuple) or len(point) < 2
                    or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point[:2])):
                raise ValueError(_("坐标必须是 [经度, 纬度] 数字。"))
            lng, lat = float(point[0]), float(point[1])
            if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                raise ValueError(_("坐标超出范围：[%(lng)s, %(lat)s]（应为 [经度, 纬度]，WGS-84）。") % {
                    "lng": point[0], "lat": point[1]})
            points.append([round(lng, 7), round(lat, 7)])
        if points[0] != points[-1]:
            raise ValueError(_("环没有闭合：最后一个点必须与第一个点相同。"))
        rings.append(points)
    from shapely.geometry import Polygon
    from shapely.validation import explain_validity

    polygon = Polygon(rings[0], rings[1:])
    if not polygon.is_valid:
        raise ValueError(_("多边形无效：%(reason)s。") % {"reason": explain_validity(polygon)})
    if polygon.area == 0:
        raise ValueError(_("多边形面积为零。"))
    return rings


# --- the national division codes -------------------------------------------------------

def code_problem(kind: str, code: str, parent: Region | None) -> str:
    """Why ``code`` is not a proper code for a region of ``kind`` under ``parent`` ("" when it is):
    six-digit GB/T 2260 codes for provinces, cities and districts, twelve-digit statistical codes
    for streets and communities, each beginning with its parent's digits; grids and buildings
    carry a local code of letters, digits, "-", "_" and "."."""
    six, twelve = re.fullmatch(r"\d{6}", code), re.fullmatch(r"\d{12}", code)
    national = parent is not None and re.fullmatch(r"\d{6}|\d{12}", parent.code)
    if kind in (Region.Kind.PROVINCE, Region.Kind.CITY, Region.Kind.DISTRICT):
        if not six or code[:2] not in PROVINCE_PREFIXES:
            return _("应为六位行政区划代码（GB/T 2260），如 110101。")
        if kind == Region.Kind.PROVINCE and code[2:] != "0000":
            return _("省级代码以 0000 结尾，如 110000。")
        if kind == Region.Kind.CITY and (code[4:] != "00" or code[2:4] == "00"):
            return _("市级代码以 00 结尾、第三四位不为 00，如 110100。")
        if kind == Region.Kind.DISTRICT and code[4:] == "00":
            return _("区县代码的最后两位不为 00，如 110101。")
        if national and kind == Region.Kind.CITY and code[:2] != parent.code[:2]:
            return _("市级代码的前两位应与所属省级代码相同。")
        if national and kind == Region.Kind.DISTRICT and code[:4] != parent.code[:4]:
            return _("区县代码的前四位应与所属市级代码相同。")
        return ""
    if kind in (Region.Kind.STREET, Region.Kind.COMMUNITY):
        if not twelve or code[:2] not in PROVINCE_PREFIXES:
            return _("应为十二位统计用区划代码，如 110101001001。")
        if kind == Region.Kind.STREET and (code[9:] != "000" or code[6:9] == "000"):
            return _("街道/乡镇代码的第七至九位不为 000、最后三位为 000，如 110101001000。")
        if kind == Region.Kind.COMMUNITY and code[9:] == "000":
            return _("社区/村代码的最后三位不为 000，如 110101001001。")
        if national and kind == Region.Kind.STREET and code[:6] != parent.code[:6]:
            return _("街道/乡镇代码的前六位应与所属区县代码相同。")
        if national and kind == Region.Kind.COMMUNITY and code[:9] != parent.code[:9]:
            return _("社区/村代码的前九位应与所属街道代码相同。")
        return ""
    if not _FREE_CODE.fullmatch(code):
        return _("编码只能由字母、数字和 - _ . 组成，最长 40 个字符。")
    return ""


def _choice(value: str, choices, words: dict[str, str] | None = None) -> str | None:
    """A choice by its code, its Chinese or English label, or a common word for it."""
    text = value.strip()
    if text in choices.values:
        return text
    for choice in choices:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                if text.lower() == str(choice.label).lower():
                    return choice.value
    return (words or {}).get(text)


def _flag(value: str) -> bool | None:
    """Yes/no cells; None when the cell says neither (blank means yes)."""
    text = value.strip().lower()
    if not text or text in _YES:
        return True
    return False if text in _NO else None


# --- running the rows against the database ---------------------------------------------

class _Rollback(Exception):
    pass


@dataclass
class Outcome:
    errors: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c["action"] == action)


class _Run:
    def __init__(self, kind: str, paths: list[str], outcome: Outcome):
        self.kind, self.paths, self.outcome = kind, paths, outcome

    def error(self, row: dict, key: str, message: str) -> None:
        self.outcome.errors.append({"row": row["row"], "column": _label(self.kind, key), "message": str(message)})

    def change(self, row: dict, key: str, action: str, fields: list[str] = ()) -> None:
        self.outcome.changes.append({"row": row["row"], "key": key, "action": action, "fields": list(fields)})

    def inside(self, region: Region) -> bool:
        return inside(self.paths, region.path)

    def region(self, row: dict, key: str, kinds=None) -> Region | None:
        code = row.get(key, "")
        region = Region.objects.filter(code=code).first()
        if region is None:
            self.error(row, key, _("区域“%(code)s”不存在。") % {"code": code})
        elif not self.inside(region):
            self.error(row, key, _("“%(code)s”不在你的管辖范围内。") % {"code": code})
        elif kinds and region.kind not in kinds:
            self.error(row, key, _("“%(code)s”应为%(kinds)s。") % {
                "code": code, "kinds": "/".join(str(Region.Kind(k).label) for k in kinds)})
        else:
            return region
        return None

    def unit(self, row: dict, key: str, *, scoped: bool = True) -> Unit | None:
        code = row.get(key, "")
        unit = Unit.objects.select_related("region").filter(code=code).first()
        if unit is None:
            self.error(row, key, _("单位“%(code)s”不存在（上级须已存在或在前面的行中）。") % {"code": code})
        elif scoped and not self.inside(unit.region):
            self.error(row, key, _("“%(code)s”不在你的管辖范围内。") % {"code": code})
        else:
            return unit
        return None


def _update(obj, values: dict[str, Any]) -> list[str]:
    """Set ``values`` on ``obj``; the names of the fields that changed, as the preview shows them."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name, None) != value:  # a new row has no related object yet
            setattr(obj, name, value)
            # first_name holds the whole name the pages show (as in the demo's accounts)
            changed.append(str(_("姓名") if name == "first_name" else obj._meta.get_field(name).verbose_name))
    return changed


def _decimal(run: _Run, row: dict, key: str, low: int, high: int) -> Decimal | None:
    text = row.get(key, "")
    if not text:
        return None
    try:
        value = Decimal(text).quantize(Decimal("0.000001"))
    except InvalidOperation:
        run.error(row, key, _("应为数字。"))
        return None
    if not low <= value <= high:
        run.error(row, key, _("应在 %(low)d 到 %(high)d 之间。") % {"low": low, "high": high})
        return None
    return value


def _valid(run: _Run, row: dict, obj, exclude: list[str]) -> bool:
    """The model's own checks (lengths, choices, the tree's levels), reported on the row."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            run.error(row, "code" if key == "__all__" else key, " ".join(messages))
        return False
    return True


def _save_region(run: _Run, row: dict, kind: str, *, national: bool, extra: dict[str, Any]) -> Region | None:
    """Create or update the region of one row (regions file, or a boundary for a new grid)."""
    code, name = row.get("code", ""), row.get("name", "")
    existing = Region.objects.filter(code=code).first()
    parent = None
    if existing is not None and existing.parent_id and row.get("parent") == existing.parent.code:
        parent = existing.parent  # unchanged: the top of a territory keeps its parent outside it
    elif row.get("parent"):
        parent = run.region(row, "parent")
        if parent is None:
            return None
    elif kind not in Region.ROOT_KINDS:
        run.error(row, "parent", _("%(kind)s必须有上级。") % {"kind": Region.Kind(kind).label})
        return None
    elif EVERYWHERE not in run.paths:
        run.error(row, "parent", _("只有全域管理员可以导入最上级的区域。"))
        return None
    problem = code_problem(kind, code, parent) if national or kind in (Region.Kind.GRID, Region.Kind.BUILDING) else ""
    if problem:
        run.error(row, "code", problem)
        return None
    if existing is not None:
        if not run.inside(existing):
            run.error(row, "code", _("“%(code)s”不在你的管辖范围内。") % {"code": code})
            return None
        if existing.kind != kind:
            run.error(row, "kind", _("“%(code)s”已是%(kind)s，不能改变层级。") % {
                "code": code, "kind": existing.get_kind_display()})
            return None
        region = existing
    else:
        region = Region(code=code, kind=kind)
    changed = _update(region, {"name": name, "parent": parent, **extra})
    if not _valid(run, row, region, ["path", "depth"]):
        return None
    if existing is None or changed:
        region.save()
    run.change(row, code, "create" if existing is None else ("update" if changed else "same"), changed)
    return region


def _run_regions(run: _Run, rows: list[dict]) -> None:
    kinds = {}
    for row in rows:
        kind = _choice(row.get("kind", ""), Region.Kind, _REGION_WORDS)
        if kind is None:
            run.error(row, "kind", _("未知的层级“%(value)s”。") % {"value": row.get("kind", "")})
        kinds[row["row"]] = kind
    # Parents before children, whatever the file's order.
    for row in sorted((r for r in rows if kinds[r["row"]]), key=lambda r: Region.KIND_ORDER.index(kinds[r["row"]])):
        if not row.get("code") or not row.get("name"):
            continue
        latitude = _decimal(run, row, "latitude", -90, 90)
        longitude = _decimal(run, row, "longitude", -180, 180)
        extra: dict[str, Any] = {"aliases": row.get("aliases", "")}
        if latitude is not None:
            extra["latitude"] = latitude
        if longitude is not None:
            extra["longitude"] = longitude
        _save_region(run, row, kinds[row["row"]], national=True, extra=extra)


def _run_boundaries(run: _Run, rows: list[dict]) -> None:
    from shapely.geometry import Polygon

    for row in rows:
        if not row.get("code") or "boundary" not in row:
            continue
        centre = Polygon(row["boundary"][0], row["boundary"][1:]).representative_point()
        existing = Region.objects.filter(code=row["code"]).first()
        if existing is None and not (row.get("name") and row.get("kind") and row.get("parent")):
            run.error(row, "code", _("区域“%(code)s”不存在；新建网格或楼栋时请同时给出名称、层级和上级代码。") % {
                "code": row["code"]})
            continue
        kind = existing.kind if existing else _choice(row["kind"], Region.Kind, _REGION_WORDS)
        if kind is None:
            run.error(row, "kind", _("未知的层级“%(value)s”。") % {"value": row.get("kind", "")})
            continue
        if existing is not None:
            if not run.inside(existing):
                run.error(row, "code", _("“%(code)s”不在你的管辖范围内。") % {"code": row["code"]})
                continue
            values: dict[str, Any] = {"boundary": row["boundary"]}
            if row.get("name"):
                values["name"] = row["name"]
            if existing.latitude is None:
                values["latitude"] = Decimal(str(round(centre.y, 6)))
                values["longitude"] = Decimal(str(round(centre.x, 6)))
            changed = _update(existing, values)
            if changed:
                existing.save()
            run.change(row, row["code"], "update" if changed else "same", changed)
            continue
        if kind not in (Region.Kind.GRID, Region.Kind.BUILDING):
            run.error(row, "kind", _("边界文件只能新建网格或楼栋；其他区域请先用区域模板导入。"))
            continue
        _save_region(run, row, kind, national=False, extra={
            "boundary": row["boundary"], "latitude": Decimal(str(round(centre.y, 6))),
            "longitude": Decimal(str(round(centre.x, 6)))})


def _run_units(run: _Run, rows: list[dict]) -> None:
    for row in rows:
        if not all(row.get(k) for k in ("code", "name", "kind", "region")):
            continue
        kind = _choice(row["kind"], Unit.Kind)
        if kind is None:
            run.error(row, "kind", _("未知的单位类型“%(value)s”。") % {"value": row["kind"]})
            continue
        region = run.region(row, "region", UNIT_REGION_KINDS.get(kind))
        parent = run.unit(row, "parent", scoped=False) if row.get("parent") else None
        active = _flag(row.get("active", ""))
        if active is None:
            run.error(row, "active", _("请填“是”或“否”。"))
        if row.get("phone") and not _PHONE.fullmatch(row["phone"]):
            run.error(row, "phone", _("电话只能包含数字、+、-、括号和空格。"))
            continue
        if region is None or active is None or (row.get("parent") and parent is None):
            continue
        existing = Unit.objects.filter(code=row["code"]).select_related("region").first()
        if existing is not None and not run.inside(existing.region):
            run.error(row, "code", _("“%(code)s”不在你的管辖范围内。") % {"code": row["code"]})
            continue
        if parent is not None and existing is not None and parent.path.startswith(existing.path or "\0"):
            run.error(row, "parent", _("不能把单位放到它自己的下级之下。"))
            continue
        unit = existing or Unit(code=row["code"])
        changed = _update(unit, {"name": row["name"], "kind": kind, "region": region, "parent": parent,
                                 "phone": row.get("phone", ""), "active": active})
        if not _valid(run, row, unit, ["path", "depth"]):
            continue
        if existing is None or changed:
            unit.save()
        run.change(row, row["code"], "create" if existing is None else ("update" if changed else "same"), changed)


_IMPORTABLE_ROLES = [r for r in Role if r != Role.RESIDENT]


def _run_accounts(run: _Run, rows: list[dict]) -> None:
    users = get_user_model()
    validate_username = UnicodeUsernameValidator()
    for row in rows:
        if not all(row.get(k) for k in ("username", "name", "unit", "role")):
            continue
        username = row["username"]
        try:
            validate_username(username)
        except ValidationError as exc:
            run.error(row, "username", " ".join(exc.messages))
            continue
        role = _choice(row["role"], Role)
        if role is None or role == Role.RESIDENT:
            run.error(row, "role", _("未知的角色“%(value)s”（居民用手机号登录，不导入账号）。") % {
                "value": row["role"]})
            continue
        unit = run.unit(row, "unit")
        region = run.region(row, "region") if row.get("region") else None
        active = _flag(row.get("active", ""))
        if active is None:
            run.error(row, "active", _("请填“是”或“否”。"))
        if unit is None or active is None or (row.get("region") and region is None):
            continue
        if region is not None and not region.path.startswith(unit.region.path):
            run.error(row, "region", _("负责区域必须在单位所在区域之内。"))
            continue
        user = users.objects.filter(username=username).first()
        if user is not None:
            if user.is_superuser:
                run.error(row, "username", _("不能通过导入修改超级管理员账号。"))
                continue
            if EVERYWHERE not in run.paths and user.memberships.exclude(
                    unit__region__path__regex="^(" + "|".join(re.escape(p) for p in run.paths) + ")").exists():
                run.error(row, "username", _("用户名“%(name)s”已被辖区外的账号使用。") % {"name": username})
                continue
        created = user is None
        if created:
            user = users(username=username, password=row.get("password_hash") or make_password(None))
        changed = _update(user, {"first_name": row["name"][:150]})
        if created or changed:
            user.save()
        membership = Membership.objects.filter(user=user, unit=unit, role=role).first()
        new_membership = membership is None
        membership = membership or Membership(user=user, unit=unit, role=role)
        changed += _update(membership, {"region": region, "active": active})
        if new_membership or changed:
            membership.save()
            forget_grants(user)
        fields = changed + ([str(_("角色"))] if new_membership and not created else [])
        key = f"{username} · {unit.code} · {role}"
        run.change(row, key, "create" if created else ("update" if fields else "same"), fields)


def _run_catalogue(run: _Run, rows: list[dict]) -> None:
    policies = list(TimeLimitPolicy.objects.all())
    for row in rows:
        if not row.get("category") or not row.get("unit"):
            continue
        category = (Category.objects.filter(code=row["category"], active=True).first()
                    or Category.objects.filter(name=row["category"], active=True).order_by("path").first())
        if category is None:
            run.error(row, "category", _("诉求分类“%(code)s”不存在或已停用。") % {"code": row["category"]})
        region = run.region(row, "region") if row.get("region") else None
        if not row.get("region") and EVERYWHERE not in run.paths:
            run.error(row, "region", _("请填写区域代码：只有全域管理员可以设不分区域的规则。"))
            continue
        unit = run.unit(row, "unit", scoped=False)
        if unit is not None and not unit.active:
            run.error(row, "unit", _("单位“%(code)s”已停用。") % {"code": row["unit"]})
            unit = None
        policy = None
        if row.get("time_limit"):
            text = row["time_limit"]
            policy = next((p for p in policies if text in (p.code, p.name, p.name_en, str(p))), None)
            if policy is None:
                run.error(row, "time_limit", _("未知的办理时限“%(value)s”；可填：%(choices)s。") % {
                    "value": text, "choices": "、".join(p.name for p in policies)})
                continue
        if category is None or unit is None or (row.get("region") and region is None):
            continue
        rule = DispatchRule.objects.filter(category=category, region=region).first()
        created = rule is None
        rule = rule or DispatchRule(category=category, region=region)
        changed = _update(rule, {"unit": unit, "time_limit": policy})
        if created or changed:
            rule.save()
        key = f"{category.code} · {region.code if region else _('全域')}"
        run.change(row, key, "create" if created else ("update" if changed else "same"), changed)


_RUNNERS = {Kind.REGIONS: _run_regions, Kind.BOUNDARIES: _run_boundaries, Kind.UNITS: _run_units,
            Kind.ACCOUNTS: _run_accounts, Kind.CATALOGUE: _run_catalogue}


def run(kind: str, rows: list[dict], paths: list[str], *, dry_run: bool,
        errors: list[dict] | None = None) -> Outcome:
    """Check and write ``rows`` in one transaction; roll it all back on a dry run or when any row
    (``errors``: the file's own, from ``parse``) has an error."""
    _check_kind(kind)
    if not paths:
        raise PermissionDenied(_("只有管理员可以导入开通数据。"))
    outcome = Outcome(errors=list(errors or []))
    bad_rows = {e["row"] for e in outcome.errors}
    try:
        with transaction.atomic():
            _RUNNERS[kind](_Run(kind, paths, outcome), [r for r in rows if r["row"] not in bad_rows])
            if dry_run or outcome.errors:
                raise _Rollback
    except _Rollback:
        pass
    outcome.errors.sort(key=lambda e: e["row"])
    outcome.changes.sort(key=lambda c: c["row"])
    return outcome


def import_file(kind: str, data: bytes, filename: str, paths: list[str], *, dry_run: bool) -> Outcome:
    """``parse`` then ``run``: what the command line does."""
    parsed = parse(kind, data, filename)
    return run(kind, parsed.rows, paths, dry_run=dry_run, errors=parsed.errors)


# --- the staff pages' two steps ---------------------------------------------------------

def preview(actor, kind: str, data: bytes, filename: str) -> SetupImport:
    """Parse and dry-run an upload; keep its rows (never the file: no plain password) for ``apply``."""
    paths = territory_paths(actor)
    if not paths:
        raise PermissionDenied(_("只有管理员可以导入开通数据。"))
    parsed = parse(kind, data, filename)
    outcome = run(kind, parsed.rows, paths, dry_run=True, errors=parsed.errors)
    return SetupImport.objects.create(
        kind=kind, filename=filename[:200], uploaded_by=actor, rows=parsed.rows, errors=outcome.errors,
        changes=outcome.changes, created_at=clock.now())


def apply(actor, import_id: int) -> SetupImport:
    """Write a previewed upload whole, checked again against the database as it is now; refused
    whole (with the rows' errors kept for the page) when any row has an error."""
    paths = territory_paths(actor)
    if not paths:
        raise PermissionDenied(_("只有管理员可以导入开通数据。"))
    with transaction.atomic():
        batch = SetupImport.objects.select_for_update().filter(pk=import_id, uploaded_by=actor).first()
        if batch is None:
            raise NotFound(_("导入记录不存在。"))
        if batch.status != SetupImport.Status.PREVIEWED:
            raise ValidationFailed.for_field("import", _("该文件已经导入过了。"))
        outcome = run(batch.kind, batch.rows, paths, dry_run=False)
        batch.errors, batch.changes = outcome.errors, outcome.changes
        if not outcome.errors:
            batch.status, batch.applied_at, batch.rows = SetupImport.Status.APPLIED, clock.now(), []
        batch.save(update_fields=["errors", "changes", "status", "applied_at", "rows"])
    if outcome.errors:
        raise ValidationFailed.for_field("import", _("有 %(n)d 行数据有错误，本次没有导入任何数据。") % {
            "n": len({e["row"] for e in outcome.errors})})
    return batch
