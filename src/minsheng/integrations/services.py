"""API keys and the once-only create that integrations rely on."""

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from minsheng.core import clock, versioned
from minsheng.core.errors import MinshengError, OutOfScope, PermissionDenied, ValidationFailed, VersionConflict
from minsheng.demands.models import Demand
from minsheng.demands.workflow import TRANSITIONS
from minsheng.organisation.models import Region

from .models import ApiKey, IdempotencyRecord

READ = "read"
REGISTER = "register"
# What a key can be allowed to do: read, register, and every workflow transition.
KEY_ACTIONS = frozenset({READ, REGISTER, *TRANSITIONS})
_KEY_START = "ms_"


class IdempotencyKeyReused(MinshengError):
    """The same Idempotency-Key came back with a different request."""

    code = "idempotency_key_reused"
    status = 422


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_key(*, name: str, user, region: Region, actions: list[str], rate_per_minute: int = 600
                   ) -> tuple[ApiKey, str]:
    """Make a key; the secret is returned once and only its hash is kept."""
    unknown = sorted(set(actions) - KEY_ACTIONS)
    if unknown:
        raise ValidationFailed.for_field("actions", _("未知的操作“%(action)s”。") % {"action": unknown[0]})
    prefix = secrets.token_hex(4)
    raw = f"{_KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(name=name, prefix=prefix, secret_hash=_digest(raw), user=user, region=region,
                                actions=sorted(set(actions)), rate_per_minute=rate_per_minute)
    return key, raw


def authenticate_api_key(raw: str | None) -> ApiKey | None:
    """The active key whose secret this is, or None."""
    if not raw or not raw.startswith(_KEY_START) or len(raw) > 200:
        return None
    prefix = raw[len(_KEY_START):].partition("_")[0]
    # This process's copy of the key with its account and region (and, once asked, the account's
    # grants): reloaded when any of those changes (core.versioned; watched in apps.py).
    key = versioned.cached(("api-key", prefix), lambda: ApiKey.objects.select_related("user", "region").filter(
        prefix=prefix, active=True).first())
    if key is None or not key.user.is_active or not hmac.compare_digest(key.secret_hash, _digest(raw)):
        return None
    now = clock.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)  # at most once a minute: no write per call
        key.last_used_at = now
    return key


def check_key_allows(key: ApiKey | None, action: str, region: Region | None = None) -> None:
    """A key may only do what it was given, and only in its region (a session user is
    limited by their own roles and scope alone)."""
    if key is None:
        return
    if not key.allows(action):
        raise PermissionDenied(_("该接口密钥未被授权执行“%(action)s”。") % {"action": action})
    if region is not None and not region.path.startswith(key.region.path):
        raise OutOfScope(_("该接口密钥只能处理“%(region)s”范围内的诉求。") % {"region": key.region.name})


def apply_with_current_version(apply: Callable[[int], Demand], demand_id: int, attempts: int = 3) -> Demand:
    """For callers that add to a demand's history without having read it (another system's
    update): take the version as it is now, and try again if someone moved it meanwhile."""
    for attempt in range(attempts):
        version = Demand.objects.filter(pk=demand_id).values_list("version", flat=True).first()
        try:
            return apply(version or 0)
        except VersionConflict:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def request_hash(data: Any) -> str:
    return _digest(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str))


def create_once[T](owner: str, idempotency_key: str | None, fingerprint: str,
                   create: Callable[[], T], render: Callable[[T], Any], *, reused_message: str | None = None
                   ) -> tuple[Any, bool]:
    """Run ``create`` at most once per (owner, key): the first answer is stored in the same
    transaction as what it created, and a retry gets it back (``replayed`` True).  Two retries at
    the same instant: one creates, the other waits on the key's unique index (PostgreSQL) or
    the write lock (SQLite) and then reads the first answer."""
    if not idempotency_key:
        return render(create()), False
    check_idempotency_key(idempotency_key)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(owner=owner, key=idempotency_key, request_hash=fingerprint,
                                                          status=0, body={})
        except IntegrityError:
            record = None
        if record is None:
            return _replay(owner, idempotency_key, fingerprint, reused_message), True
        created = create()
        body = render(created)
        record.status, record.body = 201, body
        record.demand = created if isinstance(created, Demand) else None
        record.save(update_fields=["status", "body", "demand"])
    return body, False


def check_idempotency_key(idempotency_key: str) -> None:
    if len(idempotency_key) > 255 or not idempotency_key.isprintable():
        raise ValidationFailed.for_field("Idempotency-Key", _("Idempotency-Key 须为不超过255个可见字符。"))


def remembered_answer(owner: str, idempotency_key: str, fingerprint: str, *, reused_message: str | None = None
                      ) -> Any | None:
    """The answer stored for this (owner, key), or None when there is none yet (a create that
    checks this first must still store its answer with ``remember_answer`` in its transaction,
    whose unique index refuses a second one)."""
    if not IdempotencyRecord.objects.filter(owner=owner, key=idempotency_key).exists():
        return None
    return _replay(owner, idempotency_key, fingerprint, reused_message)


def remember_answer(owner: str, idempotency_key: str, fingerprint: str, body: Any, created: Any) -> None:
    """Store the first answer of a create, inside the transaction that created ``created``;
    raises IntegrityError when another request stored one for the key first."""
    IdempotencyRecord.objects.create(owner=owner, key=idempotency_key, request_hash=fingerprint, status=201,
                                     body=body, demand=created if isinstance(created, Demand) else None)


def _replay(owner: str, idempotency_key: str, fingerprint: str, reused_message: str | None) -> Any:
    record = IdempotencyRecord.objects.get(owner=owner, key=idempotency_key)
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused(reused_message or _("这个 Idempotency-Key 已用于另一个不同的请求。"))
    return record.body
