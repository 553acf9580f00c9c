"""The demo city's dispute mediation (issue #32 item 2; seeds: 抚顺's agents mediated neighbour
disputes, 南芬's 小红帽 patrol, 潍坊's property-dispute mediation centre, 东风's 红色议事厅): about
three dozen cases over the past half year, mediated by station agents, grid workers, community
staff and mediation committees, in every state — mediating, settled and awaiting their follow-up
visits, settled and closed, failed and referred — some started from a station case or a demand.
The printed ``agent`` and ``community`` logins hold cases of their own, among them one with a
signed agreement, one follow-up made and one still to make.

Every step goes through the services under the frozen clock of its day, so each case's events,
deadlines and side rows are those of the engine."""

import io
import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from minsheng.core import clock
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Kind
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_with_roles
from minsheng.stations.models import StationCase

from . import actions, services
from .access import MEDIATORS
from .models import MediationCase
from .services import PartyInput

DISPUTES = [
    ("neighbour", "楼上漏水引发邻里纠纷", "楼上卫生间漏水渗到楼下，双方就维修费用和责任争执不下。",
     "楼上住户承担维修费用的六成，于十日内请物业修复防水层；楼下住户自行粉刷屋顶。"),
    ("neighbour", "楼道堆物占用消防通道", "邻居长期在楼道堆放杂物，多次协商未果，双方发生口角。",
     "堆物一方三日内清理楼道杂物，今后不在公共区域堆放；另一方不再张贴指责告示。"),
    ("neighbour", "装修噪音扰民纠纷", "邻居装修午休时间施工，老人休息受影响，双方争吵。",
     "装修方仅在工作日8:00-12:00、14:00-18:00施工，周末不施工；赔礼道歉。"),
    ("property", "物业费与电梯维修纠纷", "业主以电梯长期故障为由拒交物业费，物业公司催缴。",
     "物业公司一个月内完成电梯大修并公示费用；业主补交本年度物业费，滞纳金免除。"),
    ("property", "停车位占用纠纷", "业主固定车位被他人长期占用，物业管理不到位。",
     "占用方即日起不再停放；物业公司安装车位锁并加强巡查。"),
    ("family", "赡养老人费用分担", "三兄妹对母亲的赡养费和照料分工意见不一。",
     "三人每月各出赡养费五百元，长子负责日常照料，其余二人每周轮流探望。"),
    ("labour", "装修工人工资拖欠", "装修队拖欠两名工人工资共计六千元。",
     "装修队负责人于本月底前分两次付清欠薪。"),
    ("land", "院落边界争议", "两户村民对院墙位置和宅基地边界有争议。",
     "以村委会存档的宅基地图为准，院墙后退三十厘米，费用双方各半。"),
    ("debt", "邻里借款未还", "邻居借款两万元逾期一年未还，双方关系紧张。",
     "借款人每月还款两千元，十个月还清，不计利息。"),
]
COMMITTEES = ["%s人民调解委员会", "%s红色议事厅"]


def _signature(rng: random.Random) -> SimpleUploadedFile:
    image = Image.new("RGBA", (360, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    x, y = 20, rng.randint(40, 80)
    for _ in range(rng.randint(5, 9)):
        nx, ny = x + rng.randint(20, 50), rng.randint(20, 100)
        draw.line([(x, y), (nx, ny)], fill=(17, 17, 17, 255), width=3)
        x, y = nx, ny
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("signature.png", buffer.getvalue(), content_type="image/png")


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _fresh(case: MediationCase) -> MediationCase:
    return MediationCase.objects.select_related("demand").get(pk=case.pk)


def _parties(rng: random.Random, residents, kind: str) -> list[PartyInput]:
    a, b = rng.sample(residents, 2)
    applicant = PartyInput("applicant", "resident", a.name, a.phone, a.pk)
    if kind == "property":
        company = rng.choice(["红枫物业", "安居物业", "宏达物业"])
        phone = f"0413-5{rng.randint(100000, 999999)}"
        return [applicant, PartyInput("respondent", "property_company", company, phone)]
    if kind == "labour":
        return [applicant, PartyInput("respondent", "enterprise", rng.choice(["顺通装饰工程队", "鑫城装修公司"]),
                                      f"0413-6{rng.randint(100000, 999999)}")]
    parties = [applicant, PartyInput("respondent", "resident", b.name, b.phone, b.pk)]
    if kind == "family" and len(residents) > 2:
        c = rng.choice([r for r in residents if r.pk not in (a.pk, b.pk)])
        parties.append(PartyInput("respondent", "resident", c.name, c.phone, c.pk))
    return parties


def _run(rng, actor, case: MediationCase, start, now, fate: str, terms: str, committee: bool,
         quick: bool = False) -> str:
    """Take the case from acceptance to ``fate`` as far as ``now`` allows, each step on its day."""
    session_day = start + timedelta(days=1 if quick else rng.randint(1, 3))
    if session_day > now:
        return "open"
    with clock.frozen_at(session_day):
        case = _fresh(case)
        names = "、".join(p.name for p in case.parties.all())
        services.record_session(actor, case.demand_id, case.demand.version, held_on=timezone.localdate(session_day),
                                attendees=f"{names}、{case.mediator_name}",
                                notes="听取双方陈述，释法说理，提出初步方案，双方同意回去考虑。",
                                place="红色议事厅" if committee else "社区调解室")
    if fate == "open":
        return "open"
    end_day = session_day + timedelta(days=1 if quick else rng.randint(1, 5))
    if end_day > now:
        return "open"
    with clock.frozen_at(end_day):
        case = _fresh(case)
        if fate == "failed":
            services.record_failure(actor, case.demand_id, case.demand.version,
                                    referred_to=rng.choice(["court", "arbitration", "other_body"]),
                                    reason="一方不同意调解方案，告知其可依法起诉或申请仲裁。")
            return "failed"
        services.reach_agreement(actor, case.demand_id, case.demand.version, matter=case.demand.description,
                                 terms=terms, signatures={p.pk: _signature(rng) for p in case.parties.all()})
    case = _fresh(case)
    for follow_up in case.follow_ups.all():
        visit = _at(follow_up.due_on, 10) - timedelta(hours=0 if quick else rng.choice([0, 0, 24]))
        if visit > now:
            return "agreement"
        with clock.frozen_at(visit):
            case = _fresh(case)
            kept = rng.random() < 0.9
            note = "上门回访，双方按协议履行。" if kept else "一方尚未履行，已督促。"
            services.record_follow_up(actor, case.demand_id, case.demand.version, follow_up_id=follow_up.pk,
                                      kept=kept, note=note)
    close_at = _at(case.follow_ups.order_by("-due_on").first().due_on, 15)
    if close_at > now:
        return "agreement"
    with clock.frozen_at(close_at):
        case = _fresh(case)
        services.close_case(actor, case.demand_id, case.demand.version)
    return "closed"


def _sources(community) -> list[Demand]:
    """Station cases and demands of the community a dispute may come from (not closed, no case yet)."""
    station = list(StationCase.objects.filter(demand__region__path__startswith=community.path,
                                              demand__state__in=actions.REFER.sources)
                   .values_list("demand_id", flat=True)[:3])
    return list(Demand.objects.filter(pk__in=station).select_related("region"))


def seed(city, people, *, seed: int, now: datetime | None = None) -> str:
    if MediationCase.objects.exists():
        return "mediation: already seeded"
    now = now or timezone.now()
    rng = random.Random(seed + 32)
    User = get_user_model()
    printed = {"XC-GM-01-ST": User.objects.get(username="agent"), "XC-GM-01-CC": User.objects.get(username="community")}
    communities = city.communities[:12]
    paths = dict(Region.objects.values_list("pk", "path"))
    counts: dict[str, int] = {}
    for index, community in enumerate(communities):
        residents = [p for p in people if p.region_id and paths.get(p.region_id, "").startswith(community.path)]
        grids = [g for g in city.grids if g.path.startswith(community.path)]
        if len(residents) < 3 or not grids:
            continue
        sources = _sources(community)
        for n in range(3 if index else 5):
            agent = printed.get(f"{community.code}-ST") or city.actors[(f"{community.code}-ST", Role.STATION_AGENT)]
            staff = printed.get(f"{community.code}-CC") or city.actors[(f"{community.code}-CC", Role.COMMUNITY_STAFF)]
            grid = rng.choice(grids)
            choices = [(agent, "agent"), (staff, "community_staff"), (staff, "committee"),
                       (city.actors[(grid.code, Role.GRID_WORKER)], "grid_worker")]
            actor, kind = choices[n % 4] if index == 0 else rng.choice(choices)
            grants = grants_with_roles(actor, MEDIATORS)
            covered = [g for g in grids if any(gr.unit_id and gr.covers_region(g) for gr in grants)] or [grid]
            dispute, title, description, terms = DISPUTES[(index * 3 + n) % len(DISPUTES)]
            if index == 0 and n == 0:  # the printed agent's case: signed, one follow-up made, one to make
                start, fate = now - timedelta(days=12), "agreement"
            else:
                start = now - timedelta(days=rng.randint(2, 170), hours=rng.randint(0, 6))
                fate = rng.choices(["open", "agreement", "failed"], [2, 6, 2])[0]
            source = (sources.pop() if sources and rng.random() < 0.5 and kind in ("agent", "community_staff")
                      and any(gr.covers(sources[-1]) for gr in grants) else None)
            with clock.frozen_at(start):
                case = services.open_case(
                    actor, dispute_type=dispute, title=title, description=description,
                    region=None if source else rng.choice(covered),
                    parties=_parties(rng, residents, dispute), mediator_kind=kind,
                    mediator_name=rng.choice(COMMITTEES) % community.name if kind == "committee" else "",
                    source=source)
            state = _run(rng, actor, case, start, now, fate, terms, kind == "committee", quick=index == 0 and n == 0)
            counts[state] = counts.get(state, 0) + 1
    total = MediationCase.objects.count()
    assert total == Demand.objects.filter(kind=Kind.MEDIATION).count()
    return f"mediation: {total} cases (" + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) + ")"
