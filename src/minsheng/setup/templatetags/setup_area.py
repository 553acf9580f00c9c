"""The administration area's list cells: one way to show a value, whatever the section."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def shown(value) -> str:
    """A cell as read: yes/no for a flag, nothing for an empty value."""
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    return "" if value is None else str(value)


@register.simple_tag
def column_label(section, index: int) -> str:
    return str(section.columns[index][1])


@register.filter
def link_of(links, key):
    """The link ``links`` holds for ``key`` ("" when it holds none; links may be None)."""
    return (links or {}).get(key, "")


@register.simple_tag
def history_value(entry, change, side: str) -> str:
    """A change's ``before`` or ``after`` as the reader reads it (labels in their language)."""
    from minsheng.audit.selectors import shown_value

    return shown_value(getattr(entry, "object_type", None), change.get("field", ""), change.get(side) or "")
