"""The ranges a health check is held to.  ``LIMITS`` are what a measuring device can plausibly give
(a value outside is a typing error and is refused with the range); ``NORMAL`` are the adult
reference ranges outside which a reading is marked on the chart and may be handed to a care
follow-up (血压 90–139 / 60–89 mmHg; 血糖 3.9–6.1 空腹, 3.9–11.0 餐后 mmol/L; 心率 60–100)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

D = Decimal


@dataclass(frozen=True)
class Bounds:
    low: Decimal
    high: Decimal

    def holds(self, value) -> bool:
        return self.low <= D(value) <= self.high


MEASURES = ("systolic", "diastolic", "blood_sugar", "heart_rate", "weight")
LABELS = {"systolic": _("收缩压"), "diastolic": _("舒张压"), "blood_sugar": _("血糖"), "heart_rate": _("心率"),
          "weight": _("体重")}
UNITS = {"systolic": "mmHg", "diastolic": "mmHg", "blood_sugar": "mmol/L", "heart_rate": _("次/分"), "weight": "kg"}
LIMITS = {"systolic": Bounds(D(60), D(260)), "diastolic": Bounds(D(30), D(160)),
          "blood_sugar": Bounds(D("1.0"), D("33.3")), "heart_rate": Bounds(D(30), D(220)),
          "weight": Bounds(D(20), D(200))}
NORMAL = {"systolic": Bounds(D(90), D(139)), "diastolic": Bounds(D(60), D(89)),
          "heart_rate": Bounds(D(60), D(100))}
SUGAR_FASTING = Bounds(D("3.9"), D("6.1"))
SUGAR_AFTER_MEAL = Bounds(D("3.9"), D("11.0"))


def normal_for(measure: str, *, fasting: bool = False) -> Bounds | None:
    if measure == "blood_sugar":
        return SUGAR_FASTING if fasting else SUGAR_AFTER_MEAL
    return NORMAL.get(measure)


def abnormal(values: dict, *, fasting: bool = False) -> list[str]:
    """The measures of ``values`` (measure → number or None) outside their normal range."""
    out = []
    for measure in MEASURES:
        value, bounds = values.get(measure), normal_for(measure, fasting=fasting)
        if value is not None and bounds is not None and not bounds.holds(value):
            out.append(measure)
    return out
