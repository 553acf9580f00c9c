"""The demo city's home care: three providers under contract with their workers, elders of every
grade (the demo login ``resident`` among them), a year of audited and billed service records, and
this month's tasks and records still at work.

Speed: the past year's register rows, grade periods and records are bulk-created (as the services
would have written them: approved, priced at the policy, billed by monthly statements); only this
month's tasks go through the services (request, claim, record), so the demo stays within seconds."""

import io
import random
import time as time_module
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from minsheng.core import clock
from minsheng.demands.workflow import Channel
from minsheng.demo.city import staff_name
from minsheng.organisation.models import Membership, Unit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import forget_grants

from . import records as record_services
from . import tasks as task_services
from .models import (
    Budget,
    CareService,
    Elder,
    ElderStep,
    GradePeriod,
    GradePolicy,
    ProviderContract,
    ServiceRecord,
    Statement,
)
from .quota import month_start


def demo_signature(seed: int) -> ContentFile:
    """A signature as the phone's pad sends it: a transparent PNG with a pen stroke."""
    rng = random.Random(seed)
    image = Image.new("RGBA", (640, 360), (0, 0, 0, 0))
    points = [(60 + 45 * i, 180 + rng.randint(-80, 80)) for i in range(12)]
    ImageDraw.Draw(image).line(points, fill=(17, 17, 17, 255), width=5, joint="curve")
    data = io.BytesIO()
    image.save(data, "PNG")
    return ContentFile(data.getvalue(), name="signature.png")


def _doorstep(elder, step: int) -> tuple[float, float] | None:
    """Where the worker's phone was at check-in (0) and check-out (1): by the elder's community's
    first boundary corner, a few metres apart; None when the community has no boundary."""
    rings = elder.community.boundary or []
    if not rings or not rings[0]:
        return None
    lng, lat = rings[0][0][:2]
    return round(lat + 0.0004 + 0.00002 * step, 6), round(lng + 0.0004, 6)

PROVIDERS = [("XC-CARE-1", "安康居家养老服务中心"), ("XC-CARE-2", "夕阳红社会工作服务社"),
             ("XC-CARE-3", "松鹤养老服务社")]
GRADES = ["A"] * 2 + ["B"] * 4 + ["C"] * 4
HOURS = {"A": 30, "B": 20, "C": 10}
# Elders use a share of their quota; with the grade mix above this gives about 80 hours a year each.
USE = 0.39
SLOTS = [8, 10, 13, 15]  # visit start hours; one worker makes at most four visits a day


def _months_back(today: date, n: int) -> list[date]:
    first = month_start(today)
    out = []
    for _i in range(n):
        first = month_start(first - timedelta(days=1))
        out.append(first)
    return sorted(out)


def seed_homecare(city, residents, *, seed: int, now: datetime, password: str, elders: int = 140) -> str:
    """``password``: the demo logins' password, for the worker's login ``careworker``."""
    # seed_demo runs it once (its mark "homecare"); called on its own, it adds nothing when the
    # register holds elders (its own rows).  Returns a line for the log.
    if Elder.objects.exists():
        return f"home care: {Elder.objects.count()} elders (kept)"
    started = time_module.perf_counter()
    rng = random.Random(seed)
    today = timezone.localdate(now)
    services = list(CareService.objects.filter(active=True))
    communities = city.communities
    providers = []
    with transaction.atomic():
        for i, (code, name) in enumerate(PROVIDERS):
            unit, _created = Unit.objects.get_or_create(code=code, defaults={
                "kind": Unit.Kind.CARE_PROVIDER, "name": name, "region": city.district, "phone": f"0433-800{i}"})
            contract = ProviderContract.objects.create(provider=unit, start=date(today.year - 1, 1, 1),
                                                       end=date(today.year + 1, 12, 31))
            contract.services.set(services if i < 2 else services[:8])
            # 1 and 2 split the communities, 3 covers them all for its eight services.
            covered = communities if i == 2 else communities[i::2]
            contract.communities.set(covered)
            providers.append((unit, covered))
        User = get_user_model()
        unusable = make_password(None)
        workers: dict[int, list] = {}
        for unit, _c in providers:
            workers[unit.pk] = []
            for w in range(4):
                username = f"{unit.code.lower()}-w{w}"
                user, _created = User.objects.get_or_create(username=username, defaults={
                    "password": unusable, "first_name": staff_name(username)})
                Membership.objects.get_or_create(user=user, unit=unit, role=Role.DEPARTMENT_HANDLER)
                workers[unit.pk].append(user)
        login, _created = User.objects.get_or_create(username="careworker", defaults={
            "password": make_password(password), "first_name": "安康养老服务员"})
        Membership.objects.get_or_create(user=login, unit=providers[0][0], role=Role.DEPARTMENT_HANDLER)
        workers[providers[0][0].pk].insert(0, login)
        Budget.objects.get_or_create(year=today.year, defaults={"amount": Decimal("1000000")})
        Budget.objects.get_or_create(year=today.year - 1, defaults={"amount": Decimal("1000000")})

        # The register: the demo resident (王奎, grade 甲) and elders among the demo residents.
        from minsheng.people.models import Resident

        chosen = [Resident.objects.get(user__username="resident")]
        chosen += [r for r in residents if r.region_id and r.pk != chosen[0].pk][: elders - 1]
        start = _months_back(today, 12)[0]
        joined = timezone.make_aware(datetime.combine(start - timedelta(days=20), time(9)))
        rows = []
        for i, resident in enumerate(chosen):
            grade = "A" if i == 0 else rng.choice(GRADES)
            rows.append(Elder(
                resident=resident, community=city.community_of(resident.region), birth_year=rng.randint(1930, 1955),
                support=rng.choice(list(Elder.Support.values)), condition=rng.choice(list(Elder.Condition.values)),
                self_care=rng.choice(list(Elder.SelfCare.values)),
                health=rng.choice(["高血压", "糖尿病", "腿脚不便", ""]),
                family=rng.choice(["独居", "子女在外地", "老两口同住"]), channel=Channel.STATION,
                status=Elder.Status.ACTIVE, grade=grade, proposed_grade=grade, applied_at=joined, joined_on=start,
                next_review_on=start + timedelta(days=365)))
        Elder.objects.bulk_create(rows)
        register = list(Elder.objects.select_related("resident", "community").order_by("pk"))
        ElderStep.objects.bulk_create([ElderStep(elder=e, action=a, grade=e.grade if a != "apply" else "",
                                                 at=joined + timedelta(days=d), note="演示数据")
                                       for e in register for a, d in (("apply", 0), ("assess", 5), ("approve", 10))])
        GradePeriod.objects.bulk_create([GradePeriod(elder=e, grade=e.grade, start=start) for e in register])

        # A year of visits, approved and billed month by month.
        price = {g: GradePolicy.objects.filter(grade=g).order_by("-valid_from").first().hourly_price for g in HOURS}
        by_community = {}
        for unit, covered in providers[:2]:
            for c in covered:
                by_community[c.pk] = unit
        busy: dict[tuple[int, date], int] = {}
        records = []
        auditor = User.objects.filter(username="auditor").first()
        for month in _months_back(today, 12):
            days = (month_start(month + timedelta(days=32)) - month).days
            for elder in register:
                unit = by_community[elder.community_id]
                hours_left = HOURS[elder.grade] * USE * rng.uniform(0.6, 1.4)
                while hours_left >= 1:
                    length = min(Decimal(rng.choice([1, 1.5, 2, 2, 3])), Decimal(str(int(hours_left))))
                    day = month + timedelta(days=rng.randrange(days))
                    slot = busy.get((unit.pk, day), 0)
                    if slot >= len(SLOTS) * len(workers[unit.pk]):
                        continue
                    busy[(unit.pk, day)] = slot + 1
                    worker = workers[unit.pk][slot // len(SLOTS)]
                    begin = timezone.make_aware(datetime.combine(day, time(SLOTS[slot % len(SLOTS)])))
                    records.append(ServiceRecord(
                        elder=elder, provider=unit, service=rng.choice(services), worker=worker, started_at=begin,
                        ended_at=begin + timedelta(hours=float(length)), month=month, hours=length,
                        confirmed_by=elder.resident.name, status=ServiceRecord.Status.APPROVED, reviewed_by=auditor,
                        reviewed_at=begin + timedelta(days=3), hourly_price=price[elder.grade],
                        amount=length * price[elder.grade], created_at=begin + timedelta(hours=3),
                        revisit_selected=rng.random() < 0.1))
                    hours_left -= float(length)
        for r in records:
            if r.revisit_selected:
                r.revisit_satisfied = rng.random() < 0.95
                r.revisit_answer = "老人确认已上门服务" if r.revisit_satisfied else "老人反映时间不足"
        ServiceRecord.objects.bulk_create(records, batch_size=2000)
        for unit, _c in providers[:2]:
            for month in _months_back(today, 12)[:-1]:  # last month still waits for its statement
                mine = ServiceRecord.objects.filter(provider=unit, month=month)
                hours = sum(mine.values_list("hours", flat=True), Decimal(0))
                amount = sum(mine.values_list("amount", flat=True), Decimal(0))
                statement = Statement.objects.create(provider=unit, month=month, hours=hours, amount=amount,
                                                     issued_by=auditor, issued_at=timezone.make_aware(
                                                         datetime.combine(month + timedelta(days=40), time(10))))
                mine.update(statement=statement)

    _this_month(city, register, providers, login, rng, now)
    return (f"home care: {len(register)} elders, {len(providers)} providers, {len(records)} records of the past year"
            f" in {time_module.perf_counter() - started:.1f} s;"
            f" logins careworker (provider's worker, /care/worker/), auditor (/care/audit/), resident (/care/me/)")


def _this_month(city, register, providers, login, rng, now: datetime) -> None:
    """This month's tasks through the services, each requested before its day as a community would:
    some done already (requested, claimed and recorded at their own past times), the others planned
    for the next days, some claimed and due soon, some waiting for a claim.  None is overdue at birth,
    so the home-care tasks do not crowd the overdue lists and the hot issues."""
    from minsheng.organisation.models import Membership as M

    today = timezone.localdate(now)
    staff_of = {}
    for m in M.objects.filter(role=Role.COMMUNITY_STAFF, unit__kind=Unit.Kind.COMMUNITY_COMMITTEE,
                              user__username__endswith="community_staff").select_related("unit", "user"):
        staff_of[m.unit.region_id] = m.user
    cleaning = CareService.objects.get(code="cleaning")
    covered = {c.pk for c in providers[0][1]}
    mine = [e for e in register if e.community_id in covered][:12]
    others = [e for e in register if e not in mine][:8]
    for n, elder in enumerate(mine + others):
        actor = staff_of.get(elder.community_id)
        if actor is None:
            continue
        forget_grants(actor)
        if elder in mine and n % 3 == 0:
            # Done: planned in the last days, requested two days before, claimed, visited on the day.
            planned = today - timedelta(days=1 + n % 4)
            asked = timezone.make_aware(datetime.combine(planned - timedelta(days=2), time(9)))
            with clock.frozen_at(asked):
                task = task_services.request_care(actor, elder.pk, service=cleaning, planned_on=planned,
                                                  hours="1", channel=Channel.STATION)
            with clock.frozen_at(asked + timedelta(hours=1)):
                task = task_services.claim(login, task.pk)
            begin = timezone.make_aware(datetime.combine(planned, time(8 + n % 8)))
            with clock.frozen_at(begin + timedelta(hours=1, minutes=10)):
                record_services.record_visit(login, task.demand_id, task.demand.version, started_at=begin,
                                             ended_at=begin + timedelta(hours=1), confirmed_by=elder.resident.name,
                                             signature=demo_signature(n), check_in=_doorstep(elder, 0),
                                             check_out=_doorstep(elder, 1), device_times=True)
            continue
        # Ahead: planned from tomorrow on, requested this morning; two in three of provider 1's are claimed.
        with clock.frozen_at(now - timedelta(hours=2)):
            task = task_services.request_care(actor, elder.pk, service=cleaning,
                                              planned_on=today + timedelta(days=1 + n % 5), hours="1",
                                              channel=Channel.STATION)
            if elder in mine and n % 3 != 2:
                task_services.claim(login, task.pk)
