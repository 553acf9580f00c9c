"""Reply templates (宏): which placeholders a template may use, which templates a demand's action
form offers, and the text each becomes for that demand."""

from string import Formatter

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.demands.models import Demand

from .models import ReplyTemplate

PLACEHOLDERS = ("resident_name", "number", "deadline", "unit")
# The form field each action's template fills.
REPLY_FIELDS = {"resolve": "result", "resolve_on_spot": "result", "record_progress": "note", "return": "reason",
                "revisit": "comment"}


def check_placeholders(text: str) -> None:
    """Refuse a template whose braces name anything but the four placeholders (a typo such as
    {resident} would otherwise reach a resident as it stands) or are not closed."""
    allowed = "、".join("{" + name + "}" for name in PLACEHOLDERS)
    try:
        fields = [(name, spec, conversion) for _text, name, spec, conversion in Formatter().parse(text)
                  if name is not None]
    except ValueError:
        raise ValidationError({"text": _("模板中的花括号不成对。可用的占位符：%(allowed)s") % {
            "allowed": allowed}}) from None
    unknown = sorted({"{" + name + "}" for name, spec, conversion in fields
                      if name not in PLACEHOLDERS or spec or conversion})
    if unknown:
        raise ValidationError({"text": _("未知的占位符：%(unknown)s。可用的占位符：%(allowed)s") % {
            "unknown": "、".join(unknown), "allowed": allowed}})


def values_for(demand: Demand) -> dict[str, str]:
    """The placeholders' values for one demand, as the demand page shows them to its handler."""
    return {
        "resident_name": demand.reporter.name if demand.reporter_id and demand.reporter.name else _("居民"),
        "number": demand.number,
        "deadline": f"{timezone.localtime(demand.handle_due):%Y-%m-%d %H:%M}" if demand.handle_due else "—",
        "unit": demand.handling_unit.name if demand.handling_unit_id else "—",
    }


def fill(text: str, values: dict[str, str]) -> str:
    """The template's text for one demand; a template that slipped past the check (saved by a
    bulk update) is offered as written rather than breaking the demand page."""
    try:
        return text.format_map(values)
    except (KeyError, ValueError, IndexError, AttributeError):
        return text


def templates_for(demand: Demand, actions) -> dict[str, list[tuple[str, str]]]:
    """Per action (of those given that take a reply), the active templates for the demand's
    category or its ancestors or for every category, as (name, text filled for this demand)."""
    actions = [a for a in actions if a in REPLY_FIELDS]
    if not actions:
        return {}
    category = Q(category__isnull=True)
    if demand.category_id:
        ids = [int(p) for p in demand.category.path.split(".") if p]
        category |= Q(category_id__in=ids)
    found: dict[str, list[tuple[str, str]]] = {}
    values = None
    for template in ReplyTemplate.objects.filter(category, active=True, action__in=actions).order_by("name"):
        values = values or values_for(demand)
        found.setdefault(template.action, []).append((template.name, fill(template.text, values)))
    return found
