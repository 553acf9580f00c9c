"""Rollups: counters of the assessment figures per day and per month, so that dashboards and
assessment tables never scan demands.  Maintained with every event (``receivers.py``) and
rebuilt from the event log by ``manage.py rebuild_rollups``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The counters every row carries, in the order of the columns.  Volumes go to the day of their
# event; each rate's denominator goes to the day that defines its set and its numerators to the
# same row (``counters.py``; docs/assessment.md has the formulas built on them).
VOLUMES = ("registered", "invalid", "merged", "dispatched", "resolved", "on_spot", "suspended", "closed")
COHORTS = (
    "returned", "reopened",  # of dispatched (by dispatch day), of resolved (by resolution day)
    "contact_due", "contacted_on_time",  # by the contact deadline's day
    "due", "completed", "completed_on_time",  # by the handling deadline's day (应办结)
    "revisited", "solved", "partly_solved", "unsolved", "satisfied", "basically_satisfied", "dissatisfied",
    "consultations", "answered_directly",  # by the registration's day (直接答复率)
)
COUNTERS = VOLUMES + COHORTS


class Period(models.TextChoices):
    DAY = "d", _("日")
    MONTH = "m", _("月")
    # Trend rows: the same counters per community and unit only (no grid, no category), so that
    # a dashboard's day, week and month curves read a few thousand rows, not a year of detail.
    TREND_DAY = "t", _("日（趋势）")
    TREND_MONTH = "u", _("月（趋势）")


class Rollup(models.Model):
    """Counters of one day (or one month, ``day`` being its first day) for one grid (or the
    coarser region a demand was filed in), one handling unit and one category.  The ids are
    plain integers, 0 for "none", so that the unique key also holds for demands without a unit
    or a category (NULLs never collide in a unique index)."""

    period = models.CharField(_("周期"), max_length=1, choices=Period.choices)
    day = models.DateField(_("日期"))
    region_id = models.PositiveIntegerField(_("区域"))
    unit_id = models.PositiveIntegerField(_("承办单位"), default=0)
    category_id = models.PositiveIntegerField(_("分类"), default=0)

    registered = models.IntegerField(default=0)
    invalid = models.IntegerField(default=0)
    merged = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    on_spot = models.IntegerField(default=0)
    suspended = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    contact_due = models.IntegerField(default=0)
    contacted_on_time = models.IntegerField(default=0)
    due = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    completed_on_time = models.IntegerField(default=0)
    revisited = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    partly_solved = models.IntegerField(default=0)
    unsolved = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    basically_satisfied = models.IntegerField(default=0)
    dissatisfied = models.IntegerField(default=0)
    consultations = models.IntegerField(default=0)
    answered_directly = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("考核汇总")
        verbose_name_plural = _("考核汇总")
        constraints = [models.UniqueConstraint(fields=["period", "day", "region_id", "unit_id", "category_id"],
                                               name="rollup_key_unique")]
        # Every counter in the index: a dashboard's sums read the index alone, in key order,
        # instead of fetching each row from the table (3x faster at a million demands).
        indexes = [models.Index(fields=["period", "day", "region_id", "unit_id", "category_id", *COUNTERS],
                                name="rollup_covering")]

    def __str__(self) -> str:
        return f"{self.period}{self.day} r{self.region_id} u{self.unit_id} c{self.category_id}"


class Entry(models.Model):
    """One demand's share of one counter on one rollup key: the ledger behind every figure, so
    that the list behind a tile holds exactly the demands the tile counted.  Written with the
    rollups by the same function (``counters.event_entries``); ``n`` is negative where an event
    takes a demand out of a set (a deadline moved, a round handed on in time)."""

    counter = models.CharField(_("统计项"), max_length=24)
    day = models.DateField(_("日期"))
    region_id = models.PositiveIntegerField(_("区域"))
    unit_id = models.PositiveIntegerField(_("承办单位"), default=0)
    category_id = models.PositiveIntegerField(_("分类"), default=0)
    demand_id = models.PositiveIntegerField(_("诉求"))
    n = models.SmallIntegerField(default=1)

    class Meta:
        verbose_name = _("考核明细")
        verbose_name_plural = _("考核明细")
        indexes = [models.Index(fields=["counter", "day", "region_id", "unit_id"], name="entry_counter_day")]

    def __str__(self) -> str:
        return f"{self.counter} {self.day} d{self.demand_id} {self.n:+d}"


class Rule(models.Model):
    """The assessment rule in force from a month on: the composite score's weights, the smallest
    volume a unit or region needs to be ranked, and the days after a deadline's month within
    which a resolution still counts as completed.  Versions are kept: each report names the rule
    of its month, and a past month keeps its rule when a new one is made."""

    effective_from = models.DateField(_("生效月份"), unique=True, help_text=_("自该月第一天起生效"))
    # In percent of the composite score; the three add up to 100.
    weight_response = models.DecimalField(_("响应率权重（%）"), max_digits=5, decimal_places=2)
    weight_resolution = models.DecimalField(_("解决率权重（%）"), max_digits=5, decimal_places=2)
    weight_satisfaction = models.DecimalField(_("满意率权重（%）"), max_digits=5, decimal_places=2)
    min_volume = models.PositiveIntegerField(_("参与排名的最少件数"))
    cutoff_days = models.PositiveSmallIntegerField(_("办结统计截止（次月天数）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("设置人"))
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核规则")
        verbose_name_plural = _("考核规则")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m}"
