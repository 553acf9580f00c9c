"""Reads for the hotline seats: the call an operator has on the line, who is calling, and the
seat figures (docs/calls.md)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import clock, versioned
from minsheng.demands import selectors as demand_selectors
from minsheng.demands.workflow import OPEN_STATES
from minsheng.organisation.scope import grants_for
from minsheng.people.models import Resident
from minsheng.people.services import PhoneSearch, log_phone_search

from .models import CallRecord, Outcome, Seat

# A call answered longer ago than this and never hung up (a lost hang-up event) pops no more.
LIVE_FOR = timedelta(hours=4)


def seat_ids_of(user) -> list[int]:
    """The user's active seats.  Every staff page asks (whether to carry the pop) and every open
    workbench's poll asks again each second, so the answer is kept per process and reloaded when
    any seat is saved (``core.versioned``; Seat is watched in apps.py)."""
    if not user.is_authenticated:
        return []
    return versioned.cached(("cti-user-seats", user.pk), lambda: list(
        Seat.objects.filter(operator=user, active=True).values_list("pk", flat=True)))


_line_sql: dict[str, str] = {}


def _operator_line_sql(connection) -> str:
    """``operator_line``'s statement, built once per database: the account by its key, and in
    the same statement the newest call answered at one of its active seats and not hung up
    (through the seats' operator index into ``call_record_seat_live``)."""
    sql = _line_sql.get(connection.alias)
    if sql is None:
        q = connection.ops.quote_name
        user, seat, call = (q(m._meta.db_table) for m in (get_user_model(), Seat, CallRecord))
        sql = (f"SELECT u.{q('password')}, (SELECT c.{q('id')} FROM {call} c INNER JOIN {seat} s "
               f"ON c.{q('seat_id')} = s.{q('id')} WHERE s.{q('operator_id')} = u.{q('id')} AND s.{q('active')} = %s "
               f"AND c.{q('ended_at')} IS NULL AND c.{q('answered_at')} >= %s "
               f"ORDER BY c.{q('answered_at')} DESC LIMIT 1) "
               f"FROM {user} u WHERE u.{q('id')} = %s AND u.{q('is_active')} = %s")
        _line_sql[connection.alias] = sql
    return sql


def operator_line(user_pk: int) -> tuple[str, int | None] | None:
    """The account's password hash (for the poll's session check) and the call on its line —
    answered at one of its active seats within ``LIVE_FOR``, not hung up — or None for no
    active account.  Every open workbench asks this every 750 ms (``calls.poll``), so it is one
    statement, read fresh from the database: a seat handed over, a call answered or hung up
    through any process shows in the next poll, with no copy to keep right."""
    connection = connections[router.db_for_read(CallRecord)]
    since = connection.ops.adapt_datetimefield_value(clock.now() - LIVE_FOR)
    with connection.cursor() as cursor:
        cursor.execute(_operator_line_sql(connection), [True, since, user_pk, True])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def live_call_id(user) -> int | None:
    """The call this operator has on the line: answered at one of their seats, not hung up."""
    line = operator_line(user.pk) if user.is_authenticated else None
    return line[1] if line else None


def caller_profile(user, phone: str, intake_roles: frozenset, purpose: str) -> dict:
    """Who is behind a phone number, for intake and the screen pop: the resident named (with
    tags) only when they live in the user's area or have a demand the user may see, otherwise
    only that a record exists; their visible demands, open ones first.  Naming is an access to
    personal data and is logged."""
    resident = Resident.objects.filter(phone=phone).select_related("region").prefetch_related("tags").first() \
        if len(phone) >= 7 else None
    visible = demand_selectors.demands_visible_to(user).filter(reporter=resident) if resident else None
    history = list(visible.order_by("-registered_at")[:10]) if resident else []
    open_demands = list(visible.filter(state__in=OPEN_STATES).order_by("-registered_at")[:10]) if resident else []
    known = resident is not None and (bool(history) or any(
        resident.region is not None and g.covers_region(resident.region) and g.region_path is not None
        for g in grants_for(user) if g.role in intake_roles))
    if known:
        log_phone_search(user, PhoneSearch(phone=phone), [resident], purpose)
    return {"resident": resident if known else None, "exists": resident is not None and not known,
            "history": history, "open_demands": open_demands, "phone": phone}


def repeat_calls(phone: str, now: datetime | None = None) -> int:
    """Calls from this number in the last MINSHENG_CTI_REPEAT_DAYS days (this one included)."""
    if not phone:
        return 0
    now = now or clock.now()
    return CallRecord.objects.filter(
        caller=phone, offered_at__gte=now - timedelta(days=settings.MINSHENG_CTI_REPEAT_DAYS),
        offered_at__lte=now).count()


# --- seat figures ---------------------------------------------------------------------------------

@dataclass
class Figures:
    """Counts over a set of calls, and the rates derived from them (docs/calls.md)."""

    label: str = ""
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    within_15: int = 0
    within_30: int = 0
    handled: int = 0
    handling_seconds: float = 0.0
    by_outcome: dict[str, int] = field(default_factory=dict)

    def add(self, call: CallRecord) -> None:
        self.offered += 1
        wait = call.wait_seconds
        if wait is not None:
            self.answered += 1
            self.within_15 += wait <= 15
            self.within_30 += wait <= 30
            talk = call.handling_seconds
            if talk is not None:
                self.handled += 1
                self.handling_seconds += talk
        elif call.ended_at is not None:
            self.abandoned += 1

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    @property
    def answer_rate(self) -> float | None:
        return self._rate(self.answered, self.offered)

    @property
    def rate_15(self) -> float | None:
        return self._rate(self.within_15, self.offered)

    @property
    def rate_30(self) -> float | None:
        return self._rate(self.within_30, self.offered)

    @property
    def abandon_rate(self) -> float | None:
        return self._rate(self.abandoned, self.offered)

    @property
    def average_handling(self) -> float | None:
        """Average talk time in seconds over the answered calls whose length is known."""
        return round(self.handling_seconds / self.handled, 1) if self.handled else None


@dataclass
class SeatReport:
    start: datetime
    end: datetime
    total: Figures
    seats: list[Figures]
    hours: list[Figures]
    outcomes: list[tuple[str, int]]


def seat_report(start: datetime, end: datetime) -> SeatReport:
    """Offered, answered, abandoned, 接通率 within 15 and 30 s and average handling time over the
    calls offered in [start, end), in total, per seat and per hour of the day (local time)."""
    total = Figures(label=_("合计"))
    seats: dict[str, Figures] = {}
    hours = [Figures(label=f"{h:02d}:00") for h in range(24)]
    outcomes: dict[str, int] = {}
    calls = CallRecord.objects.filter(offered_at__gte=start, offered_at__lt=end).select_related(
        "seat__operator").only("offered_at", "answered_at", "ended_at", "duration", "outcome", "extension",
                               "seat__extension", "seat__operator__first_name", "seat__operator__username")
    for call in calls.iterator(chunk_size=2000):
        total.add(call)
        key = call.seat.extension if call.seat else (call.extension or "")
        if key not in seats:
            operator = call.seat.operator if call.seat else None
            name = (operator.first_name or operator.username) if operator else ""
            label = f"{key} {name}".strip() if call.seat else (
                _("%(ext)s（未登记坐席）") % {"ext": key} if key else _("未分配坐席"))
            seats[key] = Figures(label=label)
        seats[key].add(call)
        hours[timezone.localtime(call.offered_at).hour].add(call)
        outcome = call.outcome or ("" if call.ended_at or call.answered_at else "ringing")
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    labels = dict(Outcome.choices) | {"": _("未标记"), "ringing": _("振铃中")}
    return SeatReport(start=start, end=end, total=total, seats=[seats[k] for k in sorted(seats)],
                      hours=[h for h in hours if h.offered],
                      outcomes=[(labels[k], outcomes[k]) for k in labels if outcomes.get(k)])


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)
