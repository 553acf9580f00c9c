"""How a staff account is named on a page."""

from django import template

register = template.Library()


@register.filter
def staff_name(user, empty: str = "—") -> str:
    """The account's display name, else its user name; ``empty`` when there is no account.

    Steps written by the system (overdue marks, scheduled jobs) have no actor: a template that
    wrote ``user.first_name|default:user.username`` failed on them, since a filter's argument is
    not resolved silently.
    """
    if user is None:
        return empty
    return user.first_name or user.username
