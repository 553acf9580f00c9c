"""Where each account lands after signing in: the page its work starts from.

One rule for the login redirect, the brand link and "/": a staff role picks its working page (the
first role of ``HOMES`` the account holds wins; an administrator's is the administration area,
which holds the go-live checklist and the configuration history), a party secretary without a staff role gets the
secretary projects, a volunteer the activities and wishes to claim, and every other signed-in
account the resident's own page (its demands and wishes) — never a page that answers 404."""

from collections.abc import Callable

from django.urls import reverse

from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of


def _handler_home(user) -> str:
    from minsheng.homecare.access import provider_of

    # A care provider's worker holds the handler role in the provider: today's care tasks.
    return reverse("homecare:worker") if provider_of(user) is not None else reverse("web:queue")


# role → its home, in order of precedence for an account holding several roles
HOMES: list[tuple[str, Callable[[object], str]]] = [
    (Role.ADMINISTRATOR, lambda user: reverse("setup:area")),
    (Role.LEADER, lambda user: reverse("web:dashboard")),
    (Role.AUDITOR, lambda user: reverse("homecare:audit")),
    (Role.HOTLINE_OPERATOR, lambda user: reverse("web:intake")),
    (Role.STREET_DISPATCHER, lambda user: reverse("web:queue")),
    (Role.STATION_AGENT, lambda user: reverse("stations:cases")),
    (Role.GRID_WORKER, lambda user: reverse("grids:patrol")),
    (Role.COMMUNITY_STAFF, lambda user: reverse("web:queue")),
    (Role.DEPARTMENT_HANDLER, _handler_home),
]


def is_secretary(user) -> bool:
    """A party secretary with a login of their own (they keep their projects up to date); a party
    member who leads no organisation is not one."""
    from minsheng.party.models import PartyOrganisation

    return bool(getattr(user, "is_authenticated", False)
                and PartyOrganisation.objects.filter(secretary__user=user).exists())


def is_chief(user) -> bool:
    """A 网格长, 楼栋长 or 单元长 in office (docs/estates.md): they start from their residents."""
    from minsheng.grids.estates import is_chief as holds_post

    return holds_post(user)


def works_at_elder_place(user) -> bool:
    """Listed as the own staff of an elder service place (docs/eldercare.md): they work from it."""
    from minsheng.eldercare.models import Facility

    return Facility.objects.filter(staff=user).exists()


def resident_of_account(user):
    """The resident record behind an account: the one linked to it (``Resident.user``), else the
    party member's own record for a party member's login (a secretary's); None when it has neither."""
    from minsheng.people.models import Resident

    resident = Resident.objects.filter(user=user).first()
    if resident is None and hasattr(user, "party_member"):
        resident = user.party_member.resident
    return resident


def home_url(user) -> str:
    """The page ``user`` works from; the public home page for an anonymous visitor."""
    if not getattr(user, "is_authenticated", False):
        return reverse("web:home")
    roles = roles_of(user)
    for role, home in HOMES:
        if role in roles:
            return home(user)
    if is_secretary(user):
        return reverse("projects:projects")
    if is_chief(user):
        return reverse("estates:chief")
    if works_at_elder_place(user):
        return reverse("eldercare:home")
    if Role.VOLUNTEER in roles:
        return reverse("web:volunteer_home")
    return reverse("web:mine")
