"""The demo's 共驻共建: 光明街道's 党建联盟 with 15 member units (departments of the tree, a school,
hospitals, the power company, a property company…), their resources and services, two months of
bookings, joint activities with sign-ups and confirmed hours, and about 40 in-service party members
reported to their communities — all through the services, the past under ``clock.frozen_at``."""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.demo.city import person_name
from minsheng.organisation.roles import Role
from minsheng.party.models import PartyMember
from minsheng.people.models import Resident
from minsheng.volunteers import services as volunteers

from . import services
from .models import Alliance, Booking, DualReport, MemberUnit

# name, kind, unit code in the demo tree (or None), party organisation, contact, resources, services.
# Resources: (kind, name, quantity, measure, availability); services: (category, name, schedule).
MEMBERS = [
    ("区城管局", "department", "XC-CG", "区城管局机关党委", "郑卫国",
     [("vehicle", "环卫清运车", 2, "辆", "周末上午")], [("environment", "门前三包宣传", "每月第二个周五")]),
    ("区住建局", "department", "XC-ZJ", "区住建局机关党委", "何建平",
     [("equipment", "房屋安全检测仪", 1, "台", "工作日")], [("general", "老旧小区改造政策解读", "每季度一次")]),
    ("区卫健局", "department", "XC-WJ", "区卫健局机关党委", "冯丽",
     [("funds", "健康讲座经费", 6, "次", "全年")], [("medical", "慢病随访指导", "每月第一个周三")]),
    ("区教育局", "department", "XC-JY", "区教育局机关党支部", "曹文",
     [("venue", "教师进修学校报告厅", 1, "间", "周末全天")], [("education", "四点半课堂师资", "工作日 16:30–18:00")]),
    ("区民政局", "department", "XC-MZ", "区民政局机关党委", "邓华",
     [("funds", "困难群众临时救助金", 10, "次", "全年")], [("poverty", "低保政策上门讲解", "按需预约")]),
    ("光明小学", "school", None, "光明小学党支部", "陈静",
     [("venue", "学校礼堂", 1, "间", "周末全天、工作日 17:00 以后"), ("venue", "操场", 1, "块", "周末全天")],
     [("education", "周末作业辅导", "每周六上午")]),
    ("新城区第二中学", "school", None, "新城区第二中学党总支", "吕强",
     [("venue", "多功能教室", 2, "间", "周末全天")], [("culture", "书法兴趣班", "每周日下午")]),
    ("新城区人民医院", "hospital", None, "新城区人民医院党委", "林芳",
     [("equipment", "便携式血压计", 5, "台", "工作日"), ("vehicle", "救护转运车", 1, "辆", "预约使用")],
     [("medical", "社区义诊", "每月第三个周六上午"), ("medical", "家庭医生签约咨询", "每周二下午")]),
    ("光明社区卫生服务中心", "hospital", None, "光明社区卫生服务中心党支部", "苏敏",
     [("venue", "健康小屋", 1, "间", "工作日 8:30–16:30")], [("medical", "老年人免费体检", "每年 4–6 月")]),
    ("国网新城供电公司", "state_company", None, "国网新城供电公司党委", "孔亮",
     [("equipment", "应急发电车", 1, "辆", "24 小时预约")], [("general", "老旧线路免费检修", "每月最后一个周六")]),
    ("新城自来水公司", "state_company", None, "新城自来水公司党支部", "范涛",
     [("equipment", "管道检测设备", 1, "套", "工作日")], [("general", "冬季管道防冻检查", "11 月至次年 2 月")]),
    ("安居物业公司", "property", "XC-PM1", "安居物业公司党支部", "高峰",
     [("venue", "物业会议室", 1, "间", "工作日全天"), ("equipment", "折叠桌椅", 20, "套", "随时")],
     [("environment", "楼道清理", "每周一")]),
    ("建设银行光明支行", "company", None, "建设银行光明支行党支部", "贾晶",
     [("venue", "劳动者港湾", 1, "间", "营业时间")], [("general", "防范电信诈骗讲座", "每季度一次")]),
    ("明正律师事务所", "company", None, "明正律师事务所党支部", "夏律",
     [("venue", "调解室", 1, "间", "工作日")],
     [("legal", "法律咨询", "每周四下午"), ("legal", "法律援助代理", "按需")]),
    ("新城区青年志愿者协会", "social", None, "新城区青年志愿者协会党支部", "钟越",
     [("equipment", "音响设备", 2, "套", "周末")], [("culture", "社区文艺演出", "节假日")]),
]
PURPOSES = ["老年合唱队排练", "社区议事会", "四点半课堂", "党员主题党日", "居民健康讲座", "消夏晚会彩排",
            "楼栋长例会", "防诈骗宣传", "广场舞队活动", "亲子阅读会"]
ACTIVITIES = [("义诊进社区", "medical"), ("法律咨询日", "legal"), ("清洁家园", "environment"),
              ("老旧线路检修", "general"), ("周末课堂", "education"), ("文艺演出", "culture"),
              ("垃圾分类宣传", "environment"), ("防诈骗讲座", "general")]


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def seed(city, residents: list[Resident], *, seed: int, now: datetime) -> str:
    if Alliance.objects.exists():
        return "cobuild: already seeded"
    rng = random.Random(seed + 32)
    street = city.streets[0]
    communities = [c for c in city.communities if c.parent_id == street.pk]
    keeper = city.actors[(f"{street.code}-OFFICE", Role.STREET_DISPATCHER)]
    today = timezone.localdate(now)
    unusable = make_password(None)
    alliance = Alliance.objects.create(kind="street", name=f"{street.name}党建联盟", region=street)
    members: list[MemberUnit] = []
    with clock.frozen_at(now - timedelta(days=70)):
        for index, (name, kind, code, party_org, contact, resources, offers) in enumerate(MEMBERS):
            contact_user = None
            if code is None:  # a unit outside the tree: its contact signs in with an account of their own
                contact_user, _created = get_user_model().objects.get_or_create(
                    username=f"cobuild-{index + 1:02d}", defaults={"first_name": contact, "password": unusable})
            served = communities if kind == "department" else rng.sample(communities, rng.randint(1, 2))
            if name == "光明小学":
                served = communities[:1]  # the school of 玫瑰城, where the demo's resident lives
            member = services.register_member(
                keeper, alliance=alliance, name=name, kind=kind, communities=served, contact_name=contact,
                contact_phone=f"139{rng.randint(10000000, 99999999)}", party_organisation=party_org,
                agreement_start=today - timedelta(days=rng.randint(90, 500)),
                agreement_end=today + timedelta(days=rng.randint(200, 900)),
                unit=city.units.get(code) if code else None, contact_user=contact_user)
            for r_kind, r_name, quantity, measure, when in resources:
                services.add_resource(keeper, member, kind=r_kind, name=r_name, quantity=quantity, measure=measure,
                                      availability=when, bookable=r_kind != "funds")
            for category, o_name, schedule in offers:
                services.add_offer(keeper, member, category=category, name=o_name, schedule=schedule)
            members.append(member)
    _changes(members, keeper, now)
    bookings = _bookings(city, members, keeper, rng, now)
    reported = _dual_reports(city, members, keeper, communities, rng, now)
    activities = _activities(city, members, communities, keeper, rng, now)
    return (f"cobuild: 1 alliance, {len(members)} member units, {bookings} bookings, {activities} joint activities, "
            f"{reported} in-service members reported")


def _changes(members: list[MemberUnit], keeper, now: datetime) -> None:
    """Ten days ago the street renewed the school's agreement for a year and widened its hall's
    hours: the unit's 变更记录 shows both before → after."""
    school = next((m for m in members if m.name == "光明小学"), None)
    if school is None:
        return
    with clock.frozen_at(now - timedelta(days=10)):
        services.update_member(
            keeper, school, name=school.name, kind=school.kind, communities=list(school.communities.all()),
            contact_name=school.contact_name, agreement_start=school.agreement_start,
            agreement_end=school.agreement_end + timedelta(days=365), party_organisation=school.party_organisation,
            email=school.email)
        hall = school.resources.order_by("pk").first()
        if hall is not None:
            services.update_resource(keeper, hall, kind=hall.kind, name=hall.name, quantity=hall.quantity,
                                     measure=hall.measure, availability=f"{hall.availability}、寒暑假".lstrip("、"),
                                     description=hall.description, bookable=hall.bookable)


def _bookings(city, members, keeper, rng: random.Random, now: datetime) -> int:
    """Two months back and two weeks ahead; the past ones approved and used, some refused or cancelled."""
    count = 0
    resources = [r for m in members for r in m.resources.filter(bookable=True)]
    for _i in range(40):
        resource = rng.choice(resources)
        community = rng.choice(list(resource.member.communities.all()))
        day = timezone.localdate(now) + timedelta(days=rng.randint(-60, 14))
        start = _at(day, rng.choice([9, 14, 18]))
        booked_at = min(start - timedelta(days=rng.randint(1, 5)), now - timedelta(hours=1))
        try:
            with clock.frozen_at(booked_at):
                booking = services.book(keeper, resource, community=community, starts_at=start,
                                        ends_at=start + timedelta(hours=2), purpose=rng.choice(PURPOSES))
                roll = rng.random()
                if roll < 0.1:
                    services.decide(keeper, booking.pk, "reject", "该时段单位自用")
                elif roll < 0.18:
                    services.decide(keeper, booking.pk, "cancel")
                elif roll < 0.85 or start < now:
                    services.decide(keeper, booking.pk, "approve")
            booking.refresh_from_db()
            if booking.state == Booking.State.APPROVED and start + timedelta(hours=2) < now:
                with clock.frozen_at(start + timedelta(hours=2)):
                    services.decide(keeper, booking.pk, "use")
        except MinshengError:  # a slot drawn twice: that booking is refused, as it would be
            continue
        count += 1
    return count


def _dual_reports(city, members, keeper, communities, rng: random.Random, now: datetime) -> int:
    """40 in-service party members living in the street's communities, reported with their own
    organisation.  They are residents of their own (phones 1588…): the other parts draw volunteers
    and party members from the demo's residents, and a resident is a volunteer only once."""
    grids = [g for g in city.grids if g.parent_id in {c.pk for c in communities}]
    with clock.frozen_at(now - timedelta(days=65)):
        for index in range(40):
            grid = rng.choice(grids)
            resident, _created = Resident.objects.get_or_create(phone=f"1588041{index:04d}", defaults={
                "name": person_name(rng), "region": grid,
                "address": city.place(rng, grid, rng.choice(city.buildings[grid.pk]))})
            member, _created = PartyMember.objects.get_or_create(resident=resident, defaults={
                "in_service": True, "reporting_community": city.community_of(grid)})
            services.report_in(keeper, member, community=city.community_of(grid), home_member=rng.choice(members))
    return 40


def _activities(city, members, communities, keeper, rng: random.Random, now: datetime) -> int:
    """Joint activities: the past ones with sign-ups and confirmed hours (the monthly lists' rows),
    two ahead still open for sign-up.  Each is organised by the unit's contact, a department's handler,
    or (for a unit with neither) the street's worker in its name."""
    reported = list(DualReport.objects.select_related("member__resident__volunteer"))
    count = 0
    for index, days in enumerate([-50, -40, -33, -26, -19, -12, -6, -3, -1, 4, 9]):
        member = members[index % len(members)]
        title, category = ACTIVITIES[index % len(ACTIVITIES)]
        community = rng.choice(list(member.communities.all()))
        start = _at(timezone.localdate(now) + timedelta(days=days), 9)
        actor = (member.contact_user or (city.actors.get((member.unit.code, Role.DEPARTMENT_HANDLER))
                                         if member.unit_id else None) or keeper)
        with clock.frozen_at(start - timedelta(days=7)):
            activity = services.create_joint_activity(
                actor, member, title=f"{member.name}·{title}", category=category, community=community,
                starts_at=start, ends_at=start + timedelta(hours=2), capacity=30, hours=rng.choice(["1.5", "2", "3"]),
                place=f"{community.name}党群服务中心", description=f"{member.name}与{community.name}共建活动")
            going = [r for r in reported if r.community_id in {c.pk for c in communities}]
            for report in rng.sample(going, min(len(going), rng.randint(6, 14))):
                try:
                    volunteers.sign_up(report.member.resident.volunteer, activity.pk)
                except MinshengError:
                    continue
        if start + timedelta(hours=2) < now:
            attended = [s.volunteer_id for s in activity.signups.all() if rng.random() < 0.85]
            with clock.frozen_at(start + timedelta(hours=3)):
                services.confirm_joint_attendance(actor, activity.pk, attended)
        count += 1
    return count
