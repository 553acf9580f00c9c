"""The demo city's stations: a profile for every station unit the city has (street centres,
community stations, family stations), their agents with trainings and skills teams, and a year
of station cases handled in the four ways through the real services."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.demands import services as engine
from minsheng.demands.workflow import State
from minsheng.demo.answers import revisit_answers
from minsheng.demo.city import staff_name
from minsheng.organisation.models import Membership, Unit
from minsheng.organisation.roles import Role
from minsheng.party.models import PartyMember
from minsheng.people.models import Resident

from .models import Agent, ServiceItem, SkillTeam, Station, StationCase, TrainingRecord
from .services import handle_on_spot, report_up, take_in, undertake_case

OFFICE_HOURS = [{"days": [0, 1, 2, 3, 4], "start": "08:30", "end": "11:30"},
                {"days": [0, 1, 2, 3, 4], "start": "13:00", "end": "17:00"}]
STAGGERED = [{"days": [5, 6], "start": "09:00", "end": "12:00"}]
EVENINGS = [{"days": [0, 1, 2, 3, 4], "start": "18:00", "end": "20:30"}]
FAMILY_HOURS = [
    [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "08:00", "end": "20:00"}],  # a shop or pharmacy
    [{"days": [0, 1, 2, 3, 4], "start": "07:30", "end": "09:00"}, *EVENINGS],  # a member's home, around work
    [{"days": [0, 2, 4], "start": "09:00", "end": "11:00"}],  # a home, three mornings and by appointment
]
FAMILY_PLACES = ["home", "pharmacy", "shop", "property", "care_home"]
TEAMS = ["开锁服务队", "电焊服务队", "木工服务队", "水电维修队", "家电维修队"]
TRAININGS = ["代办员岗前培训", "政策法规培训", "矛盾纠纷调解培训", "社保医保业务培训"]
WORKPLACES = ["抚顺市税务局机关党委", "新城区人民医院党委", "抚顺供电公司党委", "区教育局机关党支部"]
# (title, description, service item) of the errands residents bring.
ERRANDS = [
    ("代缴水费", "老人腿脚不便，请代缴本季度水费。", "bill_payment"),
    ("代缴取暖费", "子女在外地，请帮忙缴纳今年的取暖费。", "bill_payment"),
    ("代购降压药", "家里降压药快吃完了，请帮忙到药店购买。", "medicine"),
    ("代购米面油", "行动不便，请帮忙买一袋米和一桶油。", "purchasing"),
    ("卫生间漏水", "卫生间管道漏水，楼下邻居反映渗水，请帮忙找人维修。", "house_repair"),
    ("钥匙锁在屋里", "出门忘带钥匙，请开锁服务队帮忙。", "lock"),
    ("养老金资格认证", "不会用手机认证养老金资格，请帮忙办理。", "pension_certification"),
    ("医保报销材料", "住院报销材料不知道怎么准备，请帮忙代办。", "social_insurance"),
    ("失业登记", "刚失业，想办理失业登记和求职登记。", "job_registration"),
    ("邻里噪音纠纷", "楼上装修噪音大，双方有矛盾，请帮忙调解。", "neighbour_mediation"),
    ("楼道堆物纠纷", "邻居在楼道堆放杂物，多次沟通无果，请帮忙调解。", "dispute_mediation"),
    ("高龄补贴申请", "老人满八十岁，想申请高龄补贴。", "elderly_allowance"),
    ("法律咨询", "房屋继承有纠纷，想咨询法律援助。", "legal_aid"),
    ("技能培训报名", "想报名参加家政技能培训。", "skills_training"),
]
# 上报联办 cases: something only a department can do, with the category the catalogue routes.
JOINT = [("楼前路面塌陷", "楼前人行道塌陷一个坑，老人经过很危险，需要部门修复。", "house_repair", "construction.roads"),
         ("小区垃圾清运不及时", "小区垃圾桶满了好几天没人清运，需要环卫处理。", "purchasing", "environment.waste")]


def _centre(boundary) -> tuple[Decimal, Decimal]:
    ring = boundary[0]
    lng = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
    lat = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


def _profile(city, unit: Unit, index: int, items: list[ServiceItem]) -> Station:
    if unit.code.endswith("-DC"):
        lat, lng = _centre(unit.region.boundary)
        fields = {"tier": "street_centre", "place_type": "office", "latitude": lat, "longitude": lng,
                  "hours": OFFICE_HOURS + STAGGERED + EVENINGS, "staggered": True, "extended": True,
                  "address": f"{unit.region.name}便民服务中心一楼"}
        offered = items
    elif unit.code.endswith("-ST"):
        fields = {"tier": "community", "place_type": "office", "latitude": unit.region.latitude,
                  "longitude": unit.region.longitude, "hours": OFFICE_HOURS + STAGGERED, "staggered": True,
                  "address": f"{unit.region.name}党群服务中心"}
        offered = items[:16]
    else:
        building = city.buildings[unit.region.pk][0]
        hours = FAMILY_HOURS[index % len(FAMILY_HOURS)]
        fields = {"tier": "family", "place_type": FAMILY_PLACES[index % len(FAMILY_PLACES)],
                  "latitude": building.latitude, "longitude": building.longitude, "hours": hours,
                  "by_appointment": hours is FAMILY_HOURS[2], "extended": hours is FAMILY_HOURS[1],
                  "home_visits": index % 2 == 0, "address": f"{unit.region.parent.name}{building.name}一单元"}
        offered = items[index % 4::2][:9]
    station, created = Station.objects.get_or_create(unit=unit, defaults=fields)
    if created:
        station.service_items.set(offered)
    return station


def _agent_user(unit: Unit, existing):
    if existing is not None:
        return existing
    username = f"{unit.code.lower()}-station_agent"
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={
        "password": make_password(None), "first_name": staff_name(username)})
    Membership.objects.get_or_create(user=user, unit=unit, role=Role.STATION_AGENT)
    return user


def _agents(city, station: Station, index: int, residents: list[Resident], teams, used: set) -> list[Agent]:
    if station.agents.exists():
        return list(station.agents.all())
    login = get_user_model().objects.filter(username="agent").first() if station.unit.code == "XC-GM-01-ST" else None
    user = login or _agent_user(station.unit, city.actors.get((station.unit.code, Role.STATION_AGENT)))
    agents = []
    for n in range(2 if station.tier != "family" else 1):
        resident = next(r for r in residents[(index * 7 + n * 3) % len(residents):] + residents
                        if r.pk not in used and not hasattr(r, "station_agent"))
        used.add(resident.pk)
        kind = ["party_member", "retiree", "veteran", "in_service"][(index + n) % 4]
        member = None
        if kind in ("party_member", "in_service"):
            member, _ = PartyMember.objects.get_or_create(resident=resident, defaults={
                "in_service": kind == "in_service", "workplace": WORKPLACES[index % len(WORKPLACES)]
                if kind == "in_service" else "", "reporting_community": city.community_of(resident.region)
                if kind == "in_service" else None})
        agent = Agent.objects.create(
            resident=resident, station=station, kind=kind, party_member=member, user=user if n == 0 else None,
            home_organisation=WORKPLACES[index % len(WORKPLACES)] if kind == "in_service" else "",
            home_organisation_email=f"party{index}@example.org" if kind == "in_service" else "")
        agent.skill_teams.set([teams[(index + n) % len(teams)]])
        agents.append(agent)
    return agents


def seed_stations(city, residents: list[Resident], *, now: datetime, seed: int, cases: int = 360) -> int:
    """Profiles, agents and ``cases`` station cases over the past year (idempotent: only what is
    missing is added).  Returns the number of cases added."""
    rng = random.Random(seed + 11)
    items = list(ServiceItem.objects.all())
    teams = [SkillTeam.objects.get_or_create(name=name)[0] for name in TEAMS]
    units = sorted((u for u in city.units.values() if u.kind == Unit.Kind.STATION), key=lambda u: u.code)
    used: set[int] = set(Agent.objects.values_list("resident_id", flat=True))
    staffed = []
    with transaction.atomic():
        for index, unit in enumerate(units):
            station = _profile(city, unit, index, items)
            for agent in _agents(city, station, index, residents, teams, used):
                if not agent.trainings.exists():
                    TrainingRecord.objects.create(agent=agent, held_on=(now - timedelta(days=200 + index)).date(),
                                                  title=TRAININGS[index % len(TRAININGS)], hours=Decimal("4.0"),
                                                  provider="新城区委组织部")
                if agent.user_id:
                    staffed.append((station, agent.user))
    have = StationCase.objects.filter(station__unit__in=units).count()
    added = 0
    for i in range(have, cases):
        station, user = staffed[i % len(staffed)]
        start = now - timedelta(days=365) + timedelta(days=365 * i / cases, hours=rng.uniform(0, 8))
        try:
            with transaction.atomic():
                _replay_case(city, station, user, residents, start, now, rng)
            added += 1
        except MinshengError:
            continue  # an unlucky draw (e.g. a service item the station does not offer): skipped
    return added


def _replay_case(city, station: Station, agent_user, residents, start: datetime, now: datetime,
                 rng: random.Random) -> None:
    way = rng.choices(["on_spot", "timed", "guided", "joint"], [45, 25, 15, 15])[0]
    offered = set(station.service_items.values_list("code", flat=True))
    if way == "joint":
        title, text, item, category = rng.choice(JOINT)
    else:
        title, text, item = rng.choice(ERRANDS)
        category = None
    reporter = rng.choice(residents)
    dispatcher = city.actors[(f"{city.street_of(station.unit.region).code}-OFFICE", Role.STREET_DISPATCHER)]
    t = start
    with clock.frozen_at(t):
        demand = take_in(agent_user, station, service_item=item if item in offered else None, title=title,
                         description=text, category=category, reporter=reporter, consent=True,
                         demand_type="help" if way != "joint" else "complaint")

    def at(delay: timedelta) -> datetime | None:
        nonlocal t
        t = t + delay
        return t if t < now else None

    if at(timedelta(minutes=rng.uniform(5, 30))) is None:
        return
    with clock.frozen_at(t):
        if way == "on_spot":
            demand = handle_on_spot(agent_user, demand.pk, demand.version, result=f"已当场办理：{title}")
        elif way in ("timed", "guided"):
            promise = t + timedelta(hours=rng.choice([24, 48, 72])) if way == "timed" else None
            demand = undertake_case(agent_user, demand.pk, demand.version, way=way, promised_at=promise,
                                    note="已告知居民办理方式和时间")
        else:
            demand = report_up(agent_user, demand.pk, demand.version, reason="需要职能部门处理")
    if way in ("timed", "guided"):
        # Most promises are kept; about one in eight is late.
        late = rng.random() < 0.12
        if at(timedelta(hours=rng.uniform(50, 90) if late else rng.uniform(2, 20))) is None:
            return
        with clock.frozen_at(t):
            demand = engine.resolve_demand(agent_user, demand.pk, demand.version, result=f"已代办完成：{title}")
    elif way == "joint":
        if at(timedelta(hours=rng.uniform(1, 6))) is None:
            return
        with clock.frozen_at(t):
            demand = engine.dispatch_demand(dispatcher, demand.pk, demand.version)
        unit = demand.handling_unit
        handler = next(city.actors[(unit.code, r)] for r in (Role.DEPARTMENT_HANDLER, Role.COMMUNITY_STAFF,
                                                              Role.STREET_DISPATCHER) if (unit.code, r) in city.actors)
        for step in ("accept", "resolve"):
            if at(timedelta(hours=rng.uniform(2, 40))) is None:
                return
            with clock.frozen_at(t):
                kwargs = {"result": f"已联合处理：{title}"} if step == "resolve" else {}
                demand = engine.SERVICE_FOR_ACTION[step](handler, demand.pk, demand.version, **kwargs)
    if demand.state == State.RESOLVED and rng.random() < 0.7 and at(timedelta(days=rng.uniform(1, 3))):
        with clock.frozen_at(t):
            engine.revisit_demand(dispatcher, demand.pk, demand.version, **revisit_answers(
                rng, {"satisfied": 80, "basically_satisfied": 15, "dissatisfied": 5}))
