"""Reading the audit log for the auditors' page and its export."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of

from .models import AuditEntry

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
