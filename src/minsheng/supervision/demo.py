"""Demo data for time limits at work: in every street, demands being handled right now whose
deadline is near (临期, yellow) or just passed (超期, red), 督办 orders on the late ones (some
answered), and 吹哨报到 summonses with departments that reported in and some still owed.

The demands are the part's own, registered, dispatched and accepted through the real services at
moments chosen so that the deadline the catalogue's time limit gives falls where it should; so
this part does not depend on the history's random plan or on the order of the parts (seed_demo
runs it once, its mark "supervision")."""

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from minsheng.catalogue.calendar import handling_deadlines
from minsheng.catalogue.models import Category, DemandType, TimeLimitPolicy
from minsheng.core import clock
from minsheng.demands import services as engine
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Channel
from minsheng.demo.city import City
from minsheng.demo.history import Replayer
from minsheng.demo.texts import compose_demand
from minsheng.organisation.roles import Role
from minsheng.people.models import Resident

from . import services

# Categories a department handles district-wide (the catalogue's rules), whose problems take days.
CATEGORIES = ["environment.noise", "environment.waste", "construction.roads", "construction.utilities",
              "commerce.market_order", "environment.air", "transport.traffic", "health.food_safety"]
# Departments summoned together to a problem that crosses their remits (吹哨).
WHISTLES = [
    ("construction.utilities", ["XC-ZJ", "XC-CG", "XC-HB"],
     "老旧管网破损，涉及住建、城管、环保多个部门，吹哨报到现场会商。"),
    ("environment.waste", ["XC-CG", "XC-HB", "XC-SJ"], "垃圾清运与周边商户经营问题交织，请相关部门到现场报到。"),
    ("transport.traffic", ["XC-JT", "XC-CG", "XC-JY"], "学校门口交通拥堵，需交通、城管、教育部门联合处置。"),
]
INSTRUCTIONS = ["该诉求已超期，请于期限内书面说明原因并提出整改时限。",
                "群众反映强烈，请主要负责同志亲自督办，按期回复。"]
REPLIES = ["已成立专班，明日完成现场处置，处理结果将及时反馈居民。",
           "超期原因是施工单位进场延误，现已协调到位，三日内办结。"]
REPORTS = ["已派员到现场报到，负责协调本部门职责内的事项。", "已到场会商，明确分工，本周内落实到位。"]


class Moments:
    """Dispatch moments whose handling deadline falls where a demand should stand now."""

    def __init__(self, now: datetime):
        self.now = now
        self.policies = [TimeLimitPolicy.objects.get(code=code) for code in ("general", "complex", "utilities")]
        self.dues: dict[tuple[str, int], datetime] = {}  # (policy, hours back) → deadline, shared by all searches

    def due(self, policy: TimeLimitPolicy, hours: int) -> datetime:
        key = (policy.code, hours)
        if key not in self.dues:
            self.dues[key] = handling_deadlines(policy, self.now - timedelta(hours=hours))[1]
        return self.dues[key]

    def find(self, wanted: Callable[[datetime, datetime], bool],
             rng: random.Random) -> tuple[TimeLimitPolicy, datetime]:
        """A time limit and a past dispatch moment whose deadline satisfies ``wanted(start, due)``.
        Working days and holidays make the deadline of a given moment irregular, so the moment is
        searched hour by hour backwards (from a random offset, so that the demands spread) until the
        deadlines lie a day in the past; over a weekend or a holiday no deadline in working days may
        fit, and the time limit in hours (水电气热) is taken instead."""
        for policy in self.policies:
            for hours in range(1 + rng.randrange(6), 24 * 40):
                start = self.now - timedelta(hours=hours)
                if not 8 <= timezone.localtime(start).hour < 18:
                    continue  # dispatchers work by day
                due = self.due(policy, hours)
                if wanted(start, due):
                    return policy, start
                if due < self.now - timedelta(days=1):
                    break  # earlier moments only have earlier deadlines
        raise LookupError("no dispatch moment found")


def _yellow(now: datetime, share: float) -> Callable[[datetime, datetime], bool]:
    # Less than ``share`` of the time is left (turns_yellow_at), and at least a few hours.
    return lambda start, due: due - (due - start) * share < now < due - timedelta(hours=3)


def _red(now: datetime) -> Callable[[datetime, datetime], bool]:
    # Late by hours: under the automatic escalation's day, so the demo shows them red first.
    return lambda start, due: now - timedelta(hours=22) < due < now - timedelta(hours=1)


class Live:
    """Registers, dispatches and accepts one demand at chosen past moments."""

    def __init__(self, city: City, residents: list[Resident], now: datetime):
        self.city, self.now = city, now
        self.replayer = Replayer(city, residents, now)
        self.residents = [r for r in residents if r.region_id]
        self.types = {t.code: t for t in DemandType.objects.all()}
        self.categories = {c.code: c for c in Category.objects.all()}

    def demand(self, rng: random.Random, grid, leaf: str, moment: tuple[TimeLimitPolicy, datetime]) -> Demand:
        policy, dispatched_at = moment
        if policy.code == "utilities":
            leaf = "construction.utilities"  # the text must be about water, power, gas or heating
        building = rng.choice(self.city.buildings[grid.pk])
        place = self.city.place(rng, grid, building)
        # A problem to handle, not a question answered on the phone or a thank-you: those are not
        # dispatched under a deadline, let alone supervised.
        text = compose_demand(rng, leaf, place)
        for _ in range(20):
            if text.demand_type in ("complaint", "help", "report"):
                break
            text = compose_demand(rng, leaf, place)
        street = self.city.street_of(grid)
        operator = self.replayer.actor("XC-CENTRE", Role.HOTLINE_OPERATOR)
        dispatcher = self.replayer.actor(f"{street.code}-OFFICE", Role.STREET_DISPATCHER)
        residents = [r for r in self.residents if r.region_id == grid.pk] or self.residents
        with clock.frozen_at(dispatched_at - timedelta(minutes=rng.uniform(40, 120))):
            demand = engine.register_demand(
                operator, channel=Channel.HOTLINE, demand_type=self.types[text.demand_type], title=text.title,
                description=text.description, region=building, category=self.categories[leaf], urgency=policy,
                reporter=rng.choice(residents), address=place, consent=True,
                latitude=building.latitude, longitude=building.longitude)
        with clock.frozen_at(dispatched_at - timedelta(minutes=rng.uniform(5, 30))):
            demand = engine.verify_demand(operator, demand.pk, demand.version)
        with clock.frozen_at(dispatched_at):
            demand = engine.dispatch_demand(dispatcher, demand.pk, demand.version)
        handler = self.replayer.handler_for(demand)
        with clock.frozen_at(dispatched_at + timedelta(minutes=rng.uniform(20, 90))):
            demand = engine.accept_demand(handler, demand.pk, demand.version)
        with clock.frozen_at(dispatched_at + timedelta(hours=rng.uniform(2, 5))):
            demand = engine.record_progress(handler, demand.pk, demand.version, contact=True,
                                            note="已电话联系诉求人，约定上门查看。")
        return demand


def seed_supervision(city: City, residents: list[Resident], *, seed: int, now: datetime) -> str:
    """Per street: two demands due soon, two overdue (one ordered to reply, answered or not), one
    summons; and one order by the district leader.  Returns a line for seed_demo to print."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    rng = random.Random(seed + 17)
    live = Live(city, residents, now)
    moments = Moments(now)
    share = settings.MINSHENG_YELLOW_SHARE
    counts = {"yellow": 0, "red": 0, "orders": 0, "summonses": 0}
    late = []
    for index, street in enumerate(city.streets):
        grids = [g for g in city.grids if g.path.startswith(street.path)]
        dispatcher = live.replayer.actor(f"{street.code}-OFFICE", Role.STREET_DISPATCHER)
        for _ in range(2):
            live.demand(rng, rng.choice(grids), rng.choice(CATEGORIES), moments.find(_yellow(now, share), rng))
            counts["yellow"] += 1
        for n in range(2):
            demand = live.demand(rng, rng.choice(grids), rng.choice(CATEGORIES), moments.find(_red(now), rng))
            counts["red"] += 1
            late.append(demand)
            if n == 0:
                # The street dispatcher orders the late unit to reply in writing; half have replied.
                with clock.frozen_at(now - timedelta(minutes=rng.uniform(30, 50))):
                    demand = services.order_supervision(dispatcher, demand.pk, demand.version,
                                                        instruction=rng.choice(INSTRUCTIONS),
                                                        reply_by=now + timedelta(days=1))
                counts["orders"] += 1
                if rng.random() < 0.5:
                    with clock.frozen_at(now - timedelta(minutes=rng.uniform(5, 25))):
                        services.reply_supervision(live.replayer.handler_for(demand), demand.pk, demand.version,
                                                   reply=rng.choice(REPLIES))
        leaf, codes, reason = WHISTLES[index % len(WHISTLES)]
        demand = live.demand(rng, rng.choice(grids), leaf, moments.find(_yellow(now, share), rng))
        counts["yellow"] += 1
        # Summoned a day ago with a day to report: the first department came in time, the second
        # came late, the third still owes its report (the sweeps remind it).
        summoned_at = now - timedelta(hours=rng.uniform(27, 30))
        with clock.frozen_at(summoned_at):
            demand = services.summon_units(dispatcher, demand.pk, demand.version, units=codes, reason=reason,
                                           report_hours=24)
        counts["summonses"] += 1
        for code, after in zip(codes[:2], (rng.uniform(2, 20), rng.uniform(24.5, 25.5)), strict=True):
            with clock.frozen_at(summoned_at + timedelta(hours=after)):
                demand = services.report_in(city.actors[(code, Role.DEPARTMENT_HANDLER)], demand.pk, demand.version,
                                            report=rng.choice(REPORTS))
    leader = get_user_model().objects.filter(username="leader").first()
    if leader is not None and len(late) > 1:
        demand = Demand.objects.get(pk=late[1].pk)
        with clock.frozen_at(now - timedelta(minutes=15)):
            services.order_supervision(leader, demand.pk, demand.version,
                                       instruction="区领导督办：请立即处置并报告结果。",
                                       reply_by=now + timedelta(hours=12))
        counts["orders"] += 1
    return ("supervision: {yellow} demands due soon, {red} overdue, {orders} supervision orders, "
            "{summonses} summonses").format(**counts)
