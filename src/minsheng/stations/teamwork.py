"""Teams take cases (issue #32 item 7): a station case, a micro-wish on the wall or a demand from a
care visit is given by staff to a skills team (代办能人队: locksmiths, welders, carpenters — agents
of ``SkillTeam``) or to a 帮扶小分队 (a volunteers' ``Team``), and one of its members claims it.

Two rows of the demand workflow, added from ``StationsConfig.ready`` like the station's own:

- ``assign_team`` 派给服务队 (staff): the team's key goes on the demand (``Demand.assigned_team``,
  projected from the event) and any earlier assignee is cleared — the team holds it now;
- ``claim_team_case`` 队员认领 (a member): the member becomes the assignee.  The demand row is locked
  and an existing claim is refused with the claimer's name, so the first claim wins and a second
  member is told who has it.

Neither changes the state: the member then handles the case through the rows that already exist
for it (an agent's 代办承诺 or 立接立办 on a station case or a care demand, a volunteer's 认领心愿 and
实现心愿 on a wish), under the scope of their own grants (their station's or community's area).
"""

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from minsheng.demands import services as engine
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.workflow import Kind, State, _t
from minsheng.notifications.services import notify_users
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import demand_filter
from minsheng.volunteers.models import Team, Volunteer

from .models import Agent, SkillTeam

ASSIGN, CLAIM = "assign_team", "claim_team_case"
ASSIGNERS = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.STATION_AGENT, Role.ADMINISTRATOR})
MEMBERS = frozenset({Role.STATION_AGENT, Role.VOLUNTEER})
SOURCES = [State.REGISTERED, State.PENDING_DISPATCH, State.DISPATCHED, State.IN_PROGRESS]
SKILL, HELP = "skill", "team"


# What ``team_eligible`` reads besides the demand (loaded for a page of rows at once).
ELIGIBILITY_READS = ("station_case", "care_visit")


def team_eligible(demand: Demand) -> bool:
    """A station case, a wish waiting on the wall, or a demand a care visit found."""
    if demand.kind == Kind.WISH:
        return demand.state == State.PENDING_DISPATCH
    return hasattr(demand, "station_case") or hasattr(demand, "care_visit")


def _assigned(demand: Demand) -> bool:
    return bool(demand.assigned_team) and team_eligible(demand)


ASSIGN_ROW = _t(ASSIGN, gettext_lazy("派给服务队"), SOURCES, None, ASSIGNERS, public=True,
                kinds={Kind.DEMAND, Kind.WISH}, condition=team_eligible, reads=ELIGIBILITY_READS)
CLAIM_ROW = _t(CLAIM, gettext_lazy("队员认领"), SOURCES, None, MEMBERS, public=True,
               kinds={Kind.DEMAND, Kind.WISH}, condition=_assigned, reads=ELIGIBILITY_READS)


# --- teams and their members -----------------------------------------------------------

def team_key(team: SkillTeam | Team) -> str:
    return f"{SKILL if isinstance(team, SkillTeam) else HELP}:{team.pk}"


def team_of(key: str) -> SkillTeam | Team | None:
    kind, _sep, pk = (key or "").partition(":")
    model = {SKILL: SkillTeam, HELP: Team}.get(kind)
    if model is None or not pk.isdigit():
        return None
    return model.objects.filter(pk=int(pk)).first()


def team_name(key: str) -> str:
    team = team_of(key)
    return team.name if team is not None else ""


def keys_of(user) -> list[str]:
    """The teams ``user`` is a member of: skills teams as an agent, volunteer teams as a volunteer."""
    if not getattr(user, "is_authenticated", False):
        return []
    skill = SkillTeam.objects.filter(agents__user=user, agents__active=True).values_list("pk", flat=True)
    helping = Team.objects.filter(members__resident__user=user, members__active=True).values_list("pk", flat=True)
    return [f"{SKILL}:{pk}" for pk in skill] + [f"{HELP}:{pk}" for pk in helping]


def members_of(key: str) -> list:
    """The accounts of a team's members (those who can sign in and claim)."""
    team = team_of(key)
    if isinstance(team, SkillTeam):
        return [a.user for a in Agent.objects.filter(skill_teams=team, active=True, user__isnull=False)
                .select_related("user")]
    if isinstance(team, Team):
        return [v.resident.user for v in Volunteer.objects.filter(teams=team, active=True,
                                                                  resident__user__isnull=False)
                .select_related("resident__user")]
    return []


def team_choices() -> list[tuple[str, str]]:
    """Every skills team and every volunteers' team (小分队), for the staff's choice."""
    skill = [(team_key(t), _("%(name)s（代办能人队）") % {"name": t.name}) for t in SkillTeam.objects.order_by("name")]
    helping = [(team_key(t), _("%(name)s（%(note)s）") % {"name": t.name, "note": t.region.name})
               for t in Team.objects.filter(kind=Team.Kind.TEAM).select_related("region").order_by("region__path",
                                                                                                 "name")]
    return skill + helping


# --- the two rows ----------------------------------------------------------------------

def assign_team(actor, demand_id: int, version: int, *, team: str, note: str = "") -> Demand:
    """Give the case to a team; its members are told in the app.  A volunteers' team must belong to
    the case's street (or a region above it): a 小分队 works near home."""
    chosen = team_of(team)
    if chosen is None:
        raise ValidationFailed.for_field("team", _("请选择服务队。"))
    note = engine.require_text(note, "note", _("说明")) if (note or "").strip() else ""
    key = team_key(chosen)

    def build(demand: Demand, grant) -> dict[str, Any]:
        if isinstance(chosen, Team):
            street = demand.region
            while street.parent_id and street.kind not in ("street", "district"):
                street = street.parent
            if not (demand.region.path.startswith(chosen.region.path) or chosen.region.path.startswith(street.path)):
                raise ValidationFailed.for_field("team", _("“%(team)s”不在该案件所在街道，不能派给它。") % {
                    "team": chosen.name})
        if demand.assigned_team == key:
            raise ValidationFailed.for_field("team", _("该案件已派给“%(team)s”。") % {"team": chosen.name})
        return {"team": key, "team_name": chosen.name}

    with transaction.atomic():
        demand = engine.perform_transition(actor, demand_id, version, ASSIGN, build, note)
        from django.urls import reverse

        notify_users(members_of(key), message="stations.team_case",
                     params={"number": demand.number, "title": demand.title, "team": chosen.name},
                     link=reverse("stations:team_cases"), source="stations.team_case")
    return demand


def claim_team_case(actor, demand_id: int, version: int | None = None) -> Demand:
    """A member claims the case for themselves; the first claim wins.  The version is read under the
    row's lock: a claim is never refused for a stale page, only because someone claimed first."""
    with transaction.atomic():
        demand = (Demand.objects.select_for_update(of=("self",)).select_related("assignee")
                  .filter(pk=demand_id).first())
        if demand is None or not demand.assigned_team:
            raise NotFound(_("该案件没有派给服务队。"))
        if demand.assignee_id is not None:
            if demand.assignee_id == getattr(actor, "pk", None):
                raise InvalidTransition(_("你已认领 %(number)s。") % {"number": demand.number})
            who = demand.assignee.first_name or demand.assignee.username
            raise InvalidTransition(_("%(number)s 已由 %(name)s 认领，不能重复认领。") % {
                "number": demand.number, "name": who})
        if demand.assigned_team not in keys_of(actor):
            raise PermissionDenied(_("只有“%(team)s”的队员可以认领。") % {"team": team_name(demand.assigned_team)})
        return engine.perform_transition(actor, demand.pk, demand.version, CLAIM,
                                         lambda d, g: {"team": d.assigned_team})


def _project_assign(demand: Demand, event: DemandEvent) -> None:
    demand.assigned_team, demand.assignee_id = event.payload["team"], None


def _project_claim(demand: Demand, event: DemandEvent) -> None:
    demand.assignee_id = event.actor_id


def register_team_actions() -> None:
    engine.register_actions((ASSIGN_ROW, assign_team, _project_assign), (CLAIM_ROW, claim_team_case, _project_claim))


# --- the members' queue ----------------------------------------------------------------

def team_queue(user) -> QuerySet[Demand]:
    """Open cases given to ``user``'s teams, in their territory: waiting for a claim, or claimed by
    ``user`` (a case a teammate claimed leaves the list)."""
    keys = keys_of(user)
    if not keys:
        return Demand.objects.none()
    return (Demand.objects.filter(demand_filter(user, MEMBERS, scope="territory"), assigned_team__in=keys,
                                  state__in=SOURCES)
            .filter(Q(assignee__isnull=True) | Q(assignee=user))
            .select_related("region").order_by("registered_at", "pk"))


def team_cases_for(user) -> QuerySet[Demand]:
    """Staff: the cases given to teams in ``user``'s territory (open ones)."""
    return (Demand.objects.filter(demand_filter(user, ASSIGNERS, scope="territory"), state__in=SOURCES)
            .exclude(assigned_team="").select_related("region", "assignee").order_by("-registered_at", "-pk"))
