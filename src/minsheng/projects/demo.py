"""The demo city's year of secretary projects, door-to-door visits, lists of practical things and
joint meetings, replayed through the real services at their historical times (clock.frozen_at).

seed_demo runs it once (its mark "projects")."""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from minsheng.core import clock
from minsheng.demands import services as demand_services
from minsheng.demands.models import Demand
from minsheng.demands.workflow import State
from minsheng.demo.city import DEMO_PASSWORD, City
from minsheng.organisation.roles import Role
from minsheng.party.models import PartyMember, PartyOrganisation
from minsheng.people.models import Resident

from . import services
from .models import Decision, Meeting, PracticalThing, SecretaryProject
from .services import MilestoneInput, NeedInput

PROJECTS = [
    ("老旧小区加装电梯", "入户征求意见；争取改造资金；分单元施工"),
    ("背街小巷路灯改造", "排查路灯；统一更换节能灯；建立巡查制度"),
    ("小区停车难治理", "施划停车位；错时共享机关单位车位；规范电动车充电"),
    ("独居老人助餐服务", "建立助餐点；志愿者送餐上门；困难老人补贴"),
    ("楼道堆物清理与消防通道整治", "集中清理；设置物品暂存点；物业常态化巡查"),
    ("雨污管网改造", "摸排积水点；协调住建部门；分段改造"),
    ("社区口袋公园建设", "征集居民意见；设计方案公示；施工与养护"),
]
STEPS = ["完成调研和方案", "落实资金和施工单位", "完成主体施工", "居民验收"]
NEEDS = ["楼道灯不亮", "小区缺少休息座椅", "想给孩子找课后托管", "独居老人需要定期探望", "健身器材损坏",
         "下水道经常堵塞", "希望开设老年大学课程", "想要一台收音机", "电动车充电不方便", "垃圾分类点太远",
         "单元门禁损坏", "屋顶漏水", "希望增加快递柜", "路面坑洼需要修补"]
AGENDA = ["楼道堆物清理", "小区停车秩序", "物业服务质量", "老旧小区改造进度", "垃圾分类推进", "独居老人关爱",
          "雨季防汛准备", "冬季供暖问题", "文明养犬", "电动车充电安全"]
PRACTICAL = ["修缮社区活动室", "增设休息座椅", "安装电动车充电桩", "更换单元门禁", "疏通小区下水道",
             "开设四点半课堂", "修补小区路面", "增设快递柜"]
LED = [("全区老旧管网改造", "区委书记"), ("城区积水点治理", "区长"), ("新建三处养老服务中心", "区委副书记"),
       ("中小学校周边交通整治", "副区长"), ("农贸市场提档升级", "副区长"), ("背街小巷综合整治", "区委常委")]
MEETING_KINDS = [Meeting.Kind.JOINT, Meeting.Kind.JOINT, Meeting.Kind.JOINT, Meeting.Kind.RED_HALL,
                 Meeting.Kind.BENCH]


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _party(city: City, rng: random.Random) -> dict[int, PartyOrganisation]:
    """A street committee per street and a community organisation per community, each with a
    secretary from the community's residents (kept when the party structure is there already)."""
    orgs = {}
    for street in city.streets:
        street_org, _ = PartyOrganisation.objects.get_or_create(
            level=PartyOrganisation.Level.STREET_COMMITTEE, region=street, defaults={"name": f"{street.name}党工委"})
        for community in (c for c in city.communities if c.path.startswith(street.path)):
            org, _ = PartyOrganisation.objects.get_or_create(
                level=PartyOrganisation.Level.COMMUNITY, region=community,
                defaults={"name": f"{community.name}党委", "parent": street_org})
            if org.secretary is None:
                resident = (Resident.objects.filter(region__path__startswith=community.path, party_member__isnull=True)
                            .order_by("pk").first())
                if resident is None:
                    resident = Resident.objects.create(name="周红", phone=f"1365555{community.pk:04d}",
                                                       region=community)
                org.secretary = PartyMember.objects.create(resident=resident, organisation=org,
                                                           joined_on=date(1990 + rng.randrange(25), 7, 1))
                org.save(update_fields=["secretary"])
            orgs[community.pk] = org
    return orgs


def _secretary_login(org: PartyOrganisation) -> None:
    """The printed "secretary" login: 玫瑰城社区's party secretary, who keeps her projects up to date."""
    user, _ = get_user_model().objects.get_or_create(username="secretary", defaults={
        "password": make_password(DEMO_PASSWORD), "first_name": org.secretary.resident.name})
    PartyMember.objects.filter(pk=org.secretary_id).update(user=user)


def seed_projects(city: City, now: datetime, *, demands: int, seed: int = 20261123) -> str:
    """A year of the projects app in the demo city; returns a line for seed_demo to print.

    At most ``demands`` demands and wishes are registered from needs and decisions (run it before
    the demand history, which fills the city up to its own total)."""
    if SecretaryProject.objects.exists():  # its own rows, when called outside seed_demo's marks
        return "projects: already seeded"
    rng = random.Random(seed)
    today = timezone.localdate(now)
    start = today - timedelta(days=364)
    leader = get_user_model().objects.get(username="leader")
    with transaction.atomic():
        orgs = _party(city, rng)
        _secretary_login(orgs[city.communities[0].pk])
        counts = {"projects": 0, "visits": 0, "meetings": 0, "decisions": 0, "items": 0}
        share = demands // len(city.communities)  # demands each community may register
        for community in city.communities:
            staff = city.actors[(f"{community.code}-CC", Role.COMMUNITY_STAFF)]
            projects = _projects(rng, staff, leader, orgs[community.pk], today)
            counts["projects"] += len(projects)
            counts["visits"] += _visits(rng, city, community, staff, projects, orgs[community.pk], start, today,
                                        share // 2)
            meetings, decisions = _meetings(rng, community, staff, projects, orgs[community.pk], start, today,
                                            share - share // 2)
            counts["meetings"] += meetings
            counts["decisions"] += decisions
        for title, who in LED:
            due = date(today.year, rng.choice([6, 9, 12]), 28)
            with clock.frozen_at(_at(date(today.year, 1, 15))):
                item = services.add_practical_thing(leader, region=city.district, title=title, owner_label=who,
                                                    due=due, list_kind=PracticalThing.ListKind.LED_BY_LEADER)
            if due < today and rng.random() < 0.8:
                with clock.frozen_at(_at(due - timedelta(days=rng.randrange(20)))):
                    services.tick_off(leader, item.pk, evidence="已完工并通过验收，资料存档备查。")
        counts["items"] = PracticalThing.objects.count()
    return ("projects: {projects} secretary projects, {visits} visits, {meetings} meetings with {decisions} "
            "decisions, {items} items on the lists of practical things; login \"secretary\" (password "
            f"{DEMO_PASSWORD}) is 玫瑰城社区's party secretary").format(**counts)


def _projects(rng, staff, leader, org, today: date) -> list[SecretaryProject]:
    """One or two projects of this year per secretary, at every stage of their life."""
    projects = []
    for name, measures in rng.sample(PROJECTS, rng.choice([1, 2])):
        # Ten months each, ending around today rather than with the calendar year: some are done or
        # overdue, others on track or at risk, so the board shows all four colours on any date.
        deadline = today + timedelta(days=rng.choice([-40, -10, 25, 60, 120]))
        begin = deadline - timedelta(days=300)
        quarter = (deadline - begin) / len(STEPS)
        steps = [MilestoneInput(step, begin + quarter * (i + 1)) for i, step in enumerate(STEPS)]
        with clock.frozen_at(_at(begin + timedelta(days=9))):
            # This year's, whatever year the deadline falls in: the list opens on the current year,
            # and in the autumn a deadline 60 or 120 days on is in the next.
            project = services.create_project(staff, organisation=org, name=name, deadline=deadline,
                                              measures=measures, milestones=steps, year=today.year)
        pace = rng.choice([-20, -5, 0, 10, 40])  # days early (negative) or late each step is reached
        # Some projects stall after a step or two: at risk now, or overdue once the deadline passes.
        stalls_after = rng.choice([1, 2]) if rng.random() < 0.3 else len(STEPS)
        for i, milestone in enumerate(project.milestones.all()):
            reached = milestone.due + timedelta(days=pace + rng.randrange(10))
            if reached >= today or i >= stalls_after:
                break
            with clock.frozen_at(_at(reached, 16)):
                services.update_project(staff, project.pk, project.version, note=f"{milestone.title}。",
                                        progress_percent=min(100, 25 * (i + 1)), milestones_done=[milestone.pk])
            project.refresh_from_db()
        with clock.frozen_at(_at(min(today, begin + timedelta(days=180)))):
            services.evaluate_project(leader, project.pk, kind="assessment", score=rng.randrange(70, 99))
            services.evaluate_project(leader, project.pk, kind="report", score=rng.randrange(75, 99))
            for _ in range(rng.randrange(8, 20)):
                services.evaluate_project(staff, project.pk, kind="residents", satisfaction=rng.choices(
                    ["satisfied", "basically_satisfied", "dissatisfied"], [70, 22, 8])[0])
        projects.append(project)
    return projects


def _visits(rng, city, community, staff, projects, org, start: date, today: date, demands: int) -> int:
    """A door-to-door visit a month per grid, its needs turned into demands or wishes (at most
    ``demands``), projects' needs or list items (some are still waiting)."""
    grids = [g for g in city.grids if g.path.startswith(community.path)]
    n = 0
    for month in range(12):
        day = start + timedelta(days=30 * month + rng.randrange(25))
        if day > today:
            continue
        grid = rng.choice(grids)
        worker = city.actors[(grid.code, Role.GRID_WORKER)]
        with clock.frozen_at(_at(day, 15)):
            visit = services.record_collection(
                worker, kind=rng.choice(["visit", "visit", "opinion_form"]), region=grid, held_on=day,
                place=f"{rng.choice(city.buildings[grid.pk]).name}", households=rng.randrange(8, 40),
                needs=[NeedInput(t, f"{t}，走访时居民反映。") for t in rng.sample(NEEDS, 3)])
            for need in visit.needs.all():
                roll = rng.random()
                if roll < 0.5 and demands > 0:
                    services.convert_need(worker, need.pk, into="demand" if roll < 0.35 else "wish",
                                          demand_type="help")
                    demands -= 1
                elif roll < 0.65 and projects:
                    services.convert_need(staff, need.pk, into="project", project=rng.choice(projects))
                elif roll < 0.75:
                    services.convert_need(staff, need.pk, into="list_item", list_item={
                        "owner_label": "社区居委会", "due": day + timedelta(days=60), "organisation": org,
                        "region": community})
        n += 1
    return n


def _meetings(rng, community, staff, projects, org, start: date, today: date, demands: int) -> tuple[int, int]:
    """A meeting every Tuesday (some as 红色议事厅 or 搬凳议事), one decision each: a demand (at most
    ``demands``, in the latest weeks), a list item or a secretary project's task.  Demands are settled
    within days, list items ticked off with evidence."""
    day = services.next_meeting_day(start)
    weeks = (today - day).days // 7 + 1
    meetings = decisions = 0
    while day <= today:
        kind = rng.choice(MEETING_KINDS)
        topic = rng.choice(AGENDA)
        with clock.frozen_at(_at(day, 9)):
            meeting = services.record_meeting(
                staff, region=community, kind=kind, held_on=day,
                place={"joint": "社区党群服务中心", "red_hall": "红色议事厅", "bench": "小区院落"}[kind],
                agenda=f"1. {topic}\n2. 上次会议事项落实情况",
                attendees="社区党委书记\n社区居委会主任\n物业经理\n居民代表3名",
                minutes=f"会议听取了上次会议事项落实情况，围绕“{topic}”进行了讨论，形成决定如下。")
            meetings += 1
            week = (day - start).days // 7
            became = ["list_item", "demand", "project", "demand"][week % 4]
            if became == "demand" and weeks - week > 2 * demands:
                became = "project"  # demands only in the latest weeks, as many as allowed
            if became == "project" and not projects:
                became = "list_item"
            decision = services.record_decision(
                staff, meeting.pk, text=f"{topic}：{rng.choice(['限期整改', '协调解决', '纳入计划', '专人跟进'])}",
                owner_label=rng.choice(["物业经理", "社区居委会", "网格员", "社区党委书记"]),
                due=day + timedelta(days=rng.choice([7, 14, 30])), became=became, demand_type="help",
                project=rng.choice(projects) if projects else None, organisation=org)
            decisions += 1
        _settle(rng, staff, decision, today)
        day += timedelta(days=7)
    return meetings, decisions


def _settle(rng, staff, decision: Decision, today: date) -> None:
    done = decision.meeting.held_on + timedelta(days=rng.randrange(2, 40))
    if done >= today or rng.random() < 0.1:
        return  # still open: the next meeting reports it
    with clock.frozen_at(_at(done, 17)):
        if decision.became == Decision.Became.DEMAND:
            demand = Demand.objects.get(pk=decision.demand_id)
            if demand.state == State.REGISTERED:
                demand_services.resolve_on_spot(staff, demand.pk, demand.version, result="已按会议决定落实。")
        elif decision.became == Decision.Became.LIST_ITEM:
            services.tick_off(staff, decision.list_item_id, evidence="已落实，居民代表签字确认，照片存档。")

