"""The demo city's meal assistance (issue #31): a village elder canteen (丹东路, 三个一点: the
government, the village collective and the elder each pay a part) and a community canteen
(玫瑰城), each with meal times, this fortnight's menus, dated price policies (the standard
subsidy changed on 1 July), diners of every tier, a year of meals, a year of deliveries by
volunteers (credited in the ledger), monthly statements issued up to last month, and food-safety
checks with photos.

Speed: the year's counter meals are bulk-created as ``services.take_meal`` would have written them
(priced by the policy valid on their day) and billed month by month as ``billing.issue_statement``
links them; every delivery goes through the services (booked, claimed, delivered) under the
frozen clock of its day, so its demand, events and hours are those of the engine."""

import io
import random
import time as time_module
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db.models import Count, Sum
from django.utils import timezone
from PIL import Image

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import forget_grants, grants_with_roles
from minsheng.volunteers.models import Volunteer

from . import deliveries, services
from .models import Canteen, Diner, Meal, MealTime, Menu, PricePolicy, Statement, Tier

DISHES = ["清蒸鲈鱼、蒜蓉菠菜、小米粥", "西红柿炒蛋、土豆丝、二米饭", "白菜炖豆腐、肉末茄子、馒头",
          "胡萝卜炖牛肉、清炒西葫芦、米饭", "小鸡炖蘑菇（少油）、凉拌黄瓜、发糕", "鱼丸冬瓜汤、木耳山药、软米饭",
          "猪肉白菜水饺（少盐）、紫菜蛋花汤", "南瓜小米粥、鸡蛋羹、豆腐脑"]
DIETS = [["low_salt", "low_oil"], ["soft"], ["low_salt", "soft"], ["low_sugar", "low_oil"]]
TIERS = [Tier.STANDARD] * 6 + [Tier.DIBAO] * 2 + [Tier.TEKUN] + [Tier.FREE]


def _photo(rng: random.Random) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (rng.randrange(150, 230), rng.randrange(150, 230), rng.randrange(150, 230))).save(
        buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name="check.jpg")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _policies(canteen: Canteen, start: date, change: date, village: bool) -> None:
    """三个一点: a meal costs 12 yuan in the village (the collective pays a part), 15 in the community;
    the standard subsidy rose on ``change``."""
    rows = ([(Tier.STANDARD, start, "4", "3", "5"), (Tier.STANDARD, change, "5", "3", "4"),
             (Tier.DIBAO, start, "6", "3", "3"), (Tier.TEKUN, start, "8", "3", "1"), (Tier.FREE, start, "9", "3", "0")]
            if village else
            [(Tier.STANDARD, start, "5", "2", "8"), (Tier.STANDARD, change, "6", "2", "7"),
             (Tier.DIBAO, start, "8", "2", "5"), (Tier.TEKUN, start, "10", "2", "3"),
             (Tier.FREE, start, "13", "2", "0")])
    for tier, valid_from, g, c, e in rows:
        PricePolicy.objects.create(canteen=canteen, tier=tier, valid_from=valid_from, government=Decimal(g),
                                   collective=Decimal(c), elder=Decimal(e))


def _delivery_volunteers(city, canteen: Canteen, people, taken: set[int]) -> list:
    """The volunteers who bring this canteen's meals: the printed volunteer login when it volunteers
    in the canteen's community (the wishes demo makes it one), and two more with accounts, each with
    the volunteer's role in the community (as ``volunteers.services`` gives it)."""
    User = get_user_model()
    users = []
    login = User.objects.filter(username="volunteer", resident__volunteer__isnull=False).first()
    if login is not None and any(g.region_path is not None and canteen.region.path.startswith(g.region_path)
                                 for g in grants_with_roles(login, {Role.VOLUNTEER})):
        users.append(login)
    unusable = make_password(None)
    inside = set(Region.objects.filter(path__startswith=canteen.region.path).values_list("pk", flat=True))
    taken |= set(Volunteer.objects.values_list("resident_id", flat=True))
    local = [r for r in people if r.region_id in inside and r.user_id is None and r.pk not in taken][:2]
    for n, resident in enumerate(local, start=1):
        taken.add(resident.pk)
        user, _ = User.objects.get_or_create(username=f"{canteen.code.lower()}-v{n}", defaults={
            "password": unusable, "first_name": resident.name})
        resident.user = user
        resident.save(update_fields=["user"])
        Membership.objects.get_or_create(user=user, unit=canteen.operator, role=Role.VOLUNTEER)
        Volunteer.objects.create(resident=resident, region=canteen.region, card_number=f"MV{canteen.pk:03d}{n:02d}",
                                 joined_on=timezone.localdate() - timedelta(days=400), categories=["general"])
        users.append(user)
    return users


def seed_meals(city, people, *, seed: int, now: datetime) -> str:
    if Canteen.objects.exists():
        return f"meals: {Canteen.objects.count()} canteens (kept)"
    started = time_module.perf_counter()
    rng = random.Random(seed + 31)
    today = timezone.localdate(now)
    first_day = today - timedelta(days=365)
    change = date(today.year, 7, 1) if today >= date(today.year, 7, 1) else date(today.year - 1, 7, 1)
    community, village = city.communities[0], city.communities[2]
    User = get_user_model()
    staff = {c.pk: Membership.objects.filter(unit__region=c, unit__kind=Unit.Kind.COMMUNITY_COMMITTEE,
                                             role=Role.COMMUNITY_STAFF).select_related("user").first()
             for c in (community, village)}
    dispatcher = User.objects.get(username="dispatcher")
    canteens = [
        Canteen.objects.create(code="XC-GM-01-MEALS", name="玫瑰城社区长者食堂", kind=Canteen.Kind.COMMUNITY,
                               region=community, operator=Unit.objects.get(code=f"{community.code}-CC"),
                               address="玫瑰城社区服务中心一楼", open_weekdays="1234567",
                               delivery_hours=Decimal("0.5")),
        Canteen.objects.create(code="XC-GM-03-MEALS", name="丹东路村老年餐厅", kind=Canteen.Kind.VILLAGE,
                               region=village, operator=Unit.objects.get(code=f"{village.code}-CC"),
                               address="丹东路村委会西侧平房", open_weekdays="123456", delivery_hours=Decimal("1")),
    ]
    for canteen in canteens:
        MealTime.objects.create(canteen=canteen, sitting="lunch", starts=time(11), ends=time(12, 30))
        if canteen.kind == Canteen.Kind.COMMUNITY:
            MealTime.objects.create(canteen=canteen, sitting="dinner", starts=time(17), ends=time(18))
        _policies(canteen, first_day - timedelta(days=30), change, canteen.kind == Canteen.Kind.VILLAGE)
        for n in range(14):
            day = today - timedelta(days=today.weekday()) + timedelta(days=n)
            if canteen.opens_on(day):
                for sitting in canteen.meal_times.values_list("sitting", flat=True):
                    Menu.objects.create(canteen=canteen, day=day, sitting=sitting, dishes=rng.choice(DISHES),
                                        diets=rng.choice(DIETS))

    # Each canteen's delivering volunteers first (residents of its community), then its diners.
    taken: set[int] = set()
    volunteers_of = {canteen.pk: _delivery_volunteers(city, canteen, people, taken) for canteen in canteens}
    # Diners: elders among the residents of each canteen's community; a few cannot walk (delivery).
    diners: dict[int, list[Diner]] = {}
    for c_index, canteen in enumerate(canteens):
        inside = set(Region.objects.filter(path__startswith=canteen.region.path).values_list("pk", flat=True))
        taken |= set(Diner.objects.values_list("resident_id", flat=True))
        local = [r for r in people if r.region_id in inside and r.pk not in taken][: (40 if c_index == 0 else 25)]
        rows = [Diner(resident=r, canteen=canteen, card_number=f"ZC{c_index + 1}{i:04d}", tier=rng.choice(TIERS),
                      delivery=i % 8 == 3, since=first_day) for i, r in enumerate(local, start=1)]
        Diner.objects.bulk_create(rows)
        diners[canteen.pk] = list(Diner.objects.filter(canteen=canteen).select_related("resident"))

    # A year of counter meals (today's lunch included when it has begun), priced by the policy of the day.
    policies = {}
    for p in PricePolicy.objects.filter(canteen__in=canteens).order_by("valid_from"):
        policies.setdefault((p.canteen_id, p.tier), []).append(p)

    def policy(canteen, tier, day):
        return [p for p in policies[(canteen.pk, tier)] if p.valid_from <= day][-1]

    operators = {c.pk: staff[c.region_id].user if staff[c.region_id] else dispatcher for c in canteens}
    meals = []
    day = first_day
    now_time = timezone.localtime(now).time()
    while day <= today:
        for canteen in canteens:
            if not canteen.opens_on(day):
                continue
            for sitting, starts in canteen.meal_times.values_list("sitting", "starts"):
                if day == today and now_time < starts:
                    continue
                for diner in diners[canteen.pk]:
                    if diner.delivery or rng.random() > (0.72 if sitting == "lunch" else 0.35):
                        continue
                    p = policy(canteen, diner.tier, day)
                    at = _at(day, starts.hour, rng.randrange(0, 50))
                    meals.append(Meal(canteen=canteen, diner=diner, day=day, month=day.replace(day=1), sitting=sitting,
                                      way=Meal.Way.COUNTER, channel=Meal.Channel.COUNTER, status=Meal.Status.SERVED,
                                      tier=diner.tier, policy=p, price=p.price, government=p.government,
                                      collective=p.collective, elder=p.elder, recorded_by=operators[canteen.pk],
                                      recorded_at=at, served_at=at))
        day += timedelta(days=1)
    Meal.objects.bulk_create(meals, batch_size=2000)

    # A year of deliveries through the services: three delivery diners a canteen get lunch brought every
    # other week (the rest of their meals are not in the demo),
    # booked the day before by phone, claimed in the morning, delivered at noon.
    delivered = 0
    for canteen in canteens:
        volunteers = volunteers_of[canteen.pk]
        actor = operators[canteen.pk]
        forget_grants(actor)
        for diner in [d for d in diners[canteen.pk] if d.delivery][:3]:
            day = first_day + timedelta(days=rng.randrange(14))
            while day < today and volunteers:
                if canteen.opens_on(day):
                    with clock.frozen_at(_at(day - timedelta(days=1), 16)):
                        meal = services.book_meal(actor, diner.pk, day=day, sitting="lunch", channel="phone",
                                                  deliver=True)
                    volunteer = volunteers[delivered % len(volunteers)]
                    forget_grants(volunteer)
                    demand = meal.delivery.demand
                    with clock.frozen_at(_at(day, 10, 30)):
                        demand = deliveries.claim_delivery(volunteer, demand.pk, demand.version)
                    with clock.frozen_at(_at(day, 11, 50)):
                        deliveries.deliver(volunteer, demand.pk, demand.version, note="已送到老人手中")
                    delivered += 1
                day += timedelta(days=14)
        # Today's (or the next open day's) deliveries: waiting for a volunteer, and one claimed.
        upcoming = today if canteen.opens_on(today) else today + timedelta(days=1)
        for n, diner in enumerate([d for d in diners[canteen.pk] if d.delivery]):
            with clock.frozen_at(now - timedelta(hours=1)):
                try:
                    meal = services.book_meal(actor, diner.pk, day=upcoming, sitting="lunch", channel="group",
                                              deliver=True)
                except MinshengError:  # booked already, or no lunch on that day
                    continue
            if n == 0 and volunteers:
                forget_grants(volunteers[0])
                with clock.frozen_at(now - timedelta(minutes=30)):
                    deliveries.claim_delivery(volunteers[0], meal.delivery.demand_id, meal.delivery.demand.version)
        # A few bookings for the counter tomorrow, taken by phone.
        tomorrow = today + timedelta(days=1)
        if canteen.opens_on(tomorrow):
            for diner in [d for d in diners[canteen.pk] if not d.delivery][:3]:
                with clock.frozen_at(now):
                    services.book_meal(actor, diner.pk, day=tomorrow, sitting="lunch", channel="phone")

    # Statements issued for every whole month before last (last month waits for the street office).
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    for canteen in canteens:
        months = (Meal.objects.filter(canteen=canteen, month__lt=last_month, status=Meal.Status.SERVED)
                  .values_list("month", flat=True).distinct())
        for month in sorted(set(months)):
            served = Meal.objects.filter(canteen=canteen, month=month, status=Meal.Status.SERVED)
            agg = served.aggregate(n=Count("pk"), g=Sum("government"), c=Sum("collective"), e=Sum("elder"))
            statement = Statement.objects.create(canteen=canteen, month=month, meal_count=agg["n"],
                                                 government=agg["g"], collective=agg["c"], elder=agg["e"],
                                                 issued_by=dispatcher,
                                                 issued_at=_at(month + timedelta(days=40), 10))
            served.update(statement=statement)
        # Food-safety checks: one a month for the last three months, with photos.
        for back in (75, 45, 15):
            with clock.frozen_at(now - timedelta(days=back)):
                inspector = operators[canteen.pk]
                forget_grants(inspector)
                services.record_safety_check(inspector, canteen, on=today - timedelta(days=back), passed=back != 45,
                                             note=("后厨整洁，留样 48 小时齐全，从业人员健康证有效" if back != 45 else
                                                   "冷藏柜温度偏高，已要求当日整改"),
                                             photos=[_photo(rng), _photo(rng)])
    total = Meal.objects.filter(canteen__in=canteens).count()
    return (f"meals: {len(canteens)} canteens, {sum(len(d) for d in diners.values())} diners, {total} meals, "
            f"{delivered} deliveries in {time_module.perf_counter() - started:.1f} s; "
            f"logins community (/meals/), volunteer (/meals/deliveries/), dispatcher (statements)")
