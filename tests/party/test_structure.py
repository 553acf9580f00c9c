"""The party structure sits on the region tree, and the quota boards add up every app's practical things."""

import pytest
from django.core.exceptions import ValidationError

from minsheng.party import quotas
from minsheng.party.models import PartyMember, PartyOrganisation
from minsheng.people.models import Resident

pytestmark = pytest.mark.django_db


def _org(world, level, region, parent=None, name="党组织"):
    org = PartyOrganisation(level=level, region=world.regions[region], parent=parent, name=name)
    org.full_clean()
    org.save()
    return org


def test_levels_follow_the_region_tree(world):
    street = _org(world, "street_committee", "s1", name="光明街道党工委")
    community = _org(world, "community", "c1", street, name="玫瑰城社区党委")
    assert community.path.startswith(street.path) and community.is_grassroots and not street.is_grassroots
    with pytest.raises(ValidationError) as err:
        _org(world, "estate", "c1", community)  # a 小区 sits on a grid, not a community
    assert "region" in err.value.message_dict
    with pytest.raises(ValidationError):
        _org(world, "building_group", "g1", community)  # skips the 小区 level
    with pytest.raises(ValidationError):
        _org(world, "community", "c1")  # only a street committee has no parent


def test_an_in_service_member_reports_to_a_community(world):
    member = PartyMember(resident=Resident.objects.create(name="王强", phone="13911112222"), in_service=True,
                         workplace="区住建局")
    with pytest.raises(ValidationError) as err:
        member.full_clean()
    assert "reporting_community" in err.value.message_dict
    member.reporting_community = world.regions["c1"]
    member.full_clean()


def test_the_quota_adds_up_every_source(world, settings, monkeypatch):
    # Only this test's sources: the apps' own (the yearly list, wishes…) register theirs at start-up.
    monkeypatch.setattr(quotas, "_SOURCES", {})
    settings.MINSHENG_PARTY_QUOTAS = {"organisation_practical_things": 3, "member_wish_claims": 1}
    street = _org(world, "street_committee", "s1")
    community = _org(world, "community", "c1", street)
    quotas.register_practical_thing_source("test_wishes", lambda ids, year: {community.pk: 2} if year == 2026 else {})
    quotas.register_practical_thing_source("test_list", lambda ids, year: {community.pk: 1})
    try:
        progress = quotas.practical_things_progress([community.pk, street.pk], 2026)
        assert progress[community.pk].done == 3 and progress[community.pk].met
        # Every app's real source is listed too (with nothing done in this test).
        by_source = progress[community.pk].by_source
        assert by_source["test_wishes"] == 2 and by_source["test_list"] == 1
        assert sum(by_source.values()) == 3
        assert progress[street.pk].done == 0 and not progress[street.pk].met
        assert not quotas.practical_things_progress([community.pk], 2025)[community.pk].met
    finally:
        del quotas._SOURCES["test_wishes"], quotas._SOURCES["test_list"]
