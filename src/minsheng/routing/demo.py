"""Demo hot issues: in a few communities, several residents report the same problem within the
last days (the way a hot issue forms), registered through the real services so that the
duplicate signatures the hot issues cluster on are written as for any demand.  Seeded once by
seed_demo (its mark "hot_issues"), independent of the history's random plan."""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from minsheng.catalogue.models import Category, DemandType, TimeLimitPolicy
from minsheng.core import clock
from minsheng.demands import services as engine
from minsheng.demands.workflow import Channel
from minsheng.demo.city import City
from minsheng.organisation.roles import Role
from minsheng.people.models import Resident

# (category, title, description) with {place}: what several neighbours call about in one week.
PROBLEMS = [
    ("environment.noise", "{compound}附近工地夜间施工扰民",
     "{place}附近的工地连续多日夜间施工到凌晨，噪音很大，老人孩子无法休息，希望有关部门尽快制止夜间施工。"),
    ("construction.utilities", "{compound}停水没有通知",
     "{place}从前天开始停水，事先没有任何通知，居民做饭洗漱都很困难，希望尽快恢复供水并说明原因。"),
    ("environment.waste", "{compound}垃圾堆积无人清运",
     "{place}的垃圾站已经好几天没有清运，垃圾堆到路边，气味很大，招苍蝇，希望尽快安排清运。"),
]
ADDED = ["", "已经不是第一次了。", "邻居们都很有意见。", "请尽快处理。", "家里有老人，影响很大。"]


def seed_hot_issues(city: City, residents: list[Resident], *, seed: int, now: datetime) -> str:
    """Four to six calls about one problem in each of three communities over the last five days;
    the first one is dispatched to the unit the catalogue names and accepted.  A summary line."""
    rng = random.Random(seed + 23)
    operator = city.actors[("XC-CENTRE", Role.HOTLINE_OPERATOR)]
    general = TimeLimitPolicy.objects.get(code="general")
    types = {t.code: t for t in DemandType.objects.all()}
    categories = {c.code: c for c in Category.objects.all()}
    communities = rng.sample(city.communities, len(PROBLEMS))
    total = 0
    for community, (leaf, title, description) in zip(communities, PROBLEMS, strict=True):
        grid = next(g for g in city.grids if g.parent_id == community.pk)
        building = city.buildings[grid.pk][0]
        compound = building.name.removesuffix("1号楼")
        callers = [r for r in residents if r.region_id and r.region.path.startswith(community.path)] or residents
        # Calls in waking hours over the last five days, none in the last half hour.
        calls = sorted(min(timezone.localtime(now - timedelta(days=rng.uniform(0, 5))).replace(
            hour=rng.randrange(8, 21), minute=rng.randrange(60)), now - timedelta(minutes=30))
            for _ in range(rng.randint(4, 6)))
        place = f"{community.name}{compound}"
        for n, at in enumerate(calls):
            with clock.frozen_at(at):
                demand = engine.register_demand(
                    operator, channel=Channel.HOTLINE, demand_type=types["complaint"],
                    title=title.format(compound=compound),
                    description=description.format(place=place) + rng.choice(ADDED), region=grid,
                    category=categories[leaf], urgency=general, reporter=rng.choice(callers), address=place,
                    consent=True, latitude=building.latitude, longitude=building.longitude)
            total += 1
            if n == 0:
                street = city.street_of(community)
                dispatcher = city.actors[(f"{street.code}-OFFICE", Role.STREET_DISPATCHER)]
                with clock.frozen_at(at + timedelta(minutes=10)):
                    demand = engine.verify_demand(operator, demand.pk, demand.version)
                with clock.frozen_at(at + timedelta(minutes=25)):
                    engine.dispatch_demand(dispatcher, demand.pk, demand.version)
    return f"hot issues: {total} calls about {len(PROBLEMS)} problems in {len(PROBLEMS)} communities"
