"""The go-live checklist: what a territory still lacks before it can run, each gap counted with
the page that fixes it.

Each check reads the tables as they are (no flag to tick by hand), so an item clears itself the
moment the gap is filled, by an import, the grid page or the admin."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.catalogue.models import DispatchRule
from minsheng.catalogue.selectors import service_categories
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.organisation.roles import Role

from .access import EVERYWHERE

MAX_NAMED = 30  # the gaps named on the page per item; the count says how many in all
# Units that answer demands need someone who can sign in for them; volunteer teams and property
# companies are reached through their own pages.
STAFFED_KINDS = frozenset(set(Unit.Kind) - {Unit.Kind.VOLUNTEER_TEAM, Unit.Kind.PROPERTY_COMPANY})
# The SMS adapters that send nothing to a phone (docs/notifications.md).
_TEST_SMS_BACKENDS = frozenset({"console", "locmem"})


@dataclass
class Gap:
    label: str
    url: str = ""


@dataclass
class Item:
    key: str
    title: str
    explanation: str
    fix_url: str
    fix_label: str
    count: int = 0
    gaps: list[Gap] = field(default_factory=list)
    listed: int = 0  # how many gaps there are to name (gaps holds the first MAX_NAMED of them)

    @property
    def done(self) -> bool:
        return self.count == 0


def _in(paths: list[str], field_name: str = "path") -> Q:
    if EVERYWHERE in paths:
        return Q()
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field_name}__startswith": p})
    return q


def _ids(path: str) -> list[int]:
    return [int(p) for p in path.split(".") if p]


def uncovered_categories(paths: list[str]) -> tuple[int, list[Gap]]:
    """(street, category) pairs no dispatch rule answers: a rule for the category or one above it,
    for the street, a region above it or everywhere, or for every community of the street."""
    streets = list(Region.objects.filter(_in(paths), kind=Region.Kind.STREET).order_by("path"))
    communities = defaultdict(list)
    for c in Region.objects.filter(_in(paths), kind=Region.Kind.COMMUNITY).only("pk", "path"):
        communities[_ids(c.path)[-2]].append(c.pk)
    rules = defaultdict(set)  # category id → region ids (0: everywhere)
    active_rules = DispatchRule.objects.filter(unit__active=True)
    for category_id, region_id in active_rules.values_list("category_id", "region_id"):
        rules[category_id].add(region_id or 0)
    count, per_category = 0, []
    for category in service_categories():
        covering = set().union(*(rules.get(i, set()) for i in _ids(category.path)))
        missing = []
        for street in streets:
            if 0 in covering or covering & set(_ids(street.path)):
                continue
            own = communities.get(street.pk, [])
            if own and all(c in covering for c in own):
                continue
            missing.append(street.name)
        if missing:
            count += len(missing)
            per_category.append(Gap(_("%(category)s：%(streets)s") % {
                "category": category.parent.name + "·" + category.name if category.parent_id else category.name,
                "streets": "、".join(missing[:5]) + ("…" if len(missing) > 5 else "")}))
    return count, per_category


def unstaffed_units(paths: list[str]) -> list[Unit]:
    staffed = Membership.objects.filter(active=True).values("unit_id")
    return list(Unit.objects.filter(_in(paths, "region__path"), active=True, kind__in=STAFFED_KINDS)
                .exclude(pk__in=staffed).order_by("path"))


def grids_without_worker(paths: list[str]) -> list[Region]:
    """Grids that no active grid worker answers for: none assigned on the grid page, and no grid
    worker's post narrowed to the grid (or covering it through the community)."""
    grids = list(Region.objects.filter(_in(paths), kind=Region.Kind.GRID).order_by("path"))
    assigned = set(Region.objects.filter(grid_assignments__active=True).values_list("pk", flat=True))
    posts = [m.region.path if m.region_id else m.unit.region.path for m in Membership.objects.filter(
        role=Role.GRID_WORKER, active=True, unit__active=True).select_related("region", "unit__region")]
    return [g for g in grids if g.pk not in assigned and not any(g.path.startswith(p) for p in posts)]


def grids_without_boundary(paths: list[str]) -> list[Region]:
    return list(Region.objects.filter(_in(paths), kind=Region.Kind.GRID, boundary__isnull=True).order_by("path"))


def districts_without_revisit_staff(paths: list[str]) -> list[Region]:
    """Districts where no hotline operator (回访员) works: an operator's post covers the region of
    the post's unit, so a city centre's operators cover every district of the city."""
    districts = list(Region.objects.filter(_in(paths), kind=Region.Kind.DISTRICT).order_by("path"))
    posts = [m.unit.region.path for m in Membership.objects.filter(
        role=Role.HOTLINE_OPERATOR, active=True, unit__active=True).select_related("unit__region")]
    return [d for d in districts if not any(d.path.startswith(p) for p in posts)]


def sms_problems() -> list[str]:
    """What the SMS set-up lacks to reach a phone (the settings' names, for the server's operator)."""
    backend = settings.MINSHENG_SMS_BACKEND
    if backend in _TEST_SMS_BACKENDS:
        return [_("MINSHENG_SMS_BACKEND 为 %(backend)s（只记录，不发送）：请设为 aliyun 或 tencent。") % {
            "backend": backend}]
    problems = []
    needed = ["MINSHENG_SMS_ACCESS_KEY_ID", "MINSHENG_SMS_ACCESS_KEY_SECRET", "MINSHENG_SMS_SIGN_NAME"]
    if backend == "tencent":
        needed.append("MINSHENG_SMS_APP_ID")
    for name in needed:
        if not getattr(settings, name, ""):
            problems.append(_("未设置 %(name)s。") % {"name": name})
    from minsheng.notifications.models import SmsTemplateCode

    if not getattr(settings, "MINSHENG_SMS_TEMPLATES", None) and not SmsTemplateCode.objects.exists():
        problems.append(_("未填写短信模板编号（管理 → 短信模板，或 MINSHENG_SMS_TEMPLATES）。"))
    return problems


def assessment_rule_missing() -> bool:
    from minsheng.assessment.models import Rule

    return not Rule.objects.exists()


def checklist(paths: list[str]) -> list[Item]:
    """Every item of the checklist for the territory at ``paths``, in the order an office fixes them."""
    setup_import = reverse("setup:import")
    items = []

    boundaries = grids_without_boundary(paths)
    items.append(Item(
        "boundaries", _("网格边界"), _("这些网格没有边界：无法按定位自动落到网格，也不在地图上显示。"),
        f"{setup_import}?kind=boundaries", _("导入网格边界（GeoJSON）"), len(boundaries),
        [Gap(g.full_name) for g in boundaries[:MAX_NAMED]], len(boundaries)))

    units = unstaffed_units(paths)
    new_account = reverse("setup:area_create", args=["accounts"])  # one account at a time, in the workbench
    items.append(Item(
        "units", _("单位的工作人员"),
        _("这些单位没有工作人员：派到这里的诉求没有人能签收。点单位名称为它新建账号，或批量导入。"),
        f"{setup_import}?kind=accounts", _("导入工作人员账号"), len(units),
        [Gap(u.name, f"{new_account}?unit={u.pk}") for u in units[:MAX_NAMED]], len(units)))

    count, gaps = uncovered_categories(paths)
    items.append(Item(
        "catalogue", _("派单目录（权责清单）"),
        _("共 %(n)d 处（分类 × 街道）没有派单规则：这些诉求无法按目录派单，只能由派单员逐件选择承办单位。") % {
            "n": count},
        f"{setup_import}?kind=catalogue", _("导入派单目录（权责清单）"), count, gaps[:MAX_NAMED], len(gaps)))

    grids = grids_without_worker(paths)
    items.append(Item(
        "grids", _("网格员"), _("这些网格没有网格员：没有人巡查，网格内的诉求也没有人就近核实。"),
        reverse("grids:grid", args=[grids[0].pk]) if grids else reverse("grids:board"), _("在网格页分配网格员"),
        len(grids), [Gap(g.full_name, reverse("grids:grid", args=[g.pk])) for g in grids[:MAX_NAMED]], len(grids)))

    districts = districts_without_revisit_staff(paths)
    items.append(Item(
        "revisits", _("回访人员"), _("这些区县没有热线话务员：办结的诉求没有人回访居民。"),
        f"{setup_import}?kind=accounts", _("导入热线话务员账号"), len(districts),
        [Gap(d.name) for d in districts[:MAX_NAMED]], len(districts)))

    problems = sms_problems()
    items.append(Item(
        "sms", _("短信"),
        _("短信未配置：给居民的受理、办结、回访短信都不会真正发出。请服务器运维在环境变量中设置："),
        "#sms", _("查看需要设置的项目"), len(problems), [Gap(p) for p in problems], len(problems)))

    missing_rule = assessment_rule_missing()
    items.append(Item(
        "assessment", _("考核规则"), _("还没有设置考核规则：考核排名在使用系统默认的权重，请按本地考核办法设置。"),
        reverse("web:assessment_formulas"), _("设置考核规则"), int(missing_rule),
        [Gap(_("正在使用默认规则"))] if missing_rule else [], int(missing_rule)))
    # What is still open first, in the order above; what is ready after it.
    return sorted(items, key=lambda item: item.done)
