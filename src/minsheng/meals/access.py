"""Who may do what in meal assistance, on the one scoping function (organisation.scope)."""

from django.utils.translation import gettext as _

from minsheng.core.errors import OutOfScope, PermissionDenied
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import Grant, grants_with_roles

# The counter, bookings on an elder's behalf and the canteen's daily figures: the village or
# community committee that runs the canteen, the street office, administrators.
COUNTER = frozenset({Role.COMMUNITY_STAFF, Role.STATION_AGENT, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
# Statements are issued by the street office (civil affairs) and read by auditors too.
ISSUERS = frozenset({Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
READERS = COUNTER | {Role.AUDITOR, Role.LEADER}
# Food-safety checks: the street office, the community committee, auditors.
INSPECTORS = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.AUDITOR, Role.ADMINISTRATOR})


def grant_over(user, roles, region: Region) -> Grant:
    """The user's grant through one of ``roles`` that covers ``region``, or a refusal."""
    grants = grants_with_roles(user, roles)
    if not grants:
        raise PermissionDenied(_("你的角色不能办理助餐业务。"))
    for grant in grants:
        if grant.region_path is not None and region.path.startswith(grant.region_path):
            return grant
    raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": region.name})
