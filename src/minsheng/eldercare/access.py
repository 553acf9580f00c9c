"""Who may do what at elder service places, on the one scoping function (organisation.scope), plus
the people listed as a place's own staff, who reach that place only."""

from django.db.models import Q
from django.utils.translation import gettext as _

from minsheng.core.errors import OutOfScope, PermissionDenied
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_with_roles, region_filter

from .models import Facility

# Run a place (register elders, record checks, rooms, rota, day care): the community committee, the
# street office, administrators — and the place's own staff.
OPERATORS = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
# See the places and their figures (health values masked): also auditors and leaders.
READERS = OPERATORS | {Role.AUDITOR, Role.LEADER}
# Whose work needs an elder's measured values (and so may reveal them, logged): those who run the
# place and follow the elder up.  Auditors and leaders see that a check was made, not its values.
HEALTH = OPERATORS
# A care follow-up goes through the care register, whose carers are these.
CARERS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})


def facility_q(user, roles=READERS, prefix: str = "") -> Q:
    """The places ``user`` reaches through ``roles`` over their territory, or as the place's staff."""
    q = region_filter(user, f"{prefix}region", roles)
    if getattr(user, "is_authenticated", False):
        q |= Q(**{f"{prefix}staff": user})
    return q


def _region_grant(user, roles, facility: Facility) -> bool:
    return any(g.region_path is not None and facility.region.path.startswith(g.region_path)
               for g in grants_with_roles(user, roles))


def is_staff_of(user, facility: Facility) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and facility.staff.filter(pk=user.pk).exists()


def may(user, roles, facility: Facility, *, as_staff: bool = True) -> bool:
    """Whether ``user`` acts at ``facility`` through ``roles``, or (``as_staff``) as its own staff,
    who run it.  A care follow-up asks for a carer's role itself: the place's doctor is none."""
    return _region_grant(user, roles, facility) or (as_staff and is_staff_of(user, facility))


def require(user, roles, facility: Facility, *, as_staff: bool = True) -> None:
    if may(user, roles, facility, as_staff=as_staff):
        return
    if not grants_with_roles(user, roles) and not user.elder_facilities.exists():
        raise PermissionDenied(_("你的角色不能办理养老服务场所的业务。"))
    raise OutOfScope(_("“%(facility)s”不在你的管辖范围内。") % {"facility": facility.name})
