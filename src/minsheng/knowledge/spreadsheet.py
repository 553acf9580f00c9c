"""Articles to and from Excel: the export of the list, and an import that writes drafts.

An import is all-or-nothing: every row goes through the same services as the editor
(``create_article`` / ``update_article``) inside one transaction; a dry run, or any row refused,
rolls the whole transaction back and lists each refused row with its reason.  Imported rows are
drafts: the centre still approves what is published.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core.errors import MinshengError, ValidationFailed
from minsheng.grids.registers import read_workbook

from . import services
from .models import Article

MAX_ROWS = 2000
# (key, header): the export's columns, which the import reads back by their headers.
COLUMNS = [
    ("id", gettext_lazy("编号")), ("title", gettext_lazy("标题")), ("answer", gettext_lazy("答复口径")),
    ("materials", gettext_lazy("一次性告知材料")), ("where_when", gettext_lazy("办理地点和时间")),
    ("legal_basis", gettext_lazy("政策依据")), ("category", gettext_lazy("分类编码")),
    ("regions", gettext_lazy("适用区域编码")), ("owner_unit", gettext_lazy("维护单位编码")),
    ("expert_seat", gettext_lazy("专家座席")), ("review_by", gettext_lazy("复审日期")),
    ("status", gettext_lazy("状态")), ("version", gettext_lazy("当前版本")),
]
YES = frozenset({"是", "yes", "y", "true", "1", "√"})


def headers() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


def export_rows(articles) -> Any:
    for a in articles.select_related("category", "owner_unit", "current").prefetch_related("regions"):
        yield [a.pk, a.title, a.answer, a.materials, a.where_when, a.legal_basis,
               a.category.code if a.category else "", " ".join(r.code for r in a.regions.all()),
               a.owner_unit.code, _("是") if a.expert_seat else _("否"), a.review_by, a.get_status_display(),
               a.current.number if a.current else ""]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row as Excel numbers it, reason)
    dry_run: bool = False

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.errors


class _Rollback(Exception):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        return None


def _row_fields(row: dict[str, Any]) -> dict[str, Any]:
    review_by = _date(row.get("review_by"))
    if review_by is None:
        raise ValidationFailed.for_field("review_by", _("复审日期应为 YYYY-MM-DD 格式的日期。"))
    return {"title": _text(row.get("title")), "answer": _text(row.get("answer")),
            "materials": _text(row.get("materials")), "where_when": _text(row.get("where_when")),
            "legal_basis": _text(row.get("legal_basis")), "category": _text(row.get("category")) or None,
            "regions": _text(row.get("regions")).split(), "owner_unit": _text(row.get("owner_unit")),
            "expert_seat": _text(row.get("expert_seat")).lower() in YES, "review_by": review_by}


def import_articles(actor, file, *, dry_run: bool = False) -> ImportResult:
    """Read ``file`` (.xlsx, the export's columns) and write every row as a draft, or none."""
    rows = read_workbook(file)
    try:
        _number, header = next(rows)
    except StopIteration:
        raise ValidationFailed.for_field("file", _("文件是空的。")) from None
    by_label = {label: key for key, label in ((k, str(lbl)) for k, lbl in COLUMNS)}
    keys = [by_label.get(_text(h)) for h in header]
    missing = [str(label) for key, label in COLUMNS if key in ("title", "answer", "owner_unit", "review_by")
               and key not in keys]
    if missing:
        raise ValidationFailed.for_field("file", _("缺少列：%(columns)s。") % {"columns": "、".join(missing)})
    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            for number, values in rows:
                if number > MAX_ROWS + 1:
                    raise ValidationFailed.for_field("file", _("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS})
                row = {key: value for key, value in zip(keys, values, strict=False) if key}
                if not any(_text(v) for v in row.values()):
                    continue  # a blank line
                try:
                    with transaction.atomic():
                        fields = _row_fields(row)
                        pk = _text(row.get("id"))
                        if pk:
                            if not pk.isdigit() or not Article.objects.filter(pk=pk).exists():
                                raise ValidationFailed.for_field("id", _("编号“%(id)s”的文章不存在。") % {"id": pk})
                            services.update_article(actor, int(pk), **fields)
                            result.updated += 1
                        else:
                            services.create_article(actor, **fields)
                            result.created += 1
                except MinshengError as exc:
                    reasons = [e for errors in exc.field_errors.values() for e in errors] or [exc.message]
                    result.errors.append((number, "；".join(reasons)))
            if dry_run or result.errors:
                raise _Rollback
    except _Rollback:
        pass
    return result
