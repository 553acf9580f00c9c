"""The roles a user can hold in a unit (DOMAIN.md §1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    HOTLINE_OPERATOR = "hotline_operator", _("热线话务员")
    STATION_AGENT = "station_agent", _("代办员")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    STREET_DISPATCHER = "street_dispatcher", _("街道派单员")
    DEPARTMENT_HANDLER = "department_handler", _("部门承办人")
    VOLUNTEER = "volunteer", _("志愿者")
    LEADER = "leader", _("领导")
    AUDITOR = "auditor", _("审计员")
    ADMINISTRATOR = "administrator", _("管理员")


# Roles that work on the staff pages; residents and volunteers use the public ones.
STAFF_ROLES = frozenset(set(Role) - {Role.RESIDENT, Role.VOLUNTEER})

# Roles whose work needs a resident's full phone and ID number (to call back, to verify
# identity); everyone else sees them masked.
ROLES_SEEING_PERSONAL_DATA = frozenset(
    {
        Role.HOTLINE_OPERATOR,
        Role.STATION_AGENT,
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.STREET_DISPATCHER,
        Role.DEPARTMENT_HANDLER,
        Role.ADMINISTRATOR,
    }
)
