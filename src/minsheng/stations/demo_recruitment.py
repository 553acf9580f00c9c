"""Demo data of recruitment and teams taking cases (issue #32 items 6–7), called by seed_demo.

Two parts, each run once: ``seed_recruitment`` (before the history, since its two station cases count
towards the district's demands) — agent nominations pending, in the reserve pool, appointed and
refused in 玫瑰城, and two station cases given to the printed agent's skills team (one claimed by the
agent, one waiting); ``seed_teamwork`` (after the wishes, whose volunteers it uses and must not
collide with) — volunteer applications pending (one a recommendation by the printed resident),
approved and refused in 玫瑰城, a 帮扶小分队 of 玫瑰城 with the printed volunteer, and two wishes
given to it (one claimed by the volunteer, one waiting).  Everything goes through the
services, so the events and registers are those the pages write."""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from minsheng.core import clock
from minsheng.demands.workflow import Channel
from minsheng.demo.city import person_name
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.people.models import Resident
from minsheng.volunteers import recruitment as volunteering
from minsheng.volunteers.models import ServiceCategory, Team, Volunteer, VolunteerApplication
from minsheng.volunteers.services import create_team

from . import recruitment, teamwork
from .models import Agent, AgentNomination, Station
from .services import take_in

SKILLS = ["水电维修", "理发", "陪诊", "手机使用教学", "家电维修", "辅导功课", "法律咨询", "缝补衣物"]
AVAILABILITY = ["周末上午", "工作日晚上", "随时", "周三下午"]
STATEMENTS = ["退休在家，时间充裕，愿意为邻居服务。", "看到社区招募函，想为社区出一份力。",
              "有维修手艺，可以上门帮忙。"]
# The phones of the demo's applicants and nominees (1370432xxxx, 1370433xxxx), who are residents of their own.
PHONES = ("1370432", "1370433")
TEAM_CASES = [("钥匙锁在屋里", "老人出门忘带钥匙，请能人队帮忙开锁。", True),
              ("阳台护栏开焊", "三楼阳台护栏焊点开裂，担心掉落，请能人队帮忙焊接加固。", False)]
TEAM_WISHES = [("想请人帮忙修好轮椅", "老伴的轮椅刹车坏了，想请人帮忙修一修。", True),
               ("希望有人陪我去医院复查", "独居老人，下周要去医院复查，希望有人陪同。", False)]


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _pool(city, community: Region, rng: random.Random, prefix: str) -> list[Resident]:
    """New residents of the community's grids to draw from (``pop``): applicants and nominees are
    people of their own, so that no other part of the demo (which draws its volunteers, diners and
    agents from the seeded residents) finds its candidates taken."""
    grids = [g for g in city.grids if g.path.startswith(community.path)] or [community]
    people = []
    for n in range(12):
        phone = f"{prefix}{n:04d}"
        resident, _created = Resident.objects.get_or_create(phone=phone, defaults={
            "name": person_name(rng), "region": rng.choice(grids)})
        if not hasattr(resident, "volunteer") and not hasattr(resident, "station_agent") and not resident.user_id:
            people.append(resident)
    return people


def seed_recruitment(city, people, *, seed: int, now: datetime) -> str:
    """Agent nominations and the skills team's two station cases (a summary line)."""
    if AgentNomination.objects.exists():
        return "recruitment: already seeded"
    if not Agent.objects.exists():  # run before the stations part: their profiles and agents first
        from .demo import seed_stations

        seed_stations(city, people, now=now, seed=seed, cases=0)
    rng = random.Random(seed + 32)
    community, street = city.communities[0], city.street_of(city.communities[0])
    staff, dispatcher, resident_user = _user("community"), _user("dispatcher"), _user("resident")
    me = Resident.objects.filter(user=resident_user).first()
    pool = _pool(city, community, rng, PHONES[0])

    def pick() -> Resident:
        return pool.pop()

    def when(hours: float):
        return clock.frozen_at(now - timedelta(hours=hours))

    # Agent nominations: the three ways; waiting, in the reserve pool, appointed, refused.
    plan = [("self", "pending"), ("recommended", "pending"), ("selected", "pending"), ("self", "reserve"),
            ("selected", "reserve"), ("recommended", "reserve"), ("selected", "appointed"), ("self", "refused")]
    stations = list(Station.objects.filter(unit__region__path__startswith=street.path, tier="community",
                                           unit__active=True).order_by("unit__path"))
    for index, (way, outcome) in enumerate(plan):
        person = pick()
        kind = ["party_member", "retiree", "veteran", "in_service"][index % 4]
        with when(300 - index * 25):
            if way == "selected":
                nomination = recruitment.nominate(staff, way=way, region=community, kind=kind,
                                                  statement="群众基础好，热心公益。",
                                                  nominee={"name": person.name, "phone": person.phone})
            elif way == "recommended" and me is not None:
                nomination = recruitment.nominate(resident_user, way=way, region=community, kind=kind, resident=me,
                                                  statement="邻居有困难总是第一个帮忙。",
                                                  nominee={"name": person.name, "phone": person.phone})
            else:
                nomination = recruitment.nominate(None, way="self", region=community, kind=kind, resident=person,
                                                  statement=rng.choice(STATEMENTS))
        if outcome == "pending":
            continue
        with when(250 - index * 25):
            if outcome == "refused":
                recruitment.refuse(dispatcher, nomination.pk, reason="身体状况暂不适合上门服务。")
                continue
            recruitment.approve(dispatcher, nomination.pk)
        if outcome == "appointed" and stations:
            with when(200 - index * 25):
                recruitment.appoint(dispatcher, nomination.pk, station=stations[0])

    # The printed agent's skills team takes two station cases; the agent claimed the first.
    agent = Agent.objects.filter(user__username="agent").select_related("station").first()
    team = agent.skill_teams.first() if agent is not None else None
    cases = 0
    if team is not None:
        for index, (title, text, claimed) in enumerate(TEAM_CASES):
            with when(6 - index * 2):
                demand = take_in(agent.user, agent.station, title=title, description=text, consent=True,
                                 reporter=rng.choice(people), service_item=None)
            with when(5.5 - index * 2):
                demand = teamwork.assign_team(staff, demand.pk, demand.version, team=teamwork.team_key(team),
                                              note="请能人队派人上门")
            if claimed:
                with when(5 - index * 2):
                    teamwork.claim_team_case(agent.user, demand.pk)
            cases += 1
    return f"recruitment: {AgentNomination.objects.count()} agent nominations, {cases} skills-team cases"


def seed_teamwork(city, people, *, seed: int, now: datetime) -> str:
    """A 帮扶小分队 of 玫瑰城 with the printed volunteer, and two wishes given to it."""
    from minsheng.wishes import services as wishes

    community = city.communities[0]
    if VolunteerApplication.objects.exists() or Team.objects.filter(name=f"{community.name}爱心帮扶小分队").exists():
        return "teamwork: already seeded"
    if not Team.objects.exists():  # run before the wishes part: its volunteers and teams first
        from minsheng.wishes.demo import seed as seed_wishes

        seed_wishes(city, people, seed=seed, now=now)
    rng = random.Random(seed + 33)
    staff, login, resident_user = _user("community"), _user("volunteer"), _user("resident")
    me = Resident.objects.filter(user=resident_user).first()
    pool = _pool(city, community, rng, PHONES[1])

    def pick() -> Resident:
        return pool.pop()

    def when(hours: float):
        return clock.frozen_at(now - timedelta(hours=hours))

    # Volunteer applications: four waiting, one a recommendation by the printed resident; three
    # approved (in the register), one refused.
    outcomes = ["pending"] * 3 + ["approved"] * 3 + ["refused"]
    for index, outcome in enumerate(outcomes):
        with when(200 - index * 20):
            application = volunteering.apply(
                None, applicant=pick(), region=community, consent=True,
                categories=rng.sample(ServiceCategory.values, rng.choice((1, 2))),
                skills="、".join(rng.sample(SKILLS, 2)), availability=rng.choice(AVAILABILITY),
                statement=rng.choice(STATEMENTS))
        with when(150 - index * 20):
            if outcome == "approved":
                volunteering.approve(staff, application.pk)
            elif outcome == "refused":
                volunteering.refuse(staff, application.pk, reason="暂未核实到本人，请到社区当面确认后再申请。")
    if me is not None:
        with when(30):
            volunteering.apply(resident_user, applicant=me, region=community, consent=True,
                               categories=[ServiceCategory.ENVIRONMENT], skills="木工",
                               availability="周末全天", recommended={"name": "周热心", "phone": "13904139001"})

    organiser = city.actors[(f"{city.street_of(community).code}-OFFICE", Role.STREET_DISPATCHER)]
    team = create_team(organiser, kind=Team.Kind.TEAM, name=f"{community.name}爱心帮扶小分队", region=community)
    members = list(Volunteer.objects.filter(region=community, active=True).order_by("pk")[:6])
    mine = Volunteer.objects.filter(resident__user=login).first() if login else None
    if mine is not None and mine not in members:
        members.append(mine)
    team.members.set(members)
    grids = [g for g in city.grids if g.path.startswith(community.path)]
    given = 0
    for index, (title, text, claimed) in enumerate(TEAM_WISHES):
        with clock.frozen_at(now - timedelta(hours=10 - index * 3)):
            wish = wishes.register_wish(staff, channel=Channel.STATION, title=title, description=text,
                                        region=rng.choice(grids), reporter=rng.choice(people))
            wish = wishes.publish_wish(staff, wish.pk, wish.version)
        with clock.frozen_at(now - timedelta(hours=9 - index * 3)):
            wish = teamwork.assign_team(staff, wish.pk, wish.version, team=teamwork.team_key(team))
        if claimed and mine is not None:
            with clock.frozen_at(now - timedelta(hours=8 - index * 3)):
                wish = teamwork.claim_team_case(login, wish.pk)
                wishes.claim_wish(login, wish.pk, wish.version,
                                  promised_by=timezone.localdate(now + timedelta(days=3)))
        given += 1
    return (f"teamwork: {VolunteerApplication.objects.count()} volunteer applications, 1 help team, "
            f"{given} wishes given to it")
