"""Reads of grid work, every one scoped to the regions the user's grants cover."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from minsheng.organisation.models import Region
from minsheng.organisation.scope import grants_for, region_filter

from .models import GridAssignment, MissedPatrol, Patrol, PatrolPlan


def territory_paths(user, roles=None) -> list[str]:
    """The region paths the user's territorial grants cover ("" = everywhere); departments and
    residents have none, so they see no register."""
    paths = {g.region_path for g in grants_for(user) if g.region_path is not None
             and g.resident_user_id is None and (roles is None or g.role in roles)}
    return [""] if "" in paths else sorted(paths)


def region_q(user, field: str = "region", roles=None) -> Q:
    """A filter on ``field`` (a Region foreign key) to the user's territory."""
    return region_filter(user, field, roles)


def covers_region(user, region: Region, roles=None) -> bool:
    return any(region.path.startswith(p) for p in territory_paths(user, roles))


def grids_for(user) -> QuerySet[Region]:
    """The grids in the user's territory."""
    return Region.objects.filter(regions_q(user), kind=Region.Kind.GRID)


def regions_q(user) -> Q:
    """The regions in the user's territory."""
    return region_filter(user, "")


def assignments_of(grid: Region) -> list[GridAssignment]:
    """Who answers for a grid: the full-time worker first, then part-time, then specialists."""
    order = {k: i for i, k in enumerate(GridAssignment.Kind.values)}
    rows = list(GridAssignment.objects.filter(grid=grid, active=True).select_related("user"))
    return sorted(rows, key=lambda a: (order[a.kind], a.user.username))


def patrols_per_day(grid: Region) -> int:
    """The patrol plan of a grid: the most specific plan on it or above it, else the setting."""
    ids = [int(p) for p in grid.path.split(".") if p]
    plans = {p.region_id: p.per_day for p in PatrolPlan.objects.filter(region_id__in=ids)}
    for region_id in reversed(ids):
        if region_id in plans:
            return plans[region_id]
    return settings.MINSHENG_PATROLS_PER_DAY


def plans_for(grids: list[Region]) -> dict[int, int]:
    """``patrols_per_day`` for many grids in one query."""
    ids = {int(p) for g in grids for p in g.path.split(".") if p}
    plans = {p.region_id: p.per_day for p in PatrolPlan.objects.filter(region_id__in=ids)}
    result = {}
    for grid in grids:
        chain = [int(p) for p in grid.path.split(".") if p]
        result[grid.pk] = next((plans[r] for r in reversed(chain) if r in plans), settings.MINSHENG_PATROLS_PER_DAY)
    return result


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start and end of a local calendar day, as aware datetimes."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)


def finished_patrols_per_grid(grid_ids, day: date) -> dict[int, int]:
    start, end = day_bounds(day)
    rows = (Patrol.objects.filter(grid_id__in=grid_ids, started_at__gte=start, started_at__lt=end,
                                  finished_at__isnull=False)
            .values("grid_id").annotate(n=Count("pk")))
    return {r["grid_id"]: r["n"] for r in rows}


@dataclass
class GridDay:
    grid: Region
    planned: int
    done: int
    workers: list[GridAssignment]

    @property
    def behind(self) -> bool:
        return self.done < self.planned


def grid_board(user, day: date) -> list[GridDay]:
    """Each grid of the user's territory with its patrols planned and done on ``day`` and who answers for it."""
    grids = list(grids_for(user).order_by("path"))
    plans = plans_for(grids)
    done = finished_patrols_per_grid([g.pk for g in grids], day)
    workers: dict[int, list[GridAssignment]] = {}
    for a in GridAssignment.objects.filter(grid__in=grids, active=True).select_related("user").order_by("kind"):
        workers.setdefault(a.grid_id, []).append(a)
    return [GridDay(g, plans[g.pk], done.get(g.pk, 0), workers.get(g.pk, [])) for g in grids]


def patrols_of(user) -> QuerySet[Patrol]:
    """Patrols in the user's territory, newest first."""
    return Patrol.objects.filter(region_q(user, "grid")).select_related("grid", "worker")


def missed_patrols_for(user) -> QuerySet[MissedPatrol]:
    return MissedPatrol.objects.filter(region_q(user, "grid")).select_related("grid")


def open_patrol_of(user) -> Patrol | None:
    return Patrol.objects.filter(worker=user, finished_at__isnull=True).select_related("grid").first()
