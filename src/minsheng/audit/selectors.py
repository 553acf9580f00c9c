"""Reading the audit log for the auditors' page and its export, and a change's values as a history
page shows them."""

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import BooleanField, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of

from .models import AuditEntry
from .signals import value_labels

# 等保 2.0's audit administrator reads the log; the system administrators it records do not.
AUDIT_READERS = frozenset({Role.AUDITOR})


def may_read_audit_log(user) -> bool:
    return user.is_authenticated and bool(roles_of(user) & AUDIT_READERS)


@dataclass(frozen=True)
class AuditFilter:
    kind: str = ""
    username: str = ""
    start: date | None = None
    end: date | None = None  # inclusive


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(wanted: AuditFilter) -> QuerySet[AuditEntry]:
    """The entries matching ``wanted``, newest first (dates are days in the site's time zone)."""
    entries = AuditEntry.objects.all()
    if wanted.kind:
        entries = entries.filter(kind=wanted.kind)
    if wanted.username:
        entries = entries.filter(username__icontains=wanted.username)
    if wanted.start:
        entries = entries.filter(at__gte=_day_start(wanted.start))
    if wanted.end:
        entries = entries.filter(at__lt=_day_start(wanted.end + timedelta(days=1)))
    return entries.order_by("-at", "-pk")


@functools.lru_cache(maxsize=512)
def _labels_of(object_type: str, attname: str) -> dict[str, object]:
    """Code → label and stored (site-language) label → label for a field with labels; {} for any
    other field or an object type no longer known."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return {}
    field = next((f for f in model._meta.concrete_fields if f.attname == attname), None)
    if field is None:
        return {}
    if isinstance(field, BooleanField):  # stored as 是/否 (signals._readable)
        return {"是": gettext_lazy("是"), "否": gettext_lazy("否")}
    known: dict[str, object] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for code, label in value_labels(field).items():
            known[str(code)] = label
            known[str(label)] = label
    return known


def shown_value(object_type: str | None, attname: str, text: str) -> str:
    """A stored before/after value in the reader's language: codes and labels of a field with
    labels (a choice, a list of services) read as their labels — entries written in Chinese, or
    with codes before the labels were recorded, read in English for an English reader.  Any
    other value is shown as stored."""
    known = _labels_of(object_type or "", attname) if text else {}
    if not known:
        return text
    if text in known:
        return str(known[text])
    separator = "、" if (translation.get_language() or "zh").startswith("zh") else ", "
    return separator.join(str(known.get(part.strip(), part.strip())) for part in re.split(r"[、,]", text))
