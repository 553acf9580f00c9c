"""An elder's health data (difficulty, self-care ability, health and family notes) is personal data:
pages show it masked, and only those whose work needs it — staff who take applications, assess,
approve and review in the elder's community — may reveal it, each reveal logged in the people
app's access log (``PersonalDataAccess``) beside the unmasked phone numbers."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from minsheng.core.errors import PermissionDenied
from minsheng.organisation.scope import grants_with_roles
from minsheng.people.models import PersonalDataAccess

from .access import STAFF, covers
from .models import Elder

HEALTH_FIELDS = ("condition", "self_care", "health", "family")
MASK = "****"


@dataclass(frozen=True)
class HealthData:
    condition: str
    self_care: str
    health: str
    family: str


def may_see_health(viewer, elder: Elder) -> bool:
    """Auditors check records and providers serve tasks: neither needs the register's health data."""
    return any(covers(grant, elder.community) for grant in grants_with_roles(viewer, STAFF))


def reveal_health(viewer, elder: Elder, *, purpose: str) -> HealthData:
    """The elder's health data in clear, the access logged; refused to viewers without the need."""
    if not may_see_health(viewer, elder):
        raise PermissionDenied(_("你的角色无权查看服务对象的健康信息。"))
    PersonalDataAccess.objects.create(viewer=viewer, resident=elder.resident, fields=",".join(HEALTH_FIELDS),
                                      purpose=purpose[:200])
    return HealthData(condition=elder.get_condition_display(), self_care=elder.get_self_care_display(),
                      health=elder.health, family=elder.family)
