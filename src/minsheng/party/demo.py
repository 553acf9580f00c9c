"""Demo party structure: a 党工委 per street, a 社区党组织 per community, a 小区党组织 per grid, a
楼栋党小组 per building, members from the residents, central households and in-service members
reporting to their community (双报到)."""

import random

from minsheng.people.models import Resident

from .models import PartyMember, PartyOrganisation

WORKPLACES = ["区住建局", "区城管局", "区教育局", "区卫健局", "区供电公司"]


def seed_party(city, residents: list[Resident], rng: random.Random) -> str:
    # Its own rows: the estate and building levels only this part makes (the projects and the wishes
    # make street and community levels too, so those say nothing about whether this part ran).
    if PartyOrganisation.objects.filter(level="estate").exists():
        return "party: already seeded"
    by_grid: dict[int, PartyOrganisation] = {}
    buildings: dict[int, list[PartyOrganisation]] = {}
    for street in city.streets:
        # The projects and the wishes may have made the street and community levels already (the
        # parts of the demo seed in any order): reused, not doubled.
        committee, _ = PartyOrganisation.objects.get_or_create(
            level="street_committee", region=street, defaults={"name": f"{street.name}党工委"})
        for community in [c for c in city.communities if c.parent_id == street.pk]:
            org, _ = PartyOrganisation.objects.get_or_create(
                level="community", region=community, defaults={"name": f"{community.name}党委", "parent": committee})
            for grid in [g for g in city.grids if g.parent_id == community.pk]:
                estate = PartyOrganisation.objects.create(level="estate", name=f"{grid.name}党支部", region=grid,
                                                          parent=org)
                by_grid[grid.pk] = estate
                buildings[grid.pk] = [PartyOrganisation.objects.create(
                    level="building_group", name=f"{b.name}党小组", region=b, parent=estate)
                    for b in city.buildings[grid.pk]]
    members = []
    taken = set(PartyMember.objects.values_list("resident_id", flat=True))  # members the other parts made
    for resident in residents:
        if resident.pk in taken or resident.region_id not in by_grid or rng.random() > 0.08:
            continue
        if rng.random() < 0.25:
            members.append(PartyMember(resident=resident, in_service=True, workplace=rng.choice(WORKPLACES),
                                       reporting_community_id=city.community_of(resident.region).pk))
            continue
        group = rng.choice(buildings[resident.region_id])
        central = rng.random() < 0.2
        members.append(PartyMember(resident=resident, organisation=group, central_household=central,
                                   building_id=group.region_id if central else None))
    PartyMember.objects.bulk_create(members)
    return f"party: {PartyOrganisation.objects.count()} organisations, {len(members)} members"
