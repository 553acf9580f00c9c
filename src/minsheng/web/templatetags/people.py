"""How a staff account is named on a page."""

from django import template
from django.utils.translation import gettext as _

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


@register.filter
def actor_label(event) -> str:
    """Who took a step, as its role and unit ("部门承办人 · 区城管局", "居民"): what a photo's label
    and a resident's timeline say, never a person's name (a resident's name is not for other
    viewers, a staff member's not for residents)."""
    from minsheng.organisation.roles import Role
    from minsheng.organisation.scope import SYSTEM_ROLE

    if event.actor_role == SYSTEM_ROLE:
        role = _("系统")
    elif event.actor_role in Role.values:
        role = Role(event.actor_role).label
    else:
        role = ""
    unit = event.actor_unit.name if event.actor_unit_id else ""
    return " · ".join(str(part) for part in (role, unit) if part) or "—"
