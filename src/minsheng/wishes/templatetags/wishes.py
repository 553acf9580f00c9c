from django import template

from minsheng.wishes import selectors

register = template.Library()


@register.filter
def state_label(demand) -> str:
    """A case's state in words: a wish's in the words of the wish loop, any other demand's as it is."""
    return selectors.state_label(demand)


@register.filter
def public_name(demand) -> str:
    return selectors.public_name(demand)
