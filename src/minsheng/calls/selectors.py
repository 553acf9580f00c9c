"""Reads for the hotline seats: the call an operator has on the line, who is calling, and the
seat figures (docs/calls.md)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour
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

    def add(self, counts: dict) -> None:
        """Add one group's counts (a row of ``_counted``)."""
        for name in ("offered", "answered", "abandoned", "within_15", "within_30", "handled"):
            setattr(self, name, getattr(self, name) + counts[name])
        measured = counts["measured_talk"]
        self.handling_seconds += (counts["reported_talk"] or 0) + (measured.total_seconds() if measured else 0.0)

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


_ANSWERED = Q(answered_at__isnull=False)
# A call's figures (docs/calls.md), counted by the database per group of calls: waits from ringing
# to answer, talk time as the phone system reports it, else from answer to hang-up (never below
# nought: a hang-up stamped before the answer counts as a call handled in no time).
_COUNTS = {
    "offered": Count("pk"),
    "answered": Count("pk", filter=_ANSWERED),
    "abandoned": Count("pk", filter=Q(answered_at__isnull=True, ended_at__isnull=False)),
    "within_15": Count("pk", filter=Q(answered_at__lte=F("offered_at") + timedelta(seconds=15))),
    "within_30": Count("pk", filter=Q(answered_at__lte=F("offered_at") + timedelta(seconds=30))),
    "handled": Count("pk", filter=_ANSWERED & (Q(duration__isnull=False) | Q(ended_at__isnull=False))),
    "reported_talk": Sum("duration", filter=_ANSWERED),
    "measured_talk": Sum(ExpressionWrapper(F("ended_at") - F("answered_at"), output_field=DurationField()),
                         filter=_ANSWERED & Q(duration__isnull=True, ended_at__gte=F("answered_at"))),
}


def _counted(calls: QuerySet[CallRecord], *group) -> QuerySet:
    return calls.values(*group).annotate(**_COUNTS).order_by()


def _offered_between(start: datetime, end: datetime) -> QuerySet[CallRecord]:
    return CallRecord.objects.filter(offered_at__gte=start, offered_at__lt=end)


@dataclass
class SeatReport:
    """The seat figures of the calls offered in [start, end): in total and per seat at once, per
    hour of the day and per outcome when first asked for (the monthly report shows the seats only)."""

    start: datetime
    end: datetime
    total: Figures
    seats: list[Figures]

    @property
    def calls(self) -> QuerySet[CallRecord]:
        return _offered_between(self.start, self.end)

    @cached_property
    def hours(self) -> list[Figures]:
        """Per hour of the day (local time), the hours without a call left out."""
        hours = [Figures(label=f"{h:02d}:00") for h in range(24)]
        zone = timezone.get_current_timezone()
        for row in _counted(self.calls.annotate(hour=ExtractHour("offered_at", tzinfo=zone)), "hour"):
            hours[row["hour"]].add(row)
        return [h for h in hours if h.offered]

    @cached_property
    def outcomes(self) -> list[tuple[str, int]]:
        """(label, calls) per outcome; a call nobody marked is "ringing" while it is neither
        answered nor hung up."""
        counts: dict[str, int] = {}
        for row in self.calls.values("outcome").annotate(
                n=Count("pk"), ringing=Count("pk", filter=Q(answered_at__isnull=True, ended_at__isnull=True))
        ).order_by():
            if row["outcome"]:
                counts[row["outcome"]] = counts.get(row["outcome"], 0) + row["n"]
            else:
                counts[""] = counts.get("", 0) + row["n"] - row["ringing"]
                counts["ringing"] = counts.get("ringing", 0) + row["ringing"]
        labels = dict(Outcome.choices) | {"": _("未标记"), "ringing": _("振铃中")}
        return [(labels[k], counts[k]) for k in labels if counts.get(k)]


def seat_report(start: datetime, end: datetime) -> SeatReport:
    """Offered, answered, abandoned, 接通率 within 15 and 30 s and average handling time over the
    calls offered in [start, end), in total and per seat (and per hour and outcome, see
    SeatReport).  The database counts: a month of a city's hotline is hundreds of thousands of
    calls, and each figure is one grouped query whatever their number."""
    total = Figures(label=_("合计"))
    seats: dict[str, Figures] = {}
    for row in _counted(_offered_between(start, end), "seat_id", "seat__extension", "seat__operator__first_name",
                        "seat__operator__username", "extension"):
        # A call on a seat is counted under the seat's extension; a call without one, under the
        # extension the phone system gave (or under none).
        key = row["seat__extension"] if row["seat_id"] else row["extension"]
        if key not in seats:
            name = row["seat__operator__first_name"] or row["seat__operator__username"] or ""
            label = f"{key} {name}".strip() if row["seat_id"] else (
                _("%(ext)s（未登记坐席）") % {"ext": key} if key else _("未分配坐席"))
            seats[key] = Figures(label=label)
        seats[key].add(row)
        total.add(row)
    return SeatReport(start=start, end=end, total=total, seats=[seats[k] for k in sorted(seats)])


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)
