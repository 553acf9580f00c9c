"""The colour of a demand's time status, also in words (colour alone is not enough to read)."""

from datetime import datetime

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

TIME_STATUS_LABELS = {"green": _("正常"), "yellow": _("临期"), "red": _("超期"), "blue": _("挂账")}
LATENESS_LABELS = {"on_time": _("按时"), "late": _("迟到"), "overdue": _("已超期"), "waiting": _("待完成")}


@register.filter
def time_label(status: str) -> str:
    return str(TIME_STATUS_LABELS.get(status, ""))


@register.filter
def lateness_label(status: str) -> str:
    return str(LATENESS_LABELS.get(status, ""))


@register.filter
def iso_datetime(value):
    """A moment stored as ISO 8601 text (an event's payload), as a datetime for ``date``; None
    when it is not one."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
