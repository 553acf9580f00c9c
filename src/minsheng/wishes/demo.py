"""Demo data for micro-wishes, volunteers and the ledger (called by seed_demo; idempotent).

Replayed through the real services under ``clock.frozen_at`` over the past months: a party
structure where none exists yet (street committees, community party organisations, members, some
in service reporting to their community), volunteers with the 8 service categories and the teams of
"1+8+N", activities (past ones confirmed, upcoming ones taking sign-ups), wishes in every state of
the loop and every routing class, and a love supermarket per street with items and redemptions."""

import random
import time
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.demands import services as engine
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Channel, Kind, State
from minsheng.demo.city import home_address
from minsheng.ledger import services as ledger
from minsheng.ledger.models import Item, Supermarket
from minsheng.organisation.roles import Role
from minsheng.party.models import PartyMember, PartyOrganisation
from minsheng.people.models import Resident
from minsheng.volunteers import services as volunteering
from minsheng.volunteers.models import ServiceCategory, Team, Volunteer

from . import selectors
from . import services as wishes
from .models import WishClaim
from .sweeps import flag_overdue_claims

# Individual wishes (title, description): what residents of an old industrial district ask for.
INDIVIDUAL = [
    ("想要一台助听器", "老人今年82岁，耳朵越来越背，想要一台助听器，方便和家人说话。"),
    ("希望有人教我用智能手机", "子女在外地，想学会用微信视频聊天和手机挂号。"),
    ("想给孙子买套课外书", "孙子读三年级，家里困难，想要几本适合他读的课外书。"),
    ("轮椅坏了想修一修", "老伴的轮椅刹车失灵，推出去很危险，希望有人帮忙修一修。"),
    ("想要一件过冬的棉大衣", "独居老人，旧棉衣已经穿了十几年，不保暖了。"),
    ("希望有人陪我去医院复查", "腿脚不方便，下月要去区医院复查，想请志愿者陪同。"),
    ("家里灯管坏了没人换", "厨房灯管坏了，自己够不着，想请人帮忙换一下。"),
    ("想要一个书包和文具", "女儿今年上一年级，想要一个新书包和一套文具。"),
    ("希望能理个发", "卧床多年，出不了门，想请理发志愿者上门理发。"),
    ("想要一台二手电脑学习", "孩子上网课只能用手机，想要一台能用的旧电脑。"),
    ("想请人帮忙写春联", "年纪大了手抖，想请会写毛笔字的志愿者帮忙写副春联。"),
    ("希望有人帮忙打扫卫生", "老两口身体不好，家里很久没有好好打扫，想请人帮忙。"),
    ("想要一副老花镜", "原来的眼镜摔坏了，看不清药瓶上的字。"),
    ("想给老伴过个生日", "老伴八十大寿，想请志愿者帮忙订个蛋糕、拍张合影。"),
    ("需要一辆助行器", "术后刚出院，走路需要助行器扶着。"),
    ("想学做几道家常菜", "刚退休，想请社区里会做饭的阿姨教几道家常菜。"),
    ("希望帮忙修水龙头", "卫生间水龙头一直滴水，自己修不好。"),
    ("想要一个电饭锅", "家里电饭锅坏了，低保户买不起新的。"),
    ("想请人辅导孩子数学", "孩子初二，数学跟不上，家长没文化辅导不了。"),
    ("希望有人定期来聊聊天", "独居老人，子女一年回来一次，平时没人说话。"),
    ("想要几盆绿植", "想在阳台上养几盆好养活的绿植。"),
    ("希望有人帮忙代买药品", "腿脚不便，每月需要去药店买降压药。"),
    ("想要一张书桌", "孩子在床上写作业，想要一张小书桌。"),
    ("想请法律志愿者咨询遗产问题", "想了解房子怎么过户给子女，需要准备哪些材料。"),
]
COMMON = [
    ("小区路灯不亮", "我们楼前的路灯坏了好几个月，大家晚上出行不便。"),
    ("楼道扶手松动", "单元楼道扶手松动，好几位老人差点摔倒，希望统一修一修。"),
    ("小区缺少休息座椅", "小区里没有坐的地方，老人散步走累了只能站着。"),
    ("快递乱堆放", "快递都堆在单元门口，下雨淋湿，也挡路。"),
]
HARD = [
    ("老楼加装电梯", "我们是六层老楼，老人多，盼了很多年加装电梯。"),
    ("小区停车难", "小区停车位太少，消防通道常被堵，盼望规划停车场。"),
    ("老旧管网改造", "供暖管网老化，每年冬天都有几户暖气不热。"),
]
NOT_FEASIBLE = [
    ("想在小区建游泳池", "希望小区里能有一个游泳池，夏天孩子有地方玩。",
     "小区用地有限，暂不具备建设条件，已记录在案，待片区更新时统筹考虑。"),
    ("希望通地铁", "希望地铁能修到我们小区门口。",
     "轨道交通规划由市里统一安排，已向有关部门转达，暂无法实现。"),
]
FULFILMENTS = ["已上门送到，老人很高兴，拍照留念。", "已联系爱心企业捐赠，并送货上门。",
               "志愿者上门服务两小时，问题已解决。", "已办妥，居民当面表示感谢。"]
THANKS = ["谢谢党员同志！", "感谢志愿者，非常贴心。", "", "给社区点赞！"]
SKILLS = ["家电维修", "理发", "书法", "中医推拿", "法律咨询", "辅导功课", "摄影", "厨艺", "水电维修", "心理疏导",
          "手机使用教学", "文艺演出", "驾驶", "护理"]
AVAILABILITY = ["周末全天", "工作日晚上", "周六上午", "随时", "周三下午", "节假日"]
TEAMS = ["银发先锋队", "红马甲巡逻队", "邻里互助队"]
ACTIVITIES = [
    ("为独居老人义诊", ServiceCategory.MEDICAL, "社区卫生服务站"),
    ("法律知识进社区", ServiceCategory.LEGAL, "社区党群服务中心"),
    ("周末课业辅导", ServiceCategory.EDUCATION, "社区四点半课堂"),
    ("清理楼道小广告", ServiceCategory.ENVIRONMENT, "小区各单元"),
    ("红色旅游景点讲解", ServiceCategory.TOURISM, "雷锋纪念馆"),
    ("剪纸民俗课堂", ServiceCategory.CULTURE, "社区文化活动室"),
    ("困难家庭入户走访", ServiceCategory.POVERTY, "辖区困难家庭"),
    ("便民服务日（理发、修家电）", ServiceCategory.GENERAL, "社区广场"),
]
ITEMS = [("洗衣液", "30", 40), ("大米 5公斤", "60", 25), ("食用油 1.8升", "50", 25), ("毛巾", "15", 60),
         ("牙膏", "10", 80), ("鸡蛋 一盒", "20", 30), ("保温杯", "45", 15), ("雨伞", "35", 20)]
LEADER_USERNAME = "leader"


def _at(now: datetime, days_ago: float, hour: int = 10) -> datetime:
    moment = timezone.localtime(now - timedelta(days=days_ago))
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _party(city, people, rng) -> list[PartyMember]:
    """Reuse a party structure if one exists; otherwise a small one on the demo city."""
    members = []
    by_region = {}
    for street in city.streets:
        committee, _ = PartyOrganisation.objects.get_or_create(
            level="street_committee", region=street, defaults={"name": f"{street.name}党工委"})
        for community in [c for c in city.communities if c.path.startswith(street.path)]:
            by_region[community.pk], _ = PartyOrganisation.objects.get_or_create(
                level="community", region=community, defaults={"name": f"{community.name}党委", "parent": committee})
    taken = set(PartyMember.objects.values_list("resident_id", flat=True))
    for community in city.communities:
        local = [r for r in people if r.region_id and r.pk not in taken and city.community_of(r.region) == community]
        for resident in local[:6]:
            in_service = rng.random() < 0.3
            members.append(PartyMember.objects.create(
                resident=resident, organisation=None if in_service else by_region[community.pk],
                in_service=in_service, workplace=rng.choice(["区住建局", "区教育局", "市供电公司", "区人民医院"])
                if in_service else "", reporting_community=community if in_service else None,
                central_household=not in_service and rng.random() < 0.2,
                building=rng.choice(city.buildings[resident.region_id]) if resident.region_id in city.buildings
                else None))
    return members


def _volunteer_login(city) -> Volunteer | None:
    """The printed "volunteer" login: a party member of 玫瑰城 who claims wishes on the pages."""
    user = get_user_model().objects.filter(username="volunteer").first()
    if user is None:
        return None
    community = city.communities[0]
    resident, _ = Resident.objects.get_or_create(phone="13904130002", defaults={
        "name": "刘建国", "user": user, "region": city.grids[0], "address": home_address(city, 1)})
    member, _ = PartyMember.objects.get_or_create(resident=resident, defaults={
        "organisation": PartyOrganisation.objects.get(level="community", region=community), "user": user})
    return volunteering.volunteer_for_party_member(member)


def _volunteers(city, people, rng, members) -> list[Volunteer]:
    party_ids = {m.resident_id for m in members}
    volunteers = [volunteering.volunteer_for_party_member(m) for m in members]
    candidates = [r for r in people if r.region_id and r.pk not in party_ids]
    rng.shuffle(candidates)
    for resident in candidates[:150]:
        volunteers.append(volunteering.register_volunteer(
            None, resident=resident, region=city.community_of(resident.region),
            categories=rng.sample(ServiceCategory.values, rng.choice((1, 1, 2, 3))),
            skills="、".join(rng.sample(SKILLS, 2)), availability=rng.choice(AVAILABILITY)))
    for volunteer in volunteers:
        if volunteer.categories == [ServiceCategory.GENERAL] and rng.random() < 0.6:
            Volunteer.objects.filter(pk=volunteer.pk).update(
                categories=rng.sample(ServiceCategory.values, 2), skills="、".join(rng.sample(SKILLS, 2)),
                availability=rng.choice(AVAILABILITY))
    return volunteers


def _teams(city, rng, volunteers) -> None:
    """1+8+N per street: the committee, 8 category teams, N teams; volunteers join by category."""
    categories = dict(Volunteer.objects.values_list("pk", "categories"))
    for street in city.streets:
        # The street office's dispatcher keeps the street's volunteers (check_organiser).
        organiser = city.actors[(f"{street.code}-OFFICE", Role.STREET_DISPATCHER)]
        committee = volunteering.create_team(organiser, kind=Team.Kind.COMMITTEE,
                                             name=f"{street.name}志愿服务管理委员会", region=street)
        local = [v for v in volunteers if v.region.path.startswith(street.path)]
        for category in ServiceCategory:
            joined = [v for v in local if category in categories.get(v.pk, [])]
            team = volunteering.create_team(organiser, kind=Team.Kind.CATEGORY,
                                            name=f"{street.name}{category.label}服务队", region=street,
                                            category=category, parent=committee,
                                            leader=joined[0] if joined else None)
            team.members.set(joined)
        for name in TEAMS:
            team = volunteering.create_team(organiser, kind=Team.Kind.TEAM, name=f"{street.name}{name}",
                                            region=street, parent=committee)
            team.members.set(rng.sample(local, min(len(local), 8)))


def _activities(city, rng, volunteers, now) -> None:
    for street in city.streets:
        office = city.units[f"{street.code}-OFFICE"]
        organiser = office.memberships.filter(role=Role.STREET_DISPATCHER).first().user
        local = [v for v in volunteers if v.region.path.startswith(street.path)]
        for index, (title, category, place) in enumerate(ACTIVITIES):
            # The last two of each street are still ahead, taking sign-ups.
            days_ago = 140 - index * 24 + rng.randrange(3)
            start = _at(now, days_ago, hour=rng.choice((9, 14)))
            created = min(start - timedelta(days=10), now - timedelta(hours=1))
            with clock.frozen_at(created):
                activity = volunteering.create_activity(
                    organiser, title=title, category=category, region=street, starts_at=start,
                    ends_at=start + timedelta(hours=3), capacity=rng.choice((10, 15, 20)),
                    hours=rng.choice(("2", "3", "3.5")), place=place,
                    description=f"{street.name}组织志愿者开展“{title}”活动，欢迎报名。")
                for volunteer in rng.sample(local, min(len(local), activity.capacity - rng.randrange(3))):
                    volunteering.sign_up(volunteer, activity.pk)
            if start + timedelta(hours=4) < now:
                came = [s.volunteer_id for s in activity.signups.all() if rng.random() < 0.85]
                with clock.frozen_at(start + timedelta(hours=5)):
                    volunteering.confirm_attendance(organiser, activity.pk, came)


def _staff(city, region):
    return city.actors[(f"{city.community_of(region).code}-CC", Role.COMMUNITY_STAFF)]


def _wishes(city, people, rng, members, volunteers, login_volunteer, now) -> None:
    leader = get_user_model().objects.get(username=LEADER_USERNAME)
    members_by_community = {}
    for m in members:
        community = m.reporting_community or m.organisation.region
        members_by_community.setdefault(community.pk, []).append(m)
    orgs = {o.region_id: o for o in PartyOrganisation.objects.filter(level="community")}
    party_residents = {m.resident_id for m in members}
    local_volunteers = {}
    for v in volunteers:
        if v.resident_id not in party_residents:
            local_volunteers.setdefault(v.region_id, []).append(v)
    units = [u for code, u in city.units.items() if code.startswith("XC-") and u.kind == "department"]
    residents = [r for r in people if r.region_id]
    plan = ([("individual", t) for t in INDIVIDUAL * 4] + [("common", t) for t in COMMON]
            + [("hard", t) for t in HARD] + [("not_feasible", t) for t in NOT_FEASIBLE])
    # Stops of the loop for individual wishes (weights): most are done, some are on the way.
    stops = ["registered"] * 3 + ["published"] * 8 + ["claimed"] * 5 + ["overdue"] * 2 + ["fulfilled"] * 4 + \
        ["confirmed"] * 4 + ["closed"] * 14
    for wish_class, text in plan:
        resident = rng.choice(residents)
        grid = resident.region
        community = city.community_of(grid)
        staff = _staff(city, grid)
        start = _at(now, rng.uniform(3, 200), hour=rng.randrange(8, 18))
        stop = rng.choice(stops) if wish_class == "individual" else "done"
        if stop in ("published", "registered", "claimed", "overdue"):
            start = _at(now, rng.uniform(1, 25), hour=rng.randrange(8, 18))
        moment = start

        def later(hours: float) -> datetime:
            nonlocal moment
            moment = min(moment + timedelta(hours=hours), now - timedelta(minutes=5))
            return moment

        with clock.frozen_at(moment):
            wish = wishes.register_wish(
                staff, channel=rng.choice([Channel.STATION, Channel.HOTLINE, Channel.WECHAT, Channel.PATROL]),
                title=text[0], description=text[1], region=grid, reporter=resident, consent=True,
                hide_name=rng.random() < 0.8)
        if stop == "registered":
            continue
        wish_id = wish.pk

        def step(actor, action, after, wish_id=wish_id, **kwargs):
            current = Demand.objects.get(pk=wish_id)
            with clock.frozen_at(later(after)):
                return engine.SERVICE_FOR_ACTION[action](actor, wish_id, current.version, **kwargs)

        if wish_class == "common":
            step(staff, "route_wish_as_demand", 20, note="多户居民反映，属共性问题，转社区党组织和相关部门办理")
            continue
        if wish_class == "not_feasible":
            step(staff, "defer_wish", 30, explanation=text[2])
            continue
        if wish_class == "hard":
            step(staff, "assign_wish_to_leader", 30, leader=leader,
                 promised_by=timezone.localdate(moment) + timedelta(days=120),
                 note="长期难题，由区领导包案推进")
            continue
        step(staff, "publish_wish", rng.uniform(2, 30))
        if stop == "published":
            continue
        local_members = members_by_community.get(community.pk, [])
        claim_day = timezone.localdate(later(rng.uniform(4, 48)))
        promise = claim_day + timedelta(days=1 if stop == "overdue" else rng.choice((3, 5, 7, 10)))
        if login_volunteer is not None and community == city.communities[0] and rng.random() < 0.3:
            claimer, actor = {}, login_volunteer.resident.user
        elif local_members and rng.random() < 0.7:
            claimer, actor = {"party_member": rng.choice(local_members)}, staff
        elif local_volunteers.get(community.pk) and rng.random() < 0.5:
            claimer, actor = {"volunteer": rng.choice(local_volunteers[community.pk])}, staff
        elif rng.random() < 0.5:
            claimer, actor = {"party_organisation": orgs[community.pk]}, staff
        else:
            claimer, actor = {"unit": rng.choice(units)}, staff
        step(actor, "claim_wish", 0, promised_by=promise, **claimer)
        if stop in ("claimed", "overdue"):
            continue
        fulfiller = login_volunteer.resident.user if actor != staff else staff
        step(fulfiller, "fulfil_wish", rng.uniform(24, 96), result=rng.choice(FULFILMENTS),
             hours=rng.choice(("1", "1.5", "2", "3")))
        if stop == "fulfilled":
            continue
        with clock.frozen_at(later(rng.uniform(6, 48))):
            engine.rate_as_resident(wish_id, satisfaction=rng.choice(["satisfied"] * 9 + ["basically_satisfied"]),
                                    comment=rng.choice(THANKS))
        if stop == "confirmed":
            continue
        step(staff, "close", rng.uniform(2, 24))
    _login_claim(login_volunteer, now)
    flag_overdue_claims(now)


def _login_claim(login_volunteer, now: datetime) -> None:
    """The printed volunteer login has a wish in hand, to fulfil from 我的认领 on the phone (offline
    too: the field app queues it): the first wish on the wall it may claim, if the random history
    left it none."""
    if login_volunteer is None:
        return
    user = login_volunteer.resident.user
    if WishClaim.objects.filter(user=user, released_at__isnull=True, demand__state=State.IN_PROGRESS).exists():
        return
    with clock.frozen_at(now - timedelta(hours=2)):
        for wish in selectors.wall().order_by("pk")[:20]:
            try:
                wishes.claim_wish(user, wish.pk, wish.version,
                                  promised_by=timezone.localdate(now) + timedelta(days=5))
            except MinshengError:
                continue
            return


def _supermarkets(city, rng, volunteers, now) -> None:
    for street in city.streets:
        # In the street's first community, whose staff work its counter.
        community = next(c for c in city.communities if c.path.startswith(street.path))
        market = Supermarket.objects.create(name=f"{street.name}爱心超市", region=community,
                                            address=f"{community.name}党群服务中心一楼")
        for name, points, stock in ITEMS:
            Item.objects.create(supermarket=market, name=name, points=Decimal(points), stock=stock)
        cashier = _staff(city, community)
        items = list(market.items.all())
        local = [v for v in volunteers if v.region.path.startswith(street.path)]
        for volunteer in rng.sample(local, min(len(local), 14)):
            account = ledger.volunteer_account(volunteer, "points")
            account.refresh_from_db()
            affordable = [i for i in items if i.points <= account.balance]
            if not affordable:
                continue
            with clock.frozen_at(_at(now, rng.uniform(1, 40), hour=rng.randrange(9, 17))):
                ledger.redeem(cashier, card_number=volunteer.card_number, item_id=rng.choice(affordable).pk)
        first = market.items.first().redemptions.first()
        if first is not None:
            with clock.frozen_at(_at(now, 0.5)):
                ledger.refund(cashier, first.pk, reason="物品包装破损，居民退回")


def seed(city, people, *, seed: int, now: datetime) -> str:
    """Seed wishes, volunteers, teams, activities and the supermarkets once; a summary line."""
    # Its own rows (the teams of 1+8+N), not wishes: the projects' visits register wishes too.
    if Team.objects.exists():
        return "wishes and volunteers: already seeded"
    started = time.perf_counter()
    rng = random.Random(seed + 9)
    members = _party(city, people, rng)
    login_volunteer = _volunteer_login(city)
    volunteers = _volunteers(city, people, rng, members)
    if login_volunteer is not None:
        volunteers.append(login_volunteer)
    _teams(city, rng, volunteers)
    _activities(city, rng, volunteers, now)
    _wishes(city, people, rng, members, volunteers, login_volunteer, now)
    _supermarkets(city, rng, volunteers, now)
    return (f"wishes: {Demand.objects.filter(kind=Kind.WISH).count()}, volunteers: {Volunteer.objects.count()}, "
            f"teams: {Team.objects.count()}, supermarkets: {Supermarket.objects.count()} "
            f"(in {time.perf_counter() - started:.1f} s)")
