"""Who may do what with the knowledge base, from the one scoping rule (``organisation.scope``).

- Every staff role reads the published articles (operators answer from them, handlers and station
  agents see them beside a demand); operators do not write them (the departments answer for them).
- The owner unit edits its own articles: a member of that unit, or of a unit above it, holding one
  of ``EDITOR_ROLES`` (a unit's grant covers its subtree, as everywhere).
- The centre (a member of a district centre unit holding one of ``APPROVER_ROLES``, or a superuser)
  approves publication, and may withdraw any article.
"""

from minsheng.organisation.models import Membership, Unit
from minsheng.organisation.roles import STAFF_ROLES, Role
from minsheng.organisation.scope import grants_for, roles_of

EDITOR_ROLES = frozenset({Role.DEPARTMENT_HANDLER, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.LEADER,
                          Role.ADMINISTRATOR})
APPROVER_ROLES = frozenset({Role.LEADER, Role.ADMINISTRATOR})


def may_read(user) -> bool:
    return bool(roles_of(user) & STAFF_ROLES)


def _editor_paths(user) -> list[str]:
    return [g.unit_path for g in grants_for(user) if g.role in EDITOR_ROLES and g.unit_path is not None]


def may_edit(user, unit: Unit) -> bool:
    """Whether ``user`` edits the articles owned by ``unit``."""
    return any(unit.path.startswith(path) for path in _editor_paths(user))


def editable_units(user):
    """The units whose articles ``user`` may write (for the owner unit's choices)."""
    paths = _editor_paths(user)
    if not paths:
        return Unit.objects.none()
    if "" in paths:
        return Unit.objects.filter(active=True)
    from django.db.models import Q

    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return Unit.objects.filter(q, active=True)


def is_centre(user) -> bool:
    """Whether ``user`` approves publication for the centre."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or Membership.objects.filter(
        user=user, active=True, unit__active=True, unit__kind=Unit.Kind.DISTRICT_CENTRE,
        role__in=APPROVER_ROLES).exists()
