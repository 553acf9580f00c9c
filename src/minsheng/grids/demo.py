"""Demo grid work: who answers for every grid, registers of houses and enterprises, a month of
patrols with their missed days.  Bulk inserts, since no history service is needed for these rows;
seed_demo runs it once (its mark "grids"), as it does the care register (care.demo) and the party
structure (party.demo)."""

import random
import time
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum.cn import uscc

from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role

from .models import Enterprise, GridAssignment, House, MissedPatrol, Patrol
from .services import flag_missed_patrols

PATROL_DAYS = 30
ROOMS = [f"{unit}单元{floor}0{door}" for unit in (1, 2) for floor in range(1, 7) for door in (1, 2)]
SHOPS = ["便利店", "理发店", "药房", "面馆", "五金店", "洗衣店", "超市", "快递驿站", "早餐店", "维修部"]


def _credit_code(rng: random.Random) -> str:
    body = "9121" + "0400" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def seed_assignments(city, now: datetime) -> None:
    since = timezone.localdate(now) - timedelta(days=PATROL_DAYS + 5)
    printed = get_user_model().objects.filter(username="grid").first()
    rows = []
    for grid in city.grids:
        worker = city.actors[(grid.code, Role.GRID_WORKER)]
        if printed is not None and grid.code == "XC-GM-01-G1":
            rows.append(GridAssignment(grid=grid, user=printed, kind="full_time", phone="13904130101", since=since))
            rows.append(GridAssignment(grid=grid, user=worker, kind="part_time", since=since))
        else:
            rows.append(GridAssignment(grid=grid, user=worker, kind="full_time", since=since))
    for street in city.streets:
        specialist = city.actors[(f"{street.code}-OFFICE", Role.DEPARTMENT_HANDLER)]
        rows += [GridAssignment(grid=g, user=specialist, kind="specialist", speciality="城管执法", since=since)
                 for g in city.grids if g.path.startswith(street.path)]
    GridAssignment.objects.bulk_create(rows)


def seed_registers(city, rng: random.Random) -> None:
    houses, enterprises = [], []
    occupancies = ["owner"] * 7 + ["rented"] * 2 + ["vacant"]
    for grid in city.grids:
        for building in city.buildings[grid.pk]:
            houses += [House(building=building, room=room, occupancy=rng.choice(occupancies),
                             area=rng.randrange(45, 130)) for room in ROOMS]
        for i in range(3):
            building = rng.choice(city.buildings[grid.pk])
            name = f"{building.name.split('小区')[0]}{rng.choice(SHOPS)}{i + 1}"
            enterprises.append(Enterprise(region=grid, name=name, credit_code=_credit_code(rng),
                                          address=f"{building.name}底商{i + 1}号"))
    House.objects.bulk_create(houses, batch_size=2000)
    Enterprise.objects.bulk_create(enterprises)


def _track(grid: Region, start: datetime, rng: random.Random) -> list[list]:
    lat, lng = float(grid.latitude or 0), float(grid.longitude or 0)
    return [[round(lat + rng.uniform(-0.002, 0.002), 6), round(lng + rng.uniform(-0.002, 0.002), 6),
             (start + timedelta(minutes=8 * i)).isoformat()] for i in range(6)]


def seed_patrols(city, rng: random.Random, now: datetime) -> None:
    """Twice a day for a month (morning and afternoon); about one patrol in twenty is missed."""
    today = timezone.localdate(now)
    workers = {a.grid_id: a.user_id for a in GridAssignment.objects.filter(kind="full_time", active=True)}
    patrols, missed = [], []
    for back in range(PATROL_DAYS, 0, -1):
        day = today - timedelta(days=back)
        for grid in city.grids:
            done = 0
            for hour in (9, 15):
                if rng.random() < 0.05:
                    continue
                start = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(
                    hour=hour, minute=rng.randrange(40)))
                patrols.append(Patrol(grid=grid, worker_id=workers[grid.pk], started_at=start,
                                      finished_at=start + timedelta(minutes=50), track=_track(grid, start, rng),
                                      note="巡查正常"))
                done += 1
            # The periodic job flags the last days (below, with notices); older ones are history.
            if done < 2 and back > 2:
                missed.append(MissedPatrol(grid=grid, day=day, planned=2, done=done, flagged_at=now))
    Patrol.objects.bulk_create(patrols, batch_size=1000)
    MissedPatrol.objects.bulk_create(missed)
    flag_missed_patrols(now)


def seed_grid_work(city, residents, *, seed: int, now: datetime) -> str:
    """Everything of grid work; returns a one-line summary."""
    if GridAssignment.objects.exists():  # its own rows, when called outside seed_demo's marks
        return "grid work: already seeded"
    started = time.perf_counter()
    rng = random.Random(seed)
    seed_assignments(city, now)
    seed_registers(city, rng)
    seed_patrols(city, rng, now)
    return (f"grid work: {House.objects.count()} houses, {Enterprise.objects.count()} enterprises, "
            f"{Patrol.objects.count()} patrols, {MissedPatrol.objects.count()} missed patrol days "
            f"({time.perf_counter() - started:.1f} s)")
