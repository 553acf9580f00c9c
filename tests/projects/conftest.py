"""The party structure over the test world: 光明街道党工委 → 玫瑰城社区党委 (secretary 周红, who has
a login of her own and no staff role), 和平街道党工委 → 雷锋社区党委 (secretary 吴刚)."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from minsheng.party.models import PartyMember, PartyOrganisation
from minsheng.people.models import Resident
from minsheng.projects import services
from minsheng.projects.services import MilestoneInput


@dataclass
class Party:
    street1: PartyOrganisation
    community1: PartyOrganisation
    street2: PartyOrganisation
    community2: PartyOrganisation
    secretary1: PartyMember
    secretary2: PartyMember


def _secretary(org, name, phone, user=None) -> PartyMember:
    member = PartyMember.objects.create(resident=Resident.objects.create(name=name, phone=phone, region=org.region),
                                        organisation=org, user=user)
    org.secretary = member
    org.save(update_fields=["secretary"])
    return member


def make_party(world) -> Party:
    street1 = PartyOrganisation.objects.create(level="street_committee", name="光明街道党工委",
                                               region=world.regions["s1"])
    community1 = PartyOrganisation.objects.create(level="community", name="玫瑰城社区党委", region=world.regions["c1"],
                                                  parent=street1)
    street2 = PartyOrganisation.objects.create(level="street_committee", name="和平街道党工委",
                                               region=world.regions["s2"])
    community2 = PartyOrganisation.objects.create(level="community", name="雷锋社区党委", region=world.regions["c2"],
                                                  parent=street2)
    user = get_user_model().objects.create_user(username="secretary1", password="pw-secretary1", first_name="周红")
    world.users["secretary1"] = user
    secretary1 = _secretary(community1, "周红", "13655550001", user)
    secretary2 = _secretary(community2, "吴刚", "13655550002")
    return Party(street1, community1, street2, community2, secretary1, secretary2)


@pytest.fixture
def party(world) -> Party:
    return make_party(world)


def make_project(world, party, *, name="老旧小区加装电梯", deadline=date(2026, 12, 31), milestones=None,
                 actor="staff1", org=None):
    return services.create_project(
        world.user(actor), organisation=org or party.community1, name=name, deadline=deadline,
        measures="入户征求意见；协调资金；分批施工",
        milestones=milestones or [MilestoneInput("完成方案", date(2026, 3, 31)),
                                  MilestoneInput("完成施工", date(2026, 9, 30))])
