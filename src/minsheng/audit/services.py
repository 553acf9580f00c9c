"""Writing the audit log, and the one way rows leave it: the purge after the retention."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .context import Actor, actor
from .models import AuditEntry

DETAIL_LIMIT = 4000


def record(kind: str, *, action: str = "", target: str = "", detail: str = "", who: Actor | None = None,
           user=None, username: str | None = None, at: datetime | None = None, object_type: str | None = None,
           object_id: str | None = None, changes: list[dict] | None = None,
           region_path: str | None = None) -> AuditEntry:
    """Append one entry.  ``who`` defaults to the current request's account and address; ``user``
    and ``username`` name the account concerned when it is not the signed-in one (a failed
    sign-in names the username typed; a sign-out the account leaving).  A configuration change
    also names its object (``object_type`` is the model's label, ``object_id`` its key), the
    fields before and after (``changes``) and the region path it lies in, for the history pages."""
    who = who or actor()
    if user is None:
        user = who.user
    if username is None:
        username = user.get_username() if user is not None else who.username
    return AuditEntry.objects.create(
        kind=kind, at=at or timezone.now(), user=user, username=str(username)[:150],
        client_address=who.client_address, action=action[:100], target=target[:300],
        detail=detail[:DETAIL_LIMIT], request_id=who.request_id, object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:64], changes=changes,
        region_path=None if region_path is None else region_path[:255])


def retention_days() -> int:
    return settings.MINSHENG_AUDIT_RETENTION_DAYS


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Entries before this moment are past their retention; nothing after it may be removed."""
    return (now or timezone.now()) - timedelta(days=retention_days())


@dataclass(frozen=True)
class Purged:
    cutoff: datetime
    audit_entries: int
    personal_data_accesses: int
    axes_logs: int


def purge(*, now: datetime | None = None, dry_run: bool = False) -> Purged:
    """Remove what is older than the retention from the audit log, the personal-data access log
    and django-axes' sign-in logs (``manage.py purge_audit_log``, the scheduled job); never
    anything younger.  The audit log refuses every other delete, so this uses the raw delete."""
    from axes.models import AccessFailureLog, AccessLog

    from minsheng.people.models import PersonalDataAccess

    cutoff = retention_cutoff(now)
    old_entries = AuditEntry.objects.filter(at__lt=cutoff)
    old_accesses = PersonalDataAccess.objects.filter(at__lt=cutoff)
    old_logs = [AccessLog.objects.filter(attempt_time__lt=cutoff),
                AccessFailureLog.objects.filter(attempt_time__lt=cutoff)]
    if dry_run:
        return Purged(cutoff, old_entries.count(), old_accesses.count(), sum(q.count() for q in old_logs))
    with transaction.atomic():
        entries = old_entries._raw_delete(old_entries.db)
        accesses, _by_model = old_accesses.delete()
        logs = sum(q.delete()[0] for q in old_logs)
    return Purged(cutoff, entries, accesses, logs)
