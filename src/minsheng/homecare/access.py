"""Who may do what in home care, on the one scoping function (organisation.scope)."""

from django.utils.translation import gettext as _

from minsheng.core.errors import OutOfScope, PermissionDenied
from minsheng.organisation.models import Region, Unit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import Grant, grants_with_roles

# Community staff take applications, assess and review; the street office (civil affairs) approves.
STAFF = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
APPROVERS = frozenset({Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
AUDITORS = frozenset({Role.AUDITOR, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
# A provider's worker holds the handler role in the provider's unit.
WORKERS = frozenset({Role.DEPARTMENT_HANDLER})


def covers(grant: Grant, region: Region) -> bool:
    """A territorial grant over ``region`` (a provider's grant covers no territory)."""
    return grant.region_path is not None and region.path.startswith(grant.region_path)


def grant_over(user, roles, region: Region) -> Grant:
    """The user's grant through one of ``roles`` that covers ``region``, or a refusal."""
    grants = grants_with_roles(user, roles)
    if not grants:
        raise PermissionDenied(_("你的角色不能办理居家养老业务。"))
    for grant in grants:
        if covers(grant, region):
            return grant
    raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": region.name})


def region_filter(user, roles, field: str = "community__path__startswith") -> list[str]:
    """The region paths the user's grants through ``roles`` cover, for list filters."""
    return [g.region_path for g in grants_with_roles(user, roles) if g.region_path is not None]


def provider_of(user) -> Unit | None:
    """The care provider a worker belongs to (their first provider membership)."""
    for grant in grants_with_roles(user, WORKERS):
        unit = Unit.objects.filter(pk=grant.unit_id, kind=Unit.Kind.CARE_PROVIDER).first()
        if unit is not None:
            return unit
    return None
