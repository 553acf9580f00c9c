"""A secretary project's colour, computed from its milestones and dates — never typed in.

The status says where the project stands; an administrator says which of the four board colours
(绿/蓝/红/黄) each status is shown in (``StatusColour`` rows, in the admin), because places read
them differently.  Without a row, settings.MINSHENG_PROJECT_COLOURS applies; its default reads like
the demand colours (green done, yellow at risk, red overdue)."""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DONE = "done", _("已完成")
    ON_TRACK = "on_track", _("正常推进")
    AT_RISK = "at_risk", _("进度滞后")
    OVERDUE = "overdue", _("超期未完成")


class Colour(models.TextChoices):
    GREEN = "green", _("绿")
    BLUE = "blue", _("蓝")
    RED = "red", _("红")
    YELLOW = "yellow", _("黄")


def project_status(deadline: date, milestones: Iterable, today: date) -> Status:
    """done: every milestone done; overdue: past the deadline and not done; at risk: a milestone is
    past its date and not done; on track otherwise."""
    milestones = list(milestones)
    if milestones and all(m.done_on is not None for m in milestones):
        return Status.DONE
    if today > deadline:
        return Status.OVERDUE
    if any(m.done_on is None and m.due < today for m in milestones):
        return Status.AT_RISK
    return Status.ON_TRACK


def colours() -> dict[str, str]:
    """status → colour: the administrator's rows over the settings' defaults (kept per process)."""
    from minsheng.core import versioned

    from .models import StatusColour

    chosen = versioned.cached(("projects.status_colours",),
                              lambda: dict(StatusColour.objects.values_list("status", "colour")))
    return {**settings.MINSHENG_PROJECT_COLOURS, **chosen}


def colour_of(status: str) -> Colour:
    return Colour(colours()[status])


def legend() -> list[tuple[Colour, str]]:
    """The board's legend: each colour with the status it means here."""
    chosen = colours()
    return [(Colour(chosen[s]), s.label) for s in Status]
