"""A table cell's figure with its link to the demands behind it (the same for every table)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def figure_link(row, name: str):
    """The count of set ``name`` in ``row``, linked to its list when the row has links."""
    value = row.figures.count(name)
    url = getattr(row, "links", {}).get(name)
    return format_html('<a href="{}">{}</a>', url, value) if url else value


@register.simple_tag
def rate_link(row, name: str):
    """A rate in ``row`` as a percentage linked to its numerator, with a link to its failures."""
    value = row.figures.rate(name)
    text = f"{value}%" if value is not None else "—"
    links = getattr(row, "links", {})
    if not links or value is None:
        return text
    return format_html('<a href="{}">{}</a>', links[name], text)
