"""The assessment rule in force for a month, and the one way to make a new version.

A rule is set by an administrator from a month on (never for a month already past, so that a
report, once its month is over, keeps the rule it was computed with).  Without any rule the
defaults below apply: Beijing's 接诉即办 weights (响应率 10 %, 解决率 45 %, 满意率 45 %), ten
demands to be ranked, and completions counted up to the end of the deadline's month.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core import clock, versioned
from minsheng.core.errors import PermissionDenied, ValidationFailed
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_for

from .models import Rule


@dataclass(frozen=True)
class RuleView:
    effective_from: date | None  # None: the built-in defaults
    weights: dict[str, Decimal]  # rate name → weight in the composite score (the weights add up to 1)
    min_volume: int
    cutoff_days: int

    @property
    def label(self) -> str:
        if self.effective_from is None:
            return _("默认规则")
        return _("%(month)s 起执行的规则") % {"month": f"{self.effective_from:%Y-%m}"}


DEFAULT = RuleView(None, {"response": Decimal("0.10"), "resolution": Decimal("0.45"),
                          "satisfaction": Decimal("0.45")}, 10, 0)


def _view(rule: Rule) -> RuleView:
    return RuleView(rule.effective_from, {"response": rule.weight_response / 100,
                                          "resolution": rule.weight_resolution / 100,
                                          "satisfaction": rule.weight_satisfaction / 100},
                    rule.min_volume, rule.cutoff_days)


def _all() -> tuple[RuleView, ...]:
    """Every version, newest first (this process's copy, kept right by ``core.versioned``)."""
    return versioned.cached("assessment.rules", lambda: tuple(_view(r) for r in Rule.objects.order_by(
        "-effective_from")))


def rule_for(day: date, versions: tuple[RuleView, ...] | None = None) -> RuleView:
    """The rule in force on ``day`` (among ``versions``, newest first; by default the current ones)."""
    for rule in _all() if versions is None else versions:
        if rule.effective_from <= day:
            return rule
    return DEFAULT


def cutoff_days(day: date) -> int:
    return rule_for(day).cutoff_days


def cutoff_days_now() -> Callable[[date], int]:
    """``cutoff_days`` over the versions as they are now, read once: for replaying many events
    outside a request, where each ``rule_for`` would ask the database whether they changed."""
    versions = _all()
    return lambda day: rule_for(day, versions).cutoff_days


def versions() -> list[RuleView]:
    return list(_all())


def may_set(user) -> bool:
    """The rule is one for the whole tree: only an administrator of the whole tree (or a superuser)
    sets it, never a street's or a district's administrator under a city."""
    return any(g.role == Role.ADMINISTRATOR and g.region_path == "" for g in grants_for(user))


def _decimal(value, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed.for_field(field, _("%(label)s必须是数字。") % {"label": label}) from None
    if not number.is_finite() or number < 0 or number > 100:
        raise ValidationFailed.for_field(field, _("%(label)s应在 0 到 100 之间。") % {"label": label})
    return number


def set_rule(actor, *, effective_from: date, weight_response, weight_resolution, weight_satisfaction,
             min_volume: int, cutoff_days: int, note: str = "") -> Rule:
    """A new version of the rule from the month of ``effective_from`` on (this month or later).
    Weights are given in percent and must add up to 100."""
    if not may_set(actor):
        raise PermissionDenied(_("只有管理员可以设置考核规则。"))
    month = effective_from.replace(day=1)
    this_month = clock.today().replace(day=1)
    if month < this_month:
        raise ValidationFailed.for_field("effective_from",
                                         _("考核规则只能从本月或以后的月份起执行，已过去月份的报告保持原规则。"))
    weights = [_decimal(weight_response, "weight_response", _("响应率权重")),
               _decimal(weight_resolution, "weight_resolution", _("解决率权重")),
               _decimal(weight_satisfaction, "weight_satisfaction", _("满意率权重"))]
    if sum(weights) != 100:
        raise ValidationFailed.for_field("weight_response", _("三项权重之和必须为 100（现为 %(total)s）。")
                                         % {"total": sum(weights)})
    if not isinstance(min_volume, int) or not 1 <= min_volume <= 100000:
        raise ValidationFailed.for_field("min_volume", _("参与排名的最少件数应在 1 到 100000 之间。"))
    if not isinstance(cutoff_days, int) or not 0 <= cutoff_days <= 31:
        raise ValidationFailed.for_field("cutoff_days", _("办结统计截止天数应在 0 到 31 之间。"))
    with transaction.atomic():
        rule, _created = Rule.objects.update_or_create(effective_from=month, defaults={
            "weight_response": weights[0], "weight_resolution": weights[1], "weight_satisfaction": weights[2],
            "min_volume": min_volume, "cutoff_days": cutoff_days,
            "note": (note or "")[:200], "created_by": actor})
    return rule
