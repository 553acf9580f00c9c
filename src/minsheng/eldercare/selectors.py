"""Reads of elder service places, each scoped: community and street staff (and auditors, leaders)
see the places of their territory (organisation.scope.region_filter), a place's own staff that
place only, a volunteer the shifts of their street."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from minsheng.volunteers.models import Volunteer

from .access import facility_q
from .models import DayCareVisit, Elder, Facility, HealthCheck, Shift, ShiftSignup, Stay


def facilities_for(user) -> QuerySet[Facility]:
    return Facility.objects.filter(facility_q(user)).distinct().select_related("region")


def elders_for(user) -> QuerySet[Elder]:
    return (Elder.objects.filter(facility__in=facilities_for(user).values("pk"))
            .select_related("resident", "facility__region"))


def checks_for(user) -> QuerySet[HealthCheck]:
    return (HealthCheck.objects.filter(elder__facility__in=facilities_for(user).values("pk"))
            .select_related("elder__resident", "elder__facility", "follow_up"))


def health_record(user, elder: Elder) -> QuerySet[HealthCheck]:
    """The elder's measurements over time at every place the user sees (the record follows the
    resident, not the place), oldest first for the chart."""
    return checks_for(user).filter(elder__resident=elder.resident).order_by("measured_at", "pk")


def open_stays(facility: Facility) -> QuerySet[Stay]:
    return (Stay.objects.filter(room__facility=facility, moved_out__isnull=True)
            .select_related("room", "elder__resident").order_by("room__name", "moved_in"))


def rooms_with_occupancy(facility: Facility, *, closed_too: bool = False) -> list:
    """The rooms in use (and the closed ones too for the set-up page) with their beds taken and free."""
    rooms = facility.rooms.all() if closed_too else facility.rooms.filter(active=True)
    rooms = list(rooms.annotate(taken=Count("stays", filter=Q(stays__moved_out__isnull=True))))
    for room in rooms:
        room.free = room.beds - room.taken
    return rooms


def shifts_of(facility: Facility, start: date, days: int = 14) -> QuerySet[Shift]:
    return (facility.shifts.filter(day__gte=start, day__lt=start + timedelta(days=days))
            .prefetch_related("signups__volunteer__resident").order_by("day", "starts"))


def open_shifts_for(volunteer: Volunteer | None, start: date, days: int = 14) -> QuerySet[Shift]:
    """Shifts a volunteer may sign up for: at places of their own street, from ``start``."""
    if volunteer is None:
        return Shift.objects.none()
    street = volunteer.region.parent or volunteer.region
    return (Shift.objects.filter(facility__region__path__startswith=street.path, facility__active=True,
                                 day__gte=start, day__lt=start + timedelta(days=days))
            .select_related("facility").annotate(taken=Count("signups")).order_by("day", "starts"))


def my_signups(volunteer: Volunteer | None) -> QuerySet[ShiftSignup]:
    if volunteer is None:
        return ShiftSignup.objects.none()
    return (ShiftSignup.objects.filter(volunteer=volunteer).select_related("shift__facility")
            .order_by("-shift__day", "-shift__starts"))


@dataclass(frozen=True)
class DayCount:
    day: date
    arrived: int
    left: int

    @property
    def present(self) -> int:
        return self.arrived - self.left


def day_counts(facility: Facility, last: date, days: int = 7) -> list[DayCount]:
    """Per day, newest first: elders checked in, and how many of them have gone home."""
    first = last - timedelta(days=days - 1)
    rows = {r["day"]: r for r in DayCareVisit.objects.filter(elder__facility=facility, day__gte=first, day__lte=last)
            .values("day").annotate(arrived=Count("pk"), left=Count("pk", filter=Q(checked_out_at__isnull=False)))}
    return [DayCount(d, rows.get(d, {}).get("arrived", 0), rows.get(d, {}).get("left", 0))
            for d in (last - timedelta(days=n) for n in range(days))]


def facility_figures(user, day: date) -> list[dict]:
    """The overview: per place of the user, elders on the register, checks this month, residents
    in rooms, volunteers on today's shifts and elders in day care today."""
    month = day.replace(day=1)
    facilities = list(facilities_for(user).filter(active=True).annotate(
        elder_count=Count("elders", filter=Q(elders__active=True), distinct=True)))
    ids = [f.pk for f in facilities]
    checks = dict(HealthCheck.objects.filter(elder__facility_id__in=ids, measured_at__date__gte=month)
                  .values_list("elder__facility_id").annotate(n=Count("pk")).values_list("elder__facility_id", "n"))
    lodged = dict(Stay.objects.filter(room__facility_id__in=ids, moved_out__isnull=True)
                  .values_list("room__facility_id").annotate(n=Count("pk")).values_list("room__facility_id", "n"))
    on_shift = dict(ShiftSignup.objects.filter(shift__facility_id__in=ids, shift__day=day)
                    .values_list("shift__facility_id").annotate(n=Count("pk")).values_list("shift__facility_id", "n"))
    in_care = dict(DayCareVisit.objects.filter(elder__facility_id__in=ids, day=day)
                   .values_list("elder__facility_id").annotate(n=Count("pk")).values_list("elder__facility_id", "n"))
    return [{"facility": f, "elders": f.elder_count, "checks": checks.get(f.pk, 0), "lodged": lodged.get(f.pk, 0),
             "on_shift": on_shift.get(f.pk, 0), "in_care": in_care.get(f.pk, 0)} for f in facilities]
