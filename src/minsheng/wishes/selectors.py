"""Reads: the public wish wall, staff lists, one's own claims, and the quota boards."""

from collections import Counter

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from minsheng.demands.models import Demand
from minsheng.demands.workflow import Kind, State
from minsheng.organisation.models import Region
from minsheng.organisation.scope import demand_filter, region_filter
from minsheng.party import quotas
from minsheng.party.models import PartyMember
from minsheng.people.validation import mask_name

from .models import WishClaim


def wall(region: Region | None = None) -> QuerySet[Demand]:
    """Wishes published and waiting for a claimer, in ``region`` (a community or a street) or everywhere."""
    qs = Demand.objects.filter(kind=Kind.WISH, state=State.PENDING_DISPATCH).select_related("reporter", "region")
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    return qs.order_by("-registered_at")


def public_name(demand: Demand) -> str:
    """The wisher as the wall shows them: nobody by default, a masked name if they allowed it."""
    if demand.hide_name or demand.reporter is None:
        return ""
    return mask_name(demand.reporter.name)


def wall_regions() -> QuerySet[Region]:
    return Region.objects.filter(kind__in=[Region.Kind.STREET, Region.Kind.COMMUNITY]).order_by("path")


def wishes_visible_to(user) -> QuerySet[Demand]:
    return (Demand.objects.filter(kind=Kind.WISH).filter(demand_filter(user))
            .select_related("region", "reporter", "wish"))


def pending_archive(user) -> QuerySet[Demand]:
    """Wishes not yet feasible, waiting with their explanation."""
    return wishes_visible_to(user).filter(state=State.SUSPENDED)


def claims_of(user) -> QuerySet[WishClaim]:
    return (WishClaim.objects.filter(user=user).select_related("demand__region")
            .order_by("released_at", "-claimed_at"))


def live_claim(demand: Demand) -> WishClaim | None:
    return demand.wish_claims.filter(released_at__isnull=True).first()


def overdue_claims_visible_to(user) -> QuerySet[WishClaim]:
    ids = wishes_visible_to(user).filter(state=State.IN_PROGRESS).values("pk")
    return (WishClaim.objects.filter(demand__in=ids, released_at__isnull=True, overdue_at__isnull=False)
            .select_related("demand"))


# --- quotas ----------------------------------------------------------------------------

def practical_things_from_wishes(org_ids: list[int], year: int) -> dict[int, int]:
    """Wishes fulfilled in ``year`` by each organisation itself or by its members (a party.quotas source)."""
    fulfilled = WishClaim.objects.filter(released_at__isnull=True, fulfilled_at__year=year)
    counts: Counter[int] = Counter()
    counts.update(fulfilled.filter(party_organisation_id__in=org_ids)
                  .values_list("party_organisation_id", flat=True))
    counts.update(fulfilled.filter(party_member__organisation_id__in=org_ids)
                  .values_list("party_member__organisation_id", flat=True))
    return dict(counts)


def member_claims(member_ids: list[int], year: int) -> dict[int, int]:
    """Wishes each member claimed in ``year`` (claims given back to the wall do not count)."""
    return dict(Counter(WishClaim.objects.filter(party_member_id__in=member_ids, claimed_at__year=year,
                                                 released_at__isnull=True)
                        .values_list("party_member_id", flat=True)))


def member_board(user, year: int) -> list[tuple[PartyMember, int, int]]:
    """Party members in the user's territory (by organisation, or by the community an in-service
    member reports to) with their claims this year and the quota."""
    members = list(PartyMember.objects.filter(active=True)
                   .filter(region_filter(user, "organisation__region") | region_filter(user, "reporting_community"))
                   # Members with neither place are in no territory, so on nobody's board.
                   .exclude(organisation__isnull=True, reporting_community__isnull=True)
                   .select_related("resident", "organisation").order_by("organisation__path", "pk"))
    counts = member_claims([m.pk for m in members], year)
    required = quotas.member_quota()
    return [(m, counts.get(m.pk, 0), required) for m in members]


# What a wish's state means to people (the engine's state names are those of a plain demand).
WISH_STATE_LABELS = {
    State.REGISTERED: gettext_lazy("已登记"),
    State.PENDING_DISPATCH: gettext_lazy("心愿墙待认领"),
    State.IN_PROGRESS: gettext_lazy("已认领"),
    State.RESOLVED: gettext_lazy("已实现，待居民确认"),
    State.REVISITED: gettext_lazy("居民已确认"),
    State.CLOSED: gettext_lazy("已销号"),
    State.SUSPENDED: gettext_lazy("暂不具备条件（待办档案）"),
    State.MERGED: gettext_lazy("已转为诉求办理"),
}


def state_label(demand: Demand) -> str:
    if demand.kind == Kind.WISH and demand.state in WISH_STATE_LABELS:
        return str(WISH_STATE_LABELS[demand.state])
    return demand.get_state_display()


def wishes_made_by(user) -> QuerySet[Demand]:
    """The wishes a signed-in resident made (online or through staff who took them down)."""
    return (Demand.objects.filter(kind=Kind.WISH, reporter__user=user)
            .select_related("region", "wish__demand_for_common").order_by("-registered_at"))
