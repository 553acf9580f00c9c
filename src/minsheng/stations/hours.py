"""Opening hours: periods per weekday, several a day for staggered (错时) and late (延时) hours."""

import re
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core.errors import ValidationFailed

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS = [gettext_lazy("周一"), gettext_lazy("周二"), gettext_lazy("周三"), gettext_lazy("周四"),
            gettext_lazy("周五"), gettext_lazy("周六"), gettext_lazy("周日")]


def clean_hours(periods) -> list[dict]:
    """Check a list of {"days": [0..6], "start": "HH:MM", "end": "HH:MM"} (Monday is 0)."""
    if not isinstance(periods, list):
        raise ValidationFailed.for_field("hours", _("开放时间格式不正确。"))
    cleaned = []
    for p in periods:
        days, start, end = (p.get("days"), p.get("start"), p.get("end")) if isinstance(p, dict) else (None,) * 3
        if (not isinstance(days, list) or not days or any(d not in range(7) for d in days)
                or not isinstance(start, str) or not isinstance(end, str)
                or not _TIME.match(start) or not _TIME.match(end) or start >= end):
            raise ValidationFailed.for_field("hours", _("开放时间须写明星期几和起止时间（如 08:30–11:30）。"))
        cleaned.append({"days": sorted(set(days)), "start": start, "end": end})
    return cleaned


def is_open(periods: list[dict], at: datetime) -> bool:
    local = timezone.localtime(at)
    hhmm = f"{local:%H:%M}"
    return any(local.weekday() in p["days"] and p["start"] <= hhmm < p["end"] for p in periods)


def describe(periods: list[dict]) -> str:
    """“周一至周五 08:30–11:30；…” for the sign and the pages."""
    parts = []
    for p in periods:
        days = p["days"]
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            label = _("%(first)s至%(last)s") % {"first": WEEKDAYS[days[0]], "last": WEEKDAYS[days[-1]]}
        else:
            label = _("、").join(str(WEEKDAYS[d]) for d in days)
        parts.append(f"{label} {p['start']}–{p['end']}")
    return _("；").join(parts)
