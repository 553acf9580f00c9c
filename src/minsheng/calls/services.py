"""Call events from the phone system, and what operators do with a call.

The phone system may send events late, twice or out of order (a hang-up before the answer it
follows, over a retrying HTTP client): each event fills its own fields of the call's one record,
under a unique (phone system, call id), so a repeat changes nothing and any order gives the same
record."""

import contextlib
import functools
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from minsheng.core import clock, versioned
from minsheng.core.errors import NotFound, PermissionDenied, ValidationFailed
from minsheng.demands.models import Demand
from minsheng.integrations.services import _digest as digest_secret
from minsheng.people.validation import normalise_phone

from .models import OPERATOR_OUTCOMES, CallRecord, Outcome, PhoneSystem, Seat

NEW_CALL, ANSWER, HANGUP = "newCall", "answer", "hangup"
EVENTS = (NEW_CALL, ANSWER, HANGUP)
_TOKEN_START = "cti_"
# What phone systems send for a caller who withholds the number (CLIR).
_CONTROL = re.compile(r"[\x00-\x1f]")
WITHHELD = frozenset({"", "anonymous", "unknown", "withheld", "restricted", "private", "unavailable", "clir"})


def new_token() -> tuple[str, str, str]:
    """A fresh token: (prefix, the token shown once, the hash kept — the API keys' hash)."""
    prefix = secrets.token_hex(4)
    raw = f"{_TOKEN_START}{prefix}_{secrets.token_urlsafe(24)}"
    return prefix, raw, digest_secret(raw)


def check_addresses(addresses: list[str]) -> None:
    """Every allowed address is an IP address or network (10.0.0.5, 10.0.0.0/24, ::1)."""
    if not isinstance(addresses, list):
        raise ValidationFailed.for_field("allowed_addresses", _("请填写地址列表，如 [\"10.0.0.5\"]。"))
    for address in addresses:
        _network(str(address))


def create_phone_system(*, name: str, allowed_addresses: list[str] | None = None) -> tuple[PhoneSystem, str]:
    """Make a phone system; its token is returned once and only the hash is kept."""
    check_addresses(allowed_addresses or [])
    prefix, raw, token_hash = new_token()
    system = PhoneSystem.objects.create(name=name, prefix=prefix, token_hash=token_hash,
                                        **({"allowed_addresses": allowed_addresses} if allowed_addresses else {}))
    return system, raw


def _network(address: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(address.strip(), strict=False)
    except ValueError:
        raise ValidationFailed.for_field("allowed_addresses", _("“%(a)s”不是 IP 地址或网段。") % {"a": address}) \
            from None


def authenticate_phone_system(raw: str | None, address: str) -> PhoneSystem:
    """The active phone system this token belongs to, posting from one of its addresses; or a refusal."""
    if not raw or not raw.startswith(_TOKEN_START) or len(raw) > 200:
        raise PermissionDenied(_("缺少或无效的电话系统令牌。"))
    prefix = raw[len(_TOKEN_START):].partition("_")[0]
    system = versioned.cached(("cti-system", prefix),
                              lambda: PhoneSystem.objects.filter(prefix=prefix, active=True).first())
    if system is None or not hmac.compare_digest(system.token_hash, digest_secret(raw)):
        raise PermissionDenied(_("缺少或无效的电话系统令牌。"))
    allowed = _address_allowed(tuple(system.allowed_addresses or ("127.0.0.1", "::1")), address)
    if allowed is None:
        raise PermissionDenied(_("无法识别来源地址。"))
    if not allowed:
        raise PermissionDenied(_("来源地址 %(a)s 不在该电话系统允许的地址内。") % {"a": address})
    return system


@functools.lru_cache(maxsize=1024)
def _address_allowed(allowed: tuple[str, ...], address: str) -> bool | None:
    """Whether ``address`` lies in one of the ``allowed`` addresses or networks (None: it is no IP
    address).  A phone system posts from the same few addresses all day: the answer is kept
    rather than parsing them again for every event; the key holds the list, so a changed list is
    asked afresh."""
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return None
    return any(client in _network(a) for a in allowed)


def seat_for(system: PhoneSystem, extension: str) -> Seat | None:
    """The active seat of this extension (kept per process: every event asks)."""
    if not extension:
        return None
    seats = versioned.cached(("cti-seats", system.pk), lambda: {
        s.extension: s for s in Seat.objects.filter(phone_system=system, active=True)})
    return seats.get(extension)


@dataclass
class CallEvent:
    """One checked event: what the phone system said, in our words."""

    event: str
    call_id: str
    caller: str = ""
    caller_withheld: bool = False
    called: str = ""
    extension: str = ""
    at: datetime | None = None
    duration: int | None = None
    cause: str = ""
    recording_url: str = ""


_ALIASES = {
    "call_id": ("callId", "call_id", "callid"),
    "caller": ("from", "caller", "caller_number"),
    "called": ("to", "called", "called_number"),
    "extension": ("user", "extension", "seat", "answeringNumber"),
    "at": ("timestamp", "time", "at"),
    "duration": ("duration",),
    "cause": ("cause",),
    "recording_url": ("recordingUrl", "recording_url", "recording"),
}


def _first(data, names: tuple[str, ...]) -> str:
    for name in names:
        value = data.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value not in (None, ""):
            return str(value).strip()
    return ""


def parse_event(data) -> CallEvent:
    """Check a posted event (form fields or JSON, Zammad's names or ours); every fault at once."""
    errors: dict[str, list[str]] = {}

    def fault(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    event = _first(data, ("event",))
    if event not in EVENTS:
        fault("event", _("event 必须是 newCall、answer 或 hangup 之一。"))
    values = {key: _first(data, names) for key, names in _ALIASES.items()}
    for key, value in values.items():
        if _CONTROL.search(value):
            fault(key, _("含有控制字符。"))
    call_id = values["call_id"]
    if not call_id:
        fault("callId", _("缺少呼叫编号 callId。"))
    elif len(call_id) > 100:
        fault("callId", _("呼叫编号最长 100 个字符。"))
    # A newCall without a number is a withheld one; another event without it says nothing of it.
    caller, withheld = "", values["caller"].lower() in WITHHELD and bool(values["caller"] or event == NEW_CALL)
    if values["caller"] and not withheld:
        try:
            caller = normalise_phone(values["caller"])
        except ValidationFailed:
            # Not a number we can dial back (an extension, a foreign number): kept as digits, not matched.
            digits = "".join(ch for ch in values["caller"] if ch.isdigit())
            if not digits or len(digits) > 20:
                fault("from", _("来电号码“%(v)s”无法识别。") % {"v": values["caller"][:40]})
            caller = digits[:20]
    if len(values["called"]) > 30:
        fault("to", _("被叫号码最长 30 个字符。"))
    if len(values["extension"]) > 20:
        fault("user", _("分机号最长 20 个字符。"))
    at = None
    if values["at"]:
        at = parse_datetime(values["at"])
        if at is None:
            fault("timestamp", _("时间“%(v)s”不是 ISO 8601 格式。") % {"v": values["at"][:40]})
        elif timezone.is_naive(at):
            fault("timestamp", _("时间必须带时区，如 2026-12-06T09:00:00+08:00。"))
    duration = None
    if values["duration"]:
        if not values["duration"].isdigit() or int(values["duration"]) > 86400:
            fault("duration", _("通话时长必须是 0 到 86400 之间的整数秒。"))
        else:
            duration = int(values["duration"])
    url = values["recording_url"]
    if url and (not url.startswith(("http://", "https://")) or len(url) > 500):
        fault("recordingUrl", _("录音地址必须是不超过 500 个字符的 http(s) 地址。"))
    if len(values["cause"]) > 50:
        fault("cause", _("挂断原因最长 50 个字符。"))
    if errors:
        raise ValidationFailed(_("呼叫事件有误。"), field_errors=errors)
    return CallEvent(event=event, call_id=call_id, caller=caller, caller_withheld=withheld,
                     called=values["called"], extension=values["extension"], at=at, duration=duration,
                     cause=values["cause"], recording_url=url)


@dataclass
class EventResult:
    """What the endpoint answers: the call's key (None for a duplicate: nothing was written) and
    whether this event of this call was taken before."""

    call_id: str
    pk: int | None
    duplicate: bool
    warnings: list[str] = field(default_factory=list)


# The column each event fills; a repeat of the event finds it set and changes nothing.
_OWN_COLUMN = {NEW_CALL: "new_call_at", ANSWER: "answered_at", HANGUP: "ended_at"}
_COLUMNS = ("phone_system_id", "call_id", "caller", "caller_withheld", "called", "extension", "seat_id",
            "offered_at", "new_call_at", "answered_at", "ended_at", "duration", "cause", "recording_url",
            "outcome")
_upserts: dict[tuple[str, bool, bool, bool], str] = {}


def _upsert_sql(kind: str, has_caller: bool, has_called: bool, has_extension: bool) -> str:
    """One statement that creates the call's record or folds this event into it: ``INSERT … ON
    CONFLICT (phone system, call id) DO UPDATE … WHERE <this event's column> IS NULL RETURNING
    id`` (PostgreSQL and SQLite ≥ 3.35 alike).  No row back means the event was taken before.
    The rules, each reading the row as it was before this event:

    - the event's own time; ``newCall`` is when the call was offered, until it arrives the
      earliest event stands in for it;
    - the caller and the line dialled: ``newCall``'s word wins, another event's only fills a gap;
    - the seat: the one that answered, before an answer the first one it rang at;
    - ``hangup`` brings duration, cause and recording; a hang-up with no answer is abandoned, an
      answer arriving after its hang-up undoes that.

    Built once per shape and kept (the statement text depends on nothing else)."""
    key = (kind, has_caller, has_called, has_extension)
    sql = _upserts.get(key)
    if sql is not None:
        return sql
    table = CallRecord._meta.db_table
    t = lambda column: f"{table}.{column}"  # noqa: E731 - the row as it was
    new = lambda column: f"excluded.{column}"  # noqa: E731 - what this event brings
    own = _OWN_COLUMN[kind]
    sets = {own: new(own)}
    if kind == NEW_CALL:
        sets["offered_at"] = new("offered_at")
    else:
        sets["offered_at"] = (f"CASE WHEN {t('new_call_at')} IS NULL AND {new('offered_at')} < {t('offered_at')} "
                              f"THEN {new('offered_at')} ELSE {t('offered_at')} END")
    if has_caller:
        if kind == NEW_CALL:
            sets["caller"], sets["caller_withheld"] = new("caller"), new("caller_withheld")
        else:
            unknown = f"{t('caller')} = '' AND NOT {t('caller_withheld')}"
            for column in ("caller", "caller_withheld"):
                sets[column] = f"CASE WHEN {unknown} THEN {new(column)} ELSE {t(column)} END"
    if has_called:
        sets["called"] = new("called") if kind == NEW_CALL else \
            f"CASE WHEN {t('called')} = '' THEN {new('called')} ELSE {t('called')} END"
    if has_extension:
        for column in ("extension", "seat_id"):
            sets[column] = new(column) if kind == ANSWER else \
                f"CASE WHEN {t('extension')} = '' THEN {new(column)} ELSE {t(column)} END"
    if kind == HANGUP:
        for column in ("duration", "cause", "recording_url"):
            sets[column] = new(column)
        sets["outcome"] = (f"CASE WHEN {t('answered_at')} IS NULL AND {t('outcome')} = '' "
                           f"THEN '{Outcome.ABANDONED}' ELSE {t('outcome')} END")
    elif kind == ANSWER:
        sets["outcome"] = f"CASE WHEN {t('outcome')} = '{Outcome.ABANDONED}' THEN '' ELSE {t('outcome')} END"
    sql = (f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "
           f"ON CONFLICT (phone_system_id, call_id) DO UPDATE SET "
           f"{', '.join(f'{column} = {value}' for column, value in sets.items())} "
           f"WHERE {t(own)} IS NULL RETURNING id")
    _upserts[key] = sql
    return sql


def record_event(system: PhoneSystem, event: CallEvent) -> EventResult:
    """Fold one event into its call's record in one statement (``_upsert_sql``); a repeat of an
    event already taken changes nothing.  Every event of a busy hotline comes through here, so
    it builds no query and loads no model: the seat from the per-process map, the values as the
    database takes them.  Under ``ON CONFLICT`` two first events of one call at once cannot both
    insert."""
    at = event.at or clock.now()
    seat = seat_for(system, event.extension)
    connection = connections[router.db_for_write(CallRecord)]
    kind = event.event
    stamp = connection.ops.adapt_datetimefield_value(at)
    hangup = kind == HANGUP
    values = [
        system.pk, event.call_id, event.caller, event.caller_withheld, event.called, event.extension,
        seat.pk if seat is not None else None, stamp,
        stamp if kind == NEW_CALL else None, stamp if kind == ANSWER else None, stamp if hangup else None,
        event.duration if hangup else None, event.cause if hangup else "", event.recording_url if hangup else "",
        Outcome.ABANDONED.value if hangup else "",
    ]
    sql = _upsert_sql(kind, bool(event.caller or event.caller_withheld), bool(event.called),
                      bool(event.extension))
    # One statement is its own transaction on PostgreSQL; SQLite's writers queue at BEGIN (core.sqlite).
    queue = transaction.atomic(using=connection.alias) if connection.vendor == "sqlite" else contextlib.nullcontext()
    with queue, connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    warnings = ["unknown_seat"] if event.extension and seat is None else []
    return EventResult(call_id=event.call_id, pk=row[0] if row else None, duplicate=row is None, warnings=warnings)


def own_call(user, call_pk: int) -> CallRecord:
    """The call, if it was answered at one of this user's seats (only its operator acts on it)."""
    call = CallRecord.objects.select_related("seat").filter(pk=call_pk, seat__operator=user,
                                                             answered_at__isnull=False).first()
    if call is None:
        raise NotFound(_("没有这个来电，或它不是在你的坐席接听的。"))
    return call


def call_for_intake(user, call_pk: int) -> CallRecord:
    """The call an intake form was opened from: the user's own, not yet given a demand."""
    call = own_call(user, call_pk)
    if call.demand_id is not None:
        raise ValidationFailed(_("该来电已关联诉求 %(n)s。") % {"n": call.demand.number})
    return call


def attach_demand(call: CallRecord, demand: Demand, outcome: str = Outcome.DEMAND) -> CallRecord:
    """Keep a call on a demand (the call's own checks are the caller's: ``link_demand``)."""
    with transaction.atomic():
        call = CallRecord.objects.select_for_update().get(pk=call.pk)
        if call.demand_id is not None and call.demand_id != demand.pk:
            raise ValidationFailed(_("该来电已关联诉求 %(n)s。") % {"n": call.demand.number})
        call.demand, call.outcome = demand, outcome
        call.save(update_fields=["demand", "outcome"])
    return call


def link_demand(user, call_pk: int, demand: Demand, *, outcome: str = Outcome.DEMAND) -> CallRecord:
    """Keep the call on the demand: registered during the call (``demand``) or a caller's call
    about an earlier one (``follow_up``, 回访/催办).  Only the call's operator links it; the view
    has checked that the user may see the demand."""
    return attach_demand(own_call(user, call_pk), demand, outcome)


def record_outcome(call: CallRecord, outcome: str) -> CallRecord:
    """What a call without a demand came to (a question answered from the knowledge base, a wrong number)."""
    if outcome not in OPERATOR_OUTCOMES:
        raise ValidationFailed.for_field("outcome", _("请选择来电结果。"))
    with transaction.atomic():
        call = CallRecord.objects.select_for_update().get(pk=call.pk)
        if call.demand_id is not None:
            raise ValidationFailed(_("该来电已关联诉求 %(n)s。") % {"n": call.demand.number})
        call.outcome = outcome
        call.save(update_fields=["outcome"])
    return call


def set_outcome(user, call_pk: int, outcome: str) -> CallRecord:
    """The operator's word on their own call."""
    return record_outcome(own_call(user, call_pk), outcome)


def rotate_token(system: PhoneSystem) -> str:
    """A new token for a phone system (the old one stops at once); returned once."""
    raw = f"{_TOKEN_START}{system.prefix}_{secrets.token_urlsafe(24)}"
    system.token_hash = digest_secret(raw)
    system.save(update_fields=["token_hash"])
    return raw
