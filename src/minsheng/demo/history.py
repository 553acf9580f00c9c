"""A year of demands replayed through the real services.

Each demand gets a plan — the transitions it goes through and when — drawn from a
random generator seeded by the demand's index.  The plan runs step by step under
``clock.frozen_at``; steps that would lie in the future are not taken, so recent demands
stop part-way and every state of the workflow is present, as in a live system.
"""

import random
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from minsheng.catalogue.models import Category, DemandType, TimeLimitPolicy
from minsheng.catalogue.selectors import responsible_unit
from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.demands import services
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Channel, Kind
from minsheng.organisation.models import Unit
from minsheng.organisation.roles import Role
from minsheng.people.models import Resident, VulnerableTag

from .answers import revisit_answers, solved_for
from .city import City, person_name
from .texts import category_codes, compose_demand

CHANNEL_WEIGHTS = [(Channel.HOTLINE, 52), (Channel.WECHAT, 12), (Channel.WEB, 8), (Channel.STATION, 9),
                   (Channel.PATROL, 11), (Channel.MEETING, 2), (Channel.POLICE_110, 4), (Channel.EMAIL, 2)]
HOUR = timedelta(hours=1)


def _agrees_to_publish(channel: str, key: str) -> bool:
    """同意公开 for a demo demand: seven in ten residents reporting online tick the box, three in ten
    of those asked by an operator agree.  Drawn from the demand's own key, not from the history's
    generator, so that the rest of the replay stays as it was."""
    share = 7 if channel in services.PUBLIC_CHANNELS else 3
    return zlib.crc32(key.encode()) % 10 < share


def _id_number(rng: random.Random) -> str:
    birth = datetime(1940, 1, 1) + timedelta(days=rng.randrange(365 * 60))
    body = f"210404{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body)


def seed_residents(city: City, count: int, rng: random.Random) -> list[Resident]:
    """Residents with unique mobile numbers; about one in eight in a vulnerable group."""
    existing = list(Resident.objects.filter(phone__startswith="1390").order_by("pk"))
    tags = list(VulnerableTag.objects.all())
    phones = {r.phone for r in existing}
    new = []
    while len(existing) + len(new) < count:
        phone = f"1390{rng.randrange(10**7):07d}"
        if phone in phones:
            continue
        phones.add(phone)
        grid = rng.choice(city.grids)
        building = rng.choice(city.buildings[grid.pk])
        new.append(Resident(name=person_name(rng), phone=phone, region=grid,
                            id_number=_id_number(rng) if rng.random() < 0.3 else "",
                            address=f"{city.street_of(grid).name}{city.community_of(grid).name}{building.name}"))
    Resident.objects.bulk_create(new)
    residents = list(Resident.objects.filter(phone__startswith="1390").order_by("pk"))
    if new:
        through = Resident.tags.through
        links = [through(resident_id=r.pk, vulnerabletag_id=rng.choice(tags).pk)
                 for r in residents[len(existing):] if rng.random() < 0.12]
        through.objects.bulk_create(links)
    return residents


class Replayer:
    """Turns one demand's plan into service calls by the right people at the right times."""

    def __init__(self, city: City, residents: list[Resident], now: datetime):
        self.city, self.residents, self.now = city, residents, now
        self.types = {t.code: t for t in DemandType.objects.all()}
        self.categories = {c.code: c for c in Category.objects.all()}
        self.policies = {p.code: p for p in TimeLimitPolicy.objects.all()}
        self.recent_open: dict[tuple[int, str], Demand] = {}  # (grid, category) → a demand to merge into
        self.responsible: dict[tuple[int, int], Unit] = {}  # (category, region) → the catalogue's unit
        self.counts: dict[str, int] = {}

    def actor(self, unit_code: str, role: str):
        return self.city.actors[(unit_code, role)]

    def handler_for(self, demand: Demand):
        unit = demand.handling_unit
        for role in (Role.DEPARTMENT_HANDLER, Role.COMMUNITY_STAFF, Role.STATION_AGENT):
            if (unit.code, role) in self.city.actors:
                return self.city.actors[(unit.code, role)]
        raise LookupError(f"no demo handler for {unit.code}")

    def replay(self, index: int, start: datetime, rng: random.Random) -> Demand | None:
        grid = rng.choice(self.city.grids)
        community, street = self.city.community_of(grid), self.city.street_of(grid)
        building = rng.choice(self.city.buildings[grid.pk])
        leaf = rng.choice(category_codes())
        place = self.city.place(rng, grid, building)
        text = compose_demand(rng, leaf, place)
        channel = rng.choices([c for c, _ in CHANNEL_WEIGHTS], [w for _, w in CHANNEL_WEIGHTS])[0]
        reporter = rng.choice(self.residents)
        cc, station = f"{community.code}-CC", f"{community.code}-ST"
        intake = {
            Channel.HOTLINE: self.actor("XC-CENTRE", Role.HOTLINE_OPERATOR),
            Channel.POLICE_110: self.actor("XC-CENTRE", Role.HOTLINE_OPERATOR),
            Channel.EMAIL: self.actor("XC-CENTRE", Role.HOTLINE_OPERATOR),
            Channel.STATION: self.actor(station, Role.STATION_AGENT),
            Channel.PATROL: self.actor(grid.code, Role.GRID_WORKER),
            Channel.MEETING: self.actor(cc, Role.COMMUNITY_STAFF),
        }.get(channel)
        dispatcher = self.actor(f"{street.code}-OFFICE", Role.STREET_DISPATCHER)
        operator = self.actor("XC-CENTRE", Role.HOTLINE_OPERATOR)
        verifier = operator if channel in (Channel.HOTLINE, Channel.POLICE_110, Channel.EMAIL) else \
            self.actor(cc, Role.COMMUNITY_STAFF)

        t = start
        with clock.frozen_at(t):
            demand = services.register_demand(
                intake, channel=channel, demand_type=self.types[text.demand_type], title=text.title,
                description=text.description, region=rng.choice([grid, building]),
                category=self.categories[leaf] if channel != Channel.WEB or rng.random() < 0.5 else None,
                urgency=self.policies[text.urgency], reporter=None if channel == Channel.PATROL else reporter,
                address=place, hide_name=rng.random() < 0.15, consent=True,
                latitude=building.latitude, longitude=building.longitude,
                publish_consent=_agrees_to_publish(channel, f"{start.isoformat()}{text.title}"),
            )

        def step(delay: timedelta, fn: Callable, who, **kwargs) -> bool:
            nonlocal t, demand
            t = t + delay
            if t >= self.now:
                return False
            with clock.frozen_at(t):
                demand = fn(who, demand.pk, demand.version, **kwargs)
            return True

        minutes = lambda lo, hi: timedelta(minutes=rng.uniform(lo, hi))  # noqa: E731
        hours = lambda lo, hi: timedelta(hours=rng.uniform(lo, hi))  # noqa: E731
        roll = rng.random()
        key = (grid.pk, leaf)

        if roll < 0.03:
            step(hours(1, 20), services.reject_invalid, verifier, reason=rng.choice(
                ["重复来电，已有工单在办", "诉求内容不明确，多次联系无人接听", "不属于本区受理范围，已告知居民"]))
            return demand
        if roll < 0.05 and key in self.recent_open and self.recent_open[key].pk != demand.pk:
            target = self.recent_open[key]
            step(hours(1, 8), services.merge_demand, dispatcher, into=target.pk)
            return demand
        self.recent_open[key] = demand
        if text.demand_type in ("consultation", "praise") or roll < 0.12:
            if not step(minutes(3, 40), services.resolve_on_spot, intake or verifier, result=rng.choice(
                    ["已当场向居民解答相关政策，居民表示清楚。", "已电话告知办理流程和所需材料。",
                     "已转达居民的感谢，并向相关单位反馈。", "已现场协调解决。"])):
                return demand
            return self._feedback(demand, step, operator, rng, hours)
        # Residents filing on the web often leave the category blank; verification classifies it.
        if not step(minutes(5, 240), services.verify_demand, verifier,
                    category=None if demand.category_id else self.categories[leaf]):
            return demand
        # Now and then a dispatcher picks a wrong unit by hand; it returns the demand, and the second
        # dispatch follows the dispatch catalogue, so every demand ends with the unit it names.
        category = demand.category or self.categories[leaf]
        key = (category.pk, demand.region_id)
        if key not in self.responsible:  # the catalogue does not change during seeding: asked once per pair
            self.responsible[key] = responsible_unit(category, demand.region)
        right = self.responsible[key]
        wrong = [code for code in ("XC-CG", "XC-ZJ", f"{street.code}-OFFICE", cc) if code != right.code]
        # Only where the dispatch, the return and the second dispatch are over by now (at most 3 + 20 + 6
        # hours from here): a demand still lying at a wrong unit would show the wrong unit on the pages.
        misrouted = rng.random() < (0.3 if start > self.now - timedelta(days=7) else 0.05) \
            and t < self.now - timedelta(hours=30)
        if not step(minutes(10, 180), services.dispatch_demand, dispatcher,
                    unit=rng.choice(wrong) if misrouted else None):
            return demand
        if misrouted:
            if not step(hours(1, 20), services.return_demand, self.handler_for(demand),
                        reason="经核实不属于本单位职责范围，请重新派单。"):
                return demand
            if not step(hours(0.5, 6), services.dispatch_demand, dispatcher):
                return demand
        handler = self.handler_for(demand)
        if not step(hours(0.2, 10), services.accept_demand, handler):
            return demand
        if not step(hours(0.5, 20), services.record_progress, handler, contact=True,
                    note="已电话联系诉求人，了解具体情况并约定上门时间。"):
            return demand
        if rng.random() < 0.04:
            if not step(hours(2, 48), services.escalate_demand, handler, reason="涉及多个部门，需上级协调。"):
                return demand
            upper_dispatcher = self.actor("XC-CENTRE", Role.STREET_DISPATCHER) \
                if demand.handling_unit.code == "XC-CENTRE" else dispatcher
            if not step(hours(1, 24), services.dispatch_demand, upper_dispatcher):
                return demand
            handler = self.handler_for(demand)
            if not step(hours(0.5, 8), services.accept_demand, handler):
                return demand
        if rng.random() < 0.06:
            until = timezone.localtime(demand.handle_due) + timedelta(days=rng.choice((5, 7, 10)))
            if not step(hours(24, 72), services.request_extension, handler, until=until,
                        reason="需协调施工单位和材料，申请延期办理。"):
                return demand
            approve = rng.random() < 0.8
            if not step(hours(1, 24), services.approve_extension if approve else services.deny_extension,
                        dispatcher, **({} if approve else {"reason": "应在原时限内办结。"})):
                return demand
        if rng.random() < 0.03:
            if not step(hours(24, 96), services.request_suspension, handler,
                        reason="需纳入明年老旧小区改造计划，暂不具备解决条件。"):
                return demand
            if not step(hours(2, 48), services.approve_suspension, dispatcher):
                return demand
            if not step(timedelta(days=rng.uniform(5, 60)), services.resume_demand, handler):
                return demand
        if rng.random() < 0.3 and not step(hours(24, 96), services.record_progress, handler, public=True,
                                           note="已安排人员现场查看，正在协调处理。"):
            return demand
        overdue = rng.random() < 0.08
        due_in = max((demand.handle_due - t).total_seconds() / 3600, 1)
        delay = hours(due_in * 1.05, due_in * 1.6) if overdue else hours(min(1, due_in), due_in * 0.9)
        if not step(delay, services.resolve_demand, handler, result=rng.choice(
                ["已安排人员现场处理完毕，并向居民反馈。", "经协调相关单位，问题已解决。",
                 "已完成维修，居民确认恢复正常。", "已依法查处并责令整改，后续持续跟踪。"])):
            return demand
        return self._feedback(demand, step, operator, rng, hours)

    def _feedback(self, demand, step, operator, rng, hours) -> Demand:
        if rng.random() < 0.04:
            step(hours(48, 120), services.close_demand, operator, reason="多次回访未能联系到诉求人。")
            return demand
        answers = revisit_answers(rng)
        satisfaction = answers["satisfaction"]
        if not step(hours(4, 48), services.revisit_demand, operator, **answers,
                    comment="" if satisfaction != "dissatisfied" else "问题没有彻底解决。"):
            return demand
        unsolved = satisfaction == "dissatisfied" or answers["solved"] == "unsolved"
        if unsolved and demand.handling_unit_id and rng.random() < 0.7:
            if not step(hours(1, 6), services.reopen_demand, operator, reason="回访不满意，重新办理。"):
                return demand
            handler = self.handler_for(demand)
            if not step(hours(1, 12), services.accept_demand, handler):
                return demand
            if not step(hours(24, 96), services.resolve_demand, handler, result="重新上门处理，问题已彻底解决。"):
                return demand
            if not step(hours(4, 48), services.revisit_demand, operator, satisfaction="basically_satisfied",
                        solved=solved_for("basically_satisfied", rng)):
                return demand
            step(hours(1, 24), services.close_demand, operator)
            return demand
        step(hours(1, 24), services.close_demand, operator,
             reason="" if satisfaction != "dissatisfied" else "经核实已按政策办理，居民诉求超出政策范围。")
        return demand


def _start_time(rng: random.Random, now: datetime, index: int, total: int) -> datetime:
    """Spread over the last 365 days, denser lately, in waking hours."""
    # The last 2% land in the past week, so that every open state is present.
    days_back = rng.uniform(0, 7) if index >= total * 0.98 else 365 * (rng.random() ** 1.3)
    day = timezone.localtime(now - timedelta(days=days_back))
    moment = day.replace(hour=rng.choice([8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16, 17, 19, 20, 21]),
                         minute=rng.randrange(60), second=rng.randrange(60), microsecond=0)
    return min(moment, now - timedelta(minutes=5))


def seed_demands(city: City, residents: list[Resident], target: int, *, seed: int, now: datetime,
                 progress: Callable[[int], None] | None = None, batch: int = 250) -> int:
    """Replay demands until the demo district holds ``target`` of them; returns how many were added."""
    # The history's own demands: not the wishes and care tasks other apps seed, nor the demands
    # registered from them (which have a parent).
    have = Demand.objects.filter(region__path__startswith=city.district.path, kind=Kind.DEMAND,
                                 parent__isnull=True).count()
    if have >= target:
        return 0
    replayer = Replayer(city, residents, now)
    starts = sorted((_start_time(random.Random(seed * 1_000_003 + i), now, i, target), i)
                     for i in range(target))
    added = 0
    for offset in range(have, target, batch):
        with transaction.atomic():
            for start, index in starts[offset:offset + batch]:
                try:
                    replayer.replay(index, start, random.Random(seed * 7_919 + index))
                except MinshengError as exc:  # a refusal here is a bug in the demo plan, not data
                    raise RuntimeError(f"demo demand {index} was refused: {exc.message}") from exc
                added += 1
        if progress:
            progress(offset + batch)
    return added


# The printed dispatcher's street (city.LOGINS: "dispatcher") and how many of its residents' reports
# of the last hours the demo leaves verified and waiting for them to dispatch.  The history dispatches
# within three hours of verification, as a street office should, which left that login's queue with
# nothing to dispatch on most days.
PRINTED_DISPATCHER_UNIT = "XC-GM-OFFICE"
AWAITING_DISPATCH = 3


def seed_awaiting_dispatch(city: City, residents: list[Resident], *, seed: int, now: datetime,
                           count: int = AWAITING_DISPATCH) -> int:
    """Reports from residents of the printed dispatcher's street, filed on the web or WeChat in the
    last hours and verified by their community: the 派单 rows that login opens on.  Returns how many."""
    rng = random.Random(seed * 31 + 7)
    replayer = Replayer(city, residents, now)
    office = city.units[PRINTED_DISPATCHER_UNIT]
    grids = [g for g in city.grids if g.path.startswith(office.region.path)]
    leaves = category_codes()
    made = 0
    while made < count:
        grid, leaf = rng.choice(grids), rng.choice(leaves)
        building = rng.choice(city.buildings[grid.pk])
        text = compose_demand(rng, leaf, city.place(rng, grid, building))
        if text.demand_type in ("consultation", "praise"):  # answered on the spot, never dispatched
            continue
        filed = now - timedelta(minutes=rng.uniform(40, 300))
        with clock.frozen_at(filed):
            demand = services.register_demand(
                None, channel=rng.choice([Channel.WEB, Channel.WECHAT]), title=text.title,
                demand_type=replayer.types[text.demand_type], description=text.description, region=building,
                urgency=replayer.policies[text.urgency], reporter=rng.choice(residents), consent=True,
                latitude=building.latitude, longitude=building.longitude)
        verifier = replayer.actor(f"{city.community_of(grid).code}-CC", Role.COMMUNITY_STAFF)
        with clock.frozen_at(filed + timedelta(minutes=rng.uniform(5, 30))):
            services.verify_demand(verifier, demand.pk, demand.version, category=replayer.categories[leaf])
        made += 1
    return made


def state_counts() -> dict[str, int]:
    from django.db.models import Count

    return dict(Demand.objects.values_list("state").annotate(n=Count("pk")).order_by())


