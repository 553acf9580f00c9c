"""Rollups: counters of the assessment figures per day and per month, so that dashboards and
assessment tables never scan demands.  Maintained with every event (``receivers.py``) and
rebuilt from the event log by ``manage.py rebuild_rollups``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The counters every row carries, in the order of the columns (see ``counters.py`` for what
# adds to each one, and docs/assessment.md for the formulas built on them).
COUNTERS = (
    "registered", "invalid", "merged", "dispatched", "withdrawn", "resolved", "responded_on_time",
    "resolved_on_time", "revisited", "satisfied", "basically_satisfied", "dissatisfied", "reopened",
    "suspended", "closed",
)


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

    registered = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    responded_on_time = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    revisited = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically_satisfied = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    suspended = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)

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
