"""Who may do what in aid given, on the one scoping function (organisation.scope)."""

from django.utils.translation import gettext as _

from minsheng.core.errors import OutOfScope, PermissionDenied
from minsheng.organisation.models import Region
from minsheng.organisation.roles import ROLES_SEEING_PERSONAL_DATA, Role
from minsheng.organisation.scope import Grant, grants_with_roles

# Campaigns, givers and donations received: the street office and the community committee.
ORGANISERS = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
# Gifts are recorded by those who visit: the organisers and grid workers.
RECORDERS = ORGANISERS | {Role.GRID_WORKER}
# The figures are read by leaders and auditors too (names of sensitive aid masked for them).
READERS = RECORDERS | {Role.LEADER, Role.AUDITOR}


def grant_over(user, roles, region: Region) -> Grant:
    """The user's grant through one of ``roles`` that covers ``region``, or a refusal."""
    grants = grants_with_roles(user, roles)
    if not grants:
        raise PermissionDenied(_("你的角色不能办理慰问帮扶业务。"))
    for grant in grants:
        if grant.region_path is not None and region.path.startswith(grant.region_path):
            return grant
    raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": region.name})


def sees_personal_data(user) -> bool:
    """Whether the user's roles read names on sensitive aid (to minors, health-related) unmasked."""
    return bool(grants_with_roles(user, ROLES_SEEING_PERSONAL_DATA & READERS))
