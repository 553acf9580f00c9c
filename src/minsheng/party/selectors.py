"""The party structure as a report: per level (街道党工委 → 社区党组织 → 小区党组织 → 楼栋党小组 →
党员中心户) the organisations and their members, and per community the in-service members who
reported there (双报到), within the user's territory."""

from dataclasses import dataclass

from django.db.models import Count, Q

from minsheng.grids.selectors import region_q, regions_q
from minsheng.organisation.models import Region
from minsheng.organisation.roles import STAFF_ROLES

from .models import PartyMember, PartyOrganisation
from .quotas import QuotaProgress, practical_things_progress


@dataclass
class LevelRow:
    level: str
    label: str
    organisations: int
    members: int


@dataclass
class CommunityRow:
    community: Region
    organisations: int
    members: int
    central_households: int
    in_service_reported: int


@dataclass
class StructureReport:
    levels: list[LevelRow]
    central_households: int
    communities: list[CommunityRow]

    @property
    def members(self) -> int:
        return sum(row.members for row in self.levels)


def structure_report(user) -> StructureReport:
    organisations = PartyOrganisation.objects.filter(region_q(user))
    per_level = {r["level"]: r for r in organisations.values("level").annotate(
        n=Count("pk", distinct=True), members=Count("members", filter=Q(members__active=True), distinct=True))}
    levels = [LevelRow(level, str(PartyOrganisation.Level(level).label),
                       per_level.get(level, {}).get("n", 0), per_level.get(level, {}).get("members", 0))
              for level in PartyOrganisation.LEVEL_ORDER]
    members = PartyMember.objects.filter(active=True)
    central = members.filter(central_household=True).filter(region_q(user, "building")).count()
    communities = list(Region.objects.filter(regions_q(user), kind=Region.Kind.COMMUNITY).order_by("path"))
    rows = []
    for community in communities:
        under = Q(organisation__region__path__startswith=community.path)
        rows.append(CommunityRow(
            community=community,
            organisations=PartyOrganisation.objects.filter(region__path__startswith=community.path).count(),
            members=members.filter(under).count(),
            central_households=members.filter(central_household=True,
                                              building__path__startswith=community.path).count(),
            in_service_reported=members.filter(in_service=True, reporting_community=community).count()))
    return StructureReport(levels, central, rows)


def quota_board(user, year: int) -> list[tuple[PartyOrganisation, QuotaProgress]]:
    """The grassroots organisations in the user's staff territory with their practical things done
    in ``year`` against the quota: those behind it first, then in the structure's order.  One board,
    shown on the yearly list (办实事清单) and on the quota boards."""
    organisations = list(PartyOrganisation.objects.filter(level__in=PartyOrganisation.GRASSROOTS)
                         .filter(region_q(user, "region", STAFF_ROLES)).only("pk", "name").order_by("path"))
    progress = practical_things_progress([o.pk for o in organisations], year)
    return sorted(((o, progress[o.pk]) for o in organisations), key=lambda row: row[1].met)
