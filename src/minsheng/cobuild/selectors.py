"""Reads: the member units, resources, bookings and 双报到 a user may see; the monthly list of
in-service members' hours (from the ledger's rows); figures per community."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from minsheng.ledger.models import Entry, Measure, from_cents
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_for, region_filter

from .models import Booking, DualReport, JointActivity, MemberUnit, Resource
from .services import KEEPER_ROLES


def own_members(user) -> QuerySet[MemberUnit]:
    """The member units ``user`` speaks for (services.acts_for over every unit)."""
    if not getattr(user, "is_authenticated", False):
        return MemberUnit.objects.none()
    unit_ids = [g.unit_id for g in grants_for(user) if g.unit_id is not None]
    return MemberUnit.objects.filter(Q(contact_user=user) | Q(unit_id__in=unit_ids))


def members_visible_to(user) -> QuerySet[MemberUnit]:
    """Staff see the units of the alliances and communities of their territory; a unit sees itself."""
    territory = region_filter(user, "alliance__region", roles=KEEPER_ROLES) | Q(
        communities__in=Region.objects.filter(region_filter(user, "", roles=KEEPER_ROLES)))
    ids = MemberUnit.objects.filter(territory).values("pk")
    return (MemberUnit.objects.filter(Q(pk__in=ids) | Q(pk__in=own_members(user).values("pk")))
            .select_related("alliance__region", "unit"))


def party_member_of(user):
    """The party member behind an account (their own, or their resident record's), if any."""
    from minsheng.party.models import PartyMember

    if not getattr(user, "is_authenticated", False):
        return None
    return (PartyMember.objects.select_related("resident__region")
            .filter(Q(user=user) | Q(resident__user=user), active=True).first())


def has_cobuild_pages(user) -> bool:
    """Whether the co-building pages have anything for ``user`` (the navigation asks)."""
    return bool([g for g in grants_for(user) if g.role in KEEPER_ROLES]) or own_members(user).exists()


def shared_resources(community: Region | None = None, kind: str = "") -> QuerySet[Resource]:
    """What the residents' list shows: active resources of active members, for one community
    (those its member units share) or all of them."""
    qs = Resource.objects.filter(active=True, member__active=True,
                                 member__agreement_end__gte=timezone.localdate())
    if community is not None:
        qs = qs.filter(member__communities=community)
    if kind in Resource.Kind.values:
        qs = qs.filter(kind=kind)
    return qs.select_related("member__alliance").distinct().order_by("member__name", "kind", "name")


def bookings_visible_to(user) -> QuerySet[Booking]:
    """Staff: bookings for their communities; a unit: bookings of its resources; anyone: their own."""
    q = (region_filter(user, "community", roles=KEEPER_ROLES)
         | Q(resource__member__in=own_members(user).values("pk")))
    if getattr(user, "is_authenticated", False):
        q |= Q(booked_by=user)
    return Booking.objects.filter(q).select_related("resource__member", "community", "booked_by")


HISTORY_SHOWN = 30


def history_of(member: MemberUnit) -> list:
    """The unit's configuration history with its resources' and services' (newest first): the
    changes the audit log keeps of these configuration tables (``audit.signals``)."""
    from minsheng.audit.models import AuditEntry

    resources = [str(pk) for pk in member.resources.values_list("pk", flat=True)]
    offers = [str(pk) for pk in member.offers.values_list("pk", flat=True)]
    return list(AuditEntry.objects.filter(
        Q(object_type="cobuild.memberunit", object_id=str(member.pk))
        | Q(object_type="cobuild.resource", object_id__in=resources)
        | Q(object_type="cobuild.offer", object_id__in=offers)).order_by("-at", "-pk")[:HISTORY_SHOWN])


def joint_activities_of(member: MemberUnit) -> QuerySet[JointActivity]:
    return (JointActivity.objects.filter(member=member).select_related("activity__region")
            .annotate(taken=Count("activity__signups")).order_by("-activity__starts_at"))


def dual_reports_visible_to(user) -> QuerySet[DualReport]:
    """Staff: members reported to their communities; a unit: its own members."""
    q = (region_filter(user, "community", roles=KEEPER_ROLES)
         | Q(home_member__in=own_members(user).values("pk")))
    return DualReport.objects.filter(q).select_related("member__resident", "community", "home_member")


# --- the monthly list ----------------------------------------------------------------------

def month_bounds(first: date) -> tuple[datetime, datetime]:
    """The month as local-time instants [start, end)."""
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(first, time.min), tz),
            timezone.make_aware(datetime.combine(following, time.min), tz))


@dataclass
class MemberHours:
    report: DualReport
    entries: list[Entry] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return from_cents(sum(e.amount_cents for e in self.entries))


@dataclass
class OrganisationList:
    """One organisation's monthly list: each of its reported members with their ledger rows."""

    organisation: str
    members: list[MemberHours]

    @property
    def hours(self) -> Decimal:
        return sum((m.hours for m in self.members), Decimal("0.00"))


def hour_entries(resident_ids, start: datetime, end: datetime) -> QuerySet[Entry]:
    """The ledger rows of service hours credited to (or corrected on) these residents' accounts."""
    return (Entry.objects.filter(account__kind="volunteer", account__measure=Measure.HOURS,
                                 account__volunteer__resident_id__in=resident_ids,
                                 transfer__created_at__gte=start, transfer__created_at__lt=end)
            .select_related("transfer", "account__volunteer").order_by("transfer__created_at", "pk"))


def monthly_lists(reports: QuerySet[DualReport], first: date) -> list[OrganisationList]:
    """Per own organisation, its members reported in a community and their hours of the month;
    a member reported after the month is left out, one who served nothing is listed with 0."""
    start, end = month_bounds(first)
    reports = list(reports.filter(active=True, reported_on__lt=end.date())
                   .order_by("home_organisation", "member__resident__name", "pk"))
    by_resident: dict[int, list[Entry]] = {}
    for entry in hour_entries([r.member.resident_id for r in reports], start, end):
        by_resident.setdefault(entry.account.volunteer.resident_id, []).append(entry)
    lists: dict[str, OrganisationList] = {}
    for report in reports:
        bucket = lists.setdefault(report.home_organisation, OrganisationList(report.home_organisation, []))
        bucket.members.append(MemberHours(report, by_resident.get(report.member.resident_id, [])))
    return list(lists.values())


# --- figures -------------------------------------------------------------------------------

@dataclass
class CommunityFigures:
    community: Region
    members: int
    resources: int
    bookings: int
    used: int
    activities: int
    reported: int
    hours: Decimal


def figures(user, first: date) -> list[CommunityFigures]:
    """Per community of the user's territory: member units serving it, their resources, bookings
    for it (and how many were used), joint activities there, in-service members reported to it
    and their hours in the month.  One grouped query per figure for all the communities (seven
    queries a community before: 105 for a city of fifteen)."""
    communities = list(Region.objects.filter(region_filter(user, "", roles=KEEPER_ROLES),
                                             kind=Region.Kind.COMMUNITY).order_by("path"))
    if not communities:
        return []
    start, end = month_bounds(first)
    ids = [c.pk for c in communities]
    serving = MemberUnit.communities.through.objects.filter(region_id__in=ids, memberunit__active=True)
    members = dict(serving.values("region_id").annotate(n=Count("memberunit_id", distinct=True))
                   .values_list("region_id", "n"))
    resources = dict(Resource.objects.filter(active=True, member__active=True, member__communities__in=ids)
                     .values("member__communities").annotate(n=Count("pk", distinct=True))
                     .values_list("member__communities", "n"))
    booked = {row["community_id"]: row for row in Booking.objects.filter(community_id__in=ids).values(
        "community_id").annotate(
        live=Count("pk", filter=~Q(state__in=[Booking.State.CANCELLED, Booking.State.REJECTED])),
        used=Count("pk", filter=Q(state=Booking.State.USED)))}
    # Joint activities anywhere under a community (its grids included): one read of their places.
    under = Q()
    for community in communities:
        under |= Q(activity__region__path__startswith=community.path)
    places = list(JointActivity.objects.filter(under).values_list("activity__region__path", flat=True))
    reports = list(DualReport.objects.filter(community_id__in=ids, active=True)
                   .values_list("community_id", "member__resident_id"))
    hours_of: dict[int, int] = {}
    for resident_id, cents in hour_entries({r for _c, r in reports}, start, end).values_list(
            "account__volunteer__resident_id", "amount_cents"):
        hours_of[resident_id] = hours_of.get(resident_id, 0) + cents
    rows = []
    for community in communities:
        bookings = booked.get(community.pk, {})
        reported = [resident for where, resident in reports if where == community.pk]
        rows.append(CommunityFigures(
            community=community, members=members.get(community.pk, 0), resources=resources.get(community.pk, 0),
            bookings=bookings.get("live", 0), used=bookings.get("used", 0),
            activities=sum(1 for path in places if path.startswith(community.path)),
            reported=len(reported), hours=from_cents(sum(hours_of.get(r, 0) for r in set(reported)))))
    return rows


def member_counts(member: MemberUnit) -> dict[str, int]:
    """Booked and used counts of a member unit's resources."""
    bookings = Booking.objects.filter(resource__member=member)
    return {"booked": bookings.exclude(state__in=[Booking.State.CANCELLED, Booking.State.REJECTED]).count(),
            "used": bookings.filter(state=Booking.State.USED).count(),
            "pending": bookings.filter(state=Booking.State.PENDING).count()}


def nav_links(user, roles: set[str]) -> list[tuple[str, str]]:
    """共驻共建 for those who keep the register and for member units' contacts (a department's
    handlers included); the navigation calls this."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    links = []
    if roles & KEEPER_ROLES or (getattr(user, "is_authenticated", False) and own_members(user).exists()):
        links.append((reverse("cobuild:home"), _("共驻共建")))
    if Role.VOLUNTEER in roles and party_member_of(user) is not None:
        links.append((reverse("cobuild:report_myself"), _("党员报到")))  # 双报到 by the member themself
    return links
