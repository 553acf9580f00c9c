"""Grid work that changes things: who answers for a grid, patrols and what they find, and the
periodic flag of missed patrols."""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.demands import services as demand_services
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Channel
from minsheng.notifications.services import notify_users
from minsheng.organisation.models import Region, Unit
from minsheng.organisation.roles import Role

from .models import GridAssignment, MissedPatrol, Patrol, PatrolFinding
from .selectors import covers_region, finished_patrols_per_grid, plans_for

logger = logging.getLogger(__name__)
# Who may assign grid workers: the community and the street, and administrators.
_ASSIGNERS = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
_PATROLLERS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.ADMINISTRATOR})
MAX_TRACK_POINTS = 5000


def _grid(grid) -> Region:
    if not isinstance(grid, Region):
        grid = Region.objects.filter(pk=grid).first() if str(grid).isdigit() else \
            Region.objects.filter(code=grid).first()
    if grid is None or grid.kind != Region.Kind.GRID:
        raise ValidationFailed.for_field("grid", _("请选择一个网格。"))
    return grid


# --- assignments ---------------------------------------------------------------------------

def assign_grid_worker(actor, grid, user, kind: str, *, phone: str = "", speciality: str = "",
                       since: date | None = None) -> GridAssignment:
    """Make ``user`` answer for ``grid``; a new full-time worker replaces the previous one."""
    grid = _grid(grid)
    if not covers_region(actor, grid, _ASSIGNERS):
        raise OutOfScope(_("“%(grid)s”不在你的管辖范围内。") % {"grid": grid.name})
    if kind not in GridAssignment.Kind.values:
        raise ValidationFailed.for_field("kind", _("未知的网格员类型。"))
    with transaction.atomic():
        if kind == GridAssignment.Kind.FULL_TIME:
            elsewhere = (GridAssignment.objects.select_for_update().select_related("grid")
                         .filter(user=user, kind=kind, active=True).exclude(grid=grid).first())
            if elsewhere is not None:
                raise ValidationFailed.for_field("user", _(
                    "%(name)s 已是“%(grid)s”的专职网格员。专职网格员一人一格：请先结束那边的分工，"
                    "或在这里改为兼职。") % {"name": user.get_full_name() or user.get_username(),
                                           "grid": elsewhere.grid.name})
            GridAssignment.objects.filter(grid=grid, kind=kind, active=True).exclude(user=user).update(active=False)
        GridAssignment.objects.filter(grid=grid, user=user, active=True).update(active=False)
        return GridAssignment.objects.create(grid=grid, user=user, kind=kind, phone=phone[:20],
                                             speciality=speciality[:40],
                                             since=since or clock.today())


def end_assignment(actor, assignment_id: int) -> None:
    assignment = GridAssignment.objects.select_related("grid").filter(pk=assignment_id, active=True).first()
    if assignment is None:
        raise NotFound(_("分工不存在。"))
    if not covers_region(actor, assignment.grid, _ASSIGNERS):
        raise OutOfScope(_("“%(grid)s”不在你的管辖范围内。") % {"grid": assignment.grid.name})
    assignment.active = False
    assignment.save(update_fields=["active"])


# --- patrols --------------------------------------------------------------------------------

def _may_patrol(actor, grid: Region) -> bool:
    return covers_region(actor, grid, _PATROLLERS) or GridAssignment.objects.filter(
        grid=grid, user=actor, active=True).exists()


def clean_track(points: Any) -> list[list]:
    """[[latitude, longitude, ISO time], …] from the phone, checked; the time defaults to now."""
    if points in (None, ""):
        return []
    if not isinstance(points, list | tuple):
        raise ValidationFailed.for_field("track", _("轨迹格式不正确。"))
    cleaned = []
    now = clock.now().isoformat()
    for point in points:
        try:
            lat, lng = Decimal(str(point[0])), Decimal(str(point[1]))
            at = str(point[2]) if len(point) > 2 and point[2] else now
        except (InvalidOperation, TypeError, IndexError, KeyError):
            raise ValidationFailed.for_field("track", _("轨迹点格式不正确。")) from None
        if not (lat.is_finite() and lng.is_finite() and -90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValidationFailed.for_field("track", _("轨迹点的经纬度超出范围。"))
        cleaned.append([float(round(lat, 6)), float(round(lng, 6)), at[:40]])
    return cleaned


# A phone's clock may be a little ahead; a point sent later from the offline queue keeps the time
# it was taken, never one before its patrol began nor in the future.
DEVICE_CLOCK_SLACK = timedelta(minutes=5)


def device_point(patrol: Patrol, latitude, longitude, taken_at: datetime | None) -> list:
    """A track point with the time the phone took it (queued offline, it arrives later), or the
    server's time when the phone's is missing or impossible for this patrol."""
    now = clock.now()
    if taken_at is None or not (patrol.started_at - DEVICE_CLOCK_SLACK <= taken_at <= now + DEVICE_CLOCK_SLACK):
        taken_at = now
    return [latitude, longitude, min(taken_at, now).isoformat()]


def start_patrol(actor, grid, *, track=None) -> Patrol:
    grid = _grid(grid)
    if not _may_patrol(actor, grid):
        raise OutOfScope(_("你不负责“%(grid)s”的巡查。") % {"grid": grid.name})
    points = clean_track(track)
    with transaction.atomic():
        if Patrol.objects.select_for_update().filter(worker=actor, finished_at__isnull=True).exists():
            raise InvalidTransition(_("你还有一次巡查没有结束，请先结束它。"))
        return Patrol.objects.create(grid=grid, worker=actor, started_at=clock.now(), track=points)


def _own_open_patrol(actor, patrol_id: int) -> Patrol:
    patrol = Patrol.objects.select_for_update().select_related("grid").filter(pk=patrol_id).first()
    if patrol is None:
        raise NotFound(_("巡查记录不存在。"))
    if patrol.worker_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只有巡查的网格员本人可以记录这次巡查。"))
    if patrol.finished:
        raise InvalidTransition(_("这次巡查已经结束。"))
    return patrol


def add_track_points(actor, patrol_id: int, points=None, *, taken: list | None = None) -> Patrol:
    """Add ``points`` ([[lat, lng, ISO time]]) or ``taken`` ([(lat, lng, datetime or None)], the
    phone's own times, checked by ``device_point``) to the worker's open patrol."""
    points = clean_track(points)
    with transaction.atomic():
        patrol = _own_open_patrol(actor, patrol_id)
        points += clean_track([device_point(patrol, lat, lng, at) for lat, lng, at in taken or ()])
        if len(patrol.track) + len(points) > MAX_TRACK_POINTS:
            raise ValidationFailed.for_field("track", _("轨迹点太多。"))
        patrol.track = [*patrol.track, *points]
        patrol.save(update_fields=["track"])
    return patrol


def finish_patrol(actor, patrol_id: int, *, note: str = "", track=None) -> Patrol:
    points = clean_track(track)
    with transaction.atomic():
        patrol = _own_open_patrol(actor, patrol_id)
        patrol.track = [*patrol.track, *points]
        patrol.note = (note or "").strip()[:500]
        patrol.finished_at = clock.now()
        patrol.save(update_fields=["track", "note", "finished_at"])
    return patrol


def report_finding(actor, patrol_id: int, *, title: str, description: str, demand_type: str = "report",
                   category=None, address: str = "", latitude=None, longitude=None, photos=(),
                   region: Region | None = None, on_track: bool = True) -> Demand:
    """A problem seen on patrol becomes a demand (channel "patrol") with its photos and location,
    in one step and one transaction with the patrol's record of it.  Its location joins the track
    too (``on_track``), unless the phone records the track itself (the field app's watchPosition)."""
    with transaction.atomic():
        patrol = _own_open_patrol(actor, patrol_id)
        place = region if region is not None and region.path.startswith(patrol.grid.path) else patrol.grid
        demand = demand_services.register_demand(
            actor, channel=Channel.PATROL, demand_type=demand_type, title=title, description=description,
            region=place, category=category, address=address, latitude=latitude, longitude=longitude,
            photos=photos, note=_("巡查发现"))
        PatrolFinding.objects.create(patrol=patrol, demand=demand)
        if on_track and latitude not in (None, "") and longitude not in (None, ""):
            patrol.track = [*patrol.track, [float(demand.latitude), float(demand.longitude), clock.now().isoformat()]]
            patrol.save(update_fields=["track"])
    return demand


# --- missed patrols ---------------------------------------------------------------------------

def _community_staff(community_ids) -> dict[int, list]:
    units = Unit.objects.filter(region_id__in=community_ids, kind=Unit.Kind.COMMUNITY_COMMITTEE, active=True)
    by_region: dict[int, list] = {}
    users = get_user_model().objects.filter(
        is_active=True, memberships__active=True, memberships__role=Role.COMMUNITY_STAFF,
        memberships__unit__in=units).values_list("pk", "memberships__unit__region_id")
    wanted = {pk for pk, _r in users}
    loaded = get_user_model().objects.in_bulk(wanted)
    for pk, region_id in users:
        by_region.setdefault(region_id, []).append(loaded[pk])
    return by_region


def flag_missed_patrols(now: datetime | None = None) -> int:
    """Flag each grid day (the last MINSHENG_PATROL_LOOKBACK_DAYS days before today) with fewer
    finished patrols than its plan, once, and tell the community's staff.  Only grids someone
    answers for are checked, from the day they first did: a grid without a worker has nobody
    to miss a patrol (the grid board shows it as unanswered instead)."""
    now = now or clock.now()
    today = timezone.localdate(now)
    # A grid's plan runs from the day someone first answers for it.
    since = dict(GridAssignment.objects.filter(active=True, grid__kind=Region.Kind.GRID).values("grid_id")
                 .annotate(first=Min("since")).values_list("grid_id", "first"))
    all_grids = list(Region.objects.filter(pk__in=list(since)))
    if not all_grids:
        return 0
    plans = plans_for(all_grids)
    flagged = 0
    for back in range(settings.MINSHENG_PATROL_LOOKBACK_DAYS, 0, -1):
        day = today - timedelta(days=back)
        grids = [g for g in all_grids if since[g.pk] <= day]
        done = finished_patrols_per_grid([g.pk for g in grids], day)
        known = set(MissedPatrol.objects.filter(day=day).values_list("grid_id", flat=True))
        missed = [g for g in grids if g.pk not in known and done.get(g.pk, 0) < plans[g.pk]]
        if not missed:
            continue
        communities = {g.pk: g.parent_id for g in missed}
        staff = _community_staff(set(communities.values()))
        for grid in missed:
            try:
                with transaction.atomic():
                    MissedPatrol.objects.create(grid=grid, day=day, planned=plans[grid.pk],
                                                done=done.get(grid.pk, 0), flagged_at=now)
                    notify_users(staff.get(communities[grid.pk], []), message="grids.missed_patrol", params={
                                     "grid": grid.name, "day": day.isoformat(), "done": done.get(grid.pk, 0),
                                     "planned": plans[grid.pk]},
                                 link=reverse("grids:grid", args=[grid.pk]), source="missed_patrol")
            except IntegrityError:
                continue  # another worker flagged it first
            flagged += 1
    if flagged:
        logger.info("flagged %d missed patrol days", flagged)
    return flagged

