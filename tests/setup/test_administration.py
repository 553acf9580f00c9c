"""The administration area (setup.sections, setup.area): scoped to the administrator's territory,
each create and edit kept in the configuration history before → after, password resets shown
once, restocking through its service."""

import random
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from minsheng.assessment import rules
from minsheng.audit.models import AuditEntry
from minsheng.core.errors import OutOfScope, PermissionDenied
from minsheng.homecare.models import CareService, ProviderContract
from minsheng.knowledge.models import Article
from minsheng.ledger.models import Item, Restock, Supermarket
from minsheng.organisation.models import Membership, Unit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_for
from minsheng.party.models import PartyOrganisation
from minsheng.setup import services
from minsheng.setup.access import territory_paths
from minsheng.stations.models import Agent, Station

pytestmark = pytest.mark.django_db


@pytest.fixture
def street_admin(world):
    """光明街道's administrator (a post in the street office: the street is the territory)."""
    user = get_user_model().objects.create_user(username="gm-admin", password="pw-gm-admin")
    Membership.objects.create(user=user, unit=world.units["so1"], role=Role.ADMINISTRATOR)
    return get_user_model().objects.get(pk=user.pk)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _entries(obj) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
                .order_by("at", "pk"))


def _change(entry: AuditEntry, field: str) -> tuple[str, str]:
    found = next(c for c in entry.changes if c["field"] == field)
    return found["before"], found["after"]


def _unit_data(unit, **changes) -> dict:
    data = {"name": unit.name, "kind": unit.kind, "code": unit.code, "parent": unit.parent_id or "",
            "region": unit.region_id, "phone": unit.phone, "active": "on" if unit.active else ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_a_street_administrator_sees_and_changes_only_his_streets_units(world, street_admin):
    client = _client(street_admin)
    page = client.get(reverse("setup:area_list", args=["units"])).content.decode()
    assert "光明街道办事处" in page and "玫瑰城社区居委会" in page and "玫瑰城5号楼代办站" in page
    assert "和平街道办事处" not in page and "雷锋社区居委会" not in page and "区城管局" not in page
    other = world.units["cc2"]
    assert client.get(reverse("setup:area_edit", args=["units", other.pk])).status_code == 404
    response = client.post(reverse("setup:area_edit", args=["units", other.pk]), _unit_data(other, name="改名"))
    assert response.status_code == 404
    assert Unit.objects.get(pk=other.pk).name == "雷锋社区居委会"
    # Nor can he move one of his units under another street's, or place a new one there.
    own = world.units["cc1"]
    response = client.post(reverse("setup:area_edit", args=["units", own.pk]),
                           _unit_data(own, parent=world.units["so2"].pk))
    assert response.status_code == 400 and Unit.objects.get(pk=own.pk).parent_id == world.units["so1"].pk
    with pytest.raises(OutOfScope):
        services.save_unit(street_admin, territory_paths(street_admin), Unit(), {
            "name": "新单位", "kind": "community_committee", "code": "X1", "region": world.regions["c2"],
            "parent": world.units["so1"], "active": True})


def test_unit_create_rename_move_and_deactivate_are_each_in_the_history(world, street_admin):
    client = _client(street_admin)
    response = client.post(reverse("setup:area_create", args=["units"]), {
        "name": "玫瑰城物业", "kind": "property_company", "code": "PM-1", "region": world.regions["c1"].pk,
        "parent": world.units["cc1"].pk, "active": "on"})
    assert response.status_code == 302
    unit = Unit.objects.get(code="PM-1")
    assert unit.path.startswith(world.units["cc1"].path)
    client.post(reverse("setup:area_edit", args=["units", unit.pk]),
                _unit_data(unit, name="玫瑰城物业服务中心", parent=world.units["so1"].pk, active=""))
    unit.refresh_from_db()
    assert (unit.name, unit.parent_id, unit.active) == ("玫瑰城物业服务中心", world.units["so1"].pk, False)
    created, changed = _entries(unit)
    assert created.action == "新增" and created.username == "gm-admin"
    assert created.region_path == world.regions["c1"].path
    assert _change(changed, "name") == ("玫瑰城物业", "玫瑰城物业服务中心")
    assert _change(changed, "parent_id") == (f"玫瑰城社区居委会 (#{world.units['cc1'].pk})",
                                             f"光明街道办事处 (#{world.units['so1'].pk})")
    assert _change(changed, "active") == ("是", "否")
    page = client.get(reverse("setup:area_edit", args=["units", unit.pk])).content.decode()
    assert "玫瑰城物业服务中心" in page and "<del>玫瑰城物业</del>" in page


def test_accounts_roles_and_password_reset(world, street_admin):
    client = _client(street_admin)
    response = client.post(reverse("setup:area_create", args=["accounts"]), {
        "username": "new-staff", "first_name": "刘芳", "unit": world.units["cc1"].pk, "role": "community_staff"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    shown = response.content.decode()
    user = get_user_model().objects.get(username="new-staff")
    password = shown.split('id="one-time-password">')[1].split("<")[0]
    assert len(password) == services.PASSWORD_LENGTH and user.check_password(password)
    # A reset: a new one-time password, the old one dead, and neither in the history.
    response = client.post(reverse("setup:area_action", args=["accounts", user.pk, "password"]))
    second = response.content.decode().split('id="one-time-password">')[1].split("<")[0]
    user.refresh_from_db()
    assert second != password and user.check_password(second) and not user.check_password(password)
    history = AuditEntry.objects.filter(object_type="auth.user", object_id=str(user.pk))
    assert history.count() == 2
    assert all(second not in (e.detail + str(e.changes)) and password not in (e.detail + str(e.changes))
               for e in AuditEntry.objects.all())
    assert _change(history.order_by("at", "pk").last(), "password") == ("***", "***")
    assert Client().login(username="new-staff", password=second)
    # A role in another street, or above his own territory, is refused; his own street's is given.
    for unit in (world.units["cc2"], world.units["centre"]):
        response = client.post(reverse("setup:area_create", args=["posts"]) + f"?parent={user.pk}", {
            "unit": unit.pk, "role": "administrator", "active": "on"})
        assert response.status_code == 400
    with pytest.raises(OutOfScope):
        services.save_post(street_admin, territory_paths(street_admin), Membership(user=user),
                           {"unit": world.units["centre"], "role": Role.ADMINISTRATOR, "active": True})
    response = client.post(reverse("setup:area_create", args=["posts"]) + f"?parent={user.pk}", {
        "unit": world.units["so1"].pk, "role": "street_dispatcher", "active": "on"})
    assert response.status_code == 302
    assert set(user.memberships.values_list("role", flat=True)) == {"community_staff", "street_dispatcher"}
    page = client.get(reverse("setup:area_edit", args=["accounts", user.pk])).content.decode()
    assert "街道派单员" in page and 'id="object-history"' in page
    # Deactivated: no more sign-in, and the history says so.
    response = client.post(reverse("setup:area_edit", args=["accounts", user.pk]), {"first_name": "刘芳"})
    assert response.status_code == 302 and not get_user_model().objects.get(pk=user.pk).is_active
    assert not Client().login(username="new-staff", password=second)
    assert _change(_entries(user)[-1], "is_active") == ("是", "否")
    # A unit of another street put in the new-account form's address is not offered.
    page = client.get(reverse("setup:area_create", args=["accounts"]) + f"?unit={world.units['cc2'].pk}")
    assert world.units["cc2"] not in page.context["form"].fields["unit"].queryset


def test_accounts_beyond_the_territory_are_neither_shown_nor_reset(world, street_admin):
    client = _client(street_admin)
    dispatcher = world.users["dispatcher2"]  # 和平街道
    assert client.get(reverse("setup:area_edit", args=["accounts", dispatcher.pk])).status_code == 404
    assert client.post(reverse("setup:area_action", args=["accounts", dispatcher.pk, "password"])).status_code == 404
    # An account with a post in his street and one at the district centre: shown, never changed.
    staff = world.users["staff1"]
    Membership.objects.create(user=staff, unit=world.units["centre"], role=Role.LEADER)
    assert client.get(reverse("setup:area_edit", args=["accounts", staff.pk])).status_code == 200
    before = get_user_model().objects.get(pk=staff.pk).password
    response = client.post(reverse("setup:area_action", args=["accounts", staff.pk, "password"]))
    assert response.status_code == 403
    assert get_user_model().objects.get(pk=staff.pk).password == before
    with pytest.raises(PermissionDenied):
        services.reset_password(street_admin, territory_paths(street_admin), street_admin)


def test_a_street_administrators_grants_and_the_assessment_rule_stay_in_his_territory(world, street_admin):
    grant = next(g for g in grants_for(street_admin) if g.role == Role.ADMINISTRATOR)
    assert grant.region_path == world.regions["s1"].path and grant.unit_path == world.units["so1"].path
    whole = next(g for g in grants_for(world.user("admin")) if g.role == Role.ADMINISTRATOR)
    assert whole.region_path == "" and whole.unit_path == ""
    assert not rules.may_set(street_admin) and rules.may_set(world.user("admin"))
    assert _client(street_admin).get(reverse("setup:area_list", args=["rules"])).status_code == 404


def test_a_station_and_its_agent_are_created_and_in_the_history(world, street_admin):
    client = _client(street_admin)
    response = client.post(reverse("setup:area_create", args=["stations"]), {
        "name": "玫瑰城7号楼代办站", "region": world.regions["g1b"].pk, "tier": "family", "place_type": "home",
        "address": "玫瑰城7号楼1单元101", "latitude": "41.850000", "longitude": "123.900000", "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    station = Station.objects.get(unit__name="玫瑰城7号楼代办站")
    assert station.unit.kind == Unit.Kind.STATION and station.unit.parent_id == world.units["cc1"].pk
    response = client.post(reverse("setup:area_create", args=["agents"]) + f"?parent={station.pk}", {
        "name": "周玉兰", "phone": "13904139001", "kind": "retiree", "active": "on"})
    assert response.status_code == 302
    agent = Agent.objects.get(station=station)
    assert agent.resident.phone == "13904139001"
    assert [e.action for e in _entries(station)] == ["新增"] and [e.action for e in _entries(agent)] == ["新增"]
    client.post(reverse("setup:area_edit", args=["agents", agent.pk]), {"kind": "veteran"})
    assert _change(_entries(agent)[-1], "kind") == ("退休干部职工", "退役军人")
    page = client.get(reverse("setup:area_edit", args=["stations", station.pk])).content.decode()
    assert "周玉兰" in page and "139****9001" in page and "13904139001" not in page
    # Another street's station is out of reach.
    other = Station.objects.create(unit=Unit.objects.create(kind="station", name="雷锋站", code="ST2",
                                                            region=world.regions["g2"], parent=world.units["cc2"]),
                                   tier="family", place_type="home", address="x", latitude=1, longitude=1)
    assert client.get(reverse("setup:area_edit", args=["stations", other.pk])).status_code == 404
    assert client.get(reverse("setup:area_create", args=["agents"]) + f"?parent={other.pk}").status_code == 404


def test_a_supermarket_its_goods_and_restocks(world, street_admin):
    rng = random.Random()
    client = _client(street_admin)
    response = client.post(reverse("setup:area_create", args=["supermarkets"]), {
        "name": "光明爱心超市", "region": world.regions["c1"].pk, "address": "玫瑰城党群服务中心"})
    assert response.status_code == 302
    market = Supermarket.objects.get(name="光明爱心超市")
    response = client.post(reverse("setup:area_create", args=["goods"]) + f"?parent={market.pk}", {
        "name": "洗衣液", "points": "12.50", "active": "on"})
    assert response.status_code == 302
    item = Item.objects.get(supermarket=market)
    assert item.stock == 0 and item.points == Decimal("12.50")
    stock = 0
    for _ in range(3):
        quantity = rng.randint(1, 500)
        response = client.post(reverse("setup:area_action", args=["goods", item.pk, "restock"]),
                               {"quantity": quantity, "source": "共建单位捐赠"})
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.stock == stock + quantity
        last = _entries(item)[-1]
        assert _change(last, "stock") == (str(stock), str(stock + quantity)) and last.username == "gm-admin"
        stock += quantity
    assert [r.stock_after for r in Restock.objects.filter(item=item).order_by("pk")][-1] == stock
    response = client.post(reverse("setup:area_action", args=["goods", item.pk, "restock"]), {"quantity": "0"})
    assert response.status_code == 400 and Item.objects.get(pk=item.pk).stock == stock
    # Another street's supermarket: neither listed nor restocked.
    other = Supermarket.objects.create(name="和平爱心超市", region=world.regions["c2"])
    far = Item.objects.create(supermarket=other, name="毛巾", points=5)
    assert "和平爱心超市" not in client.get(reverse("setup:area_list", args=["supermarkets"])).content.decode()
    assert client.post(reverse("setup:area_action", args=["goods", far.pk, "restock"]),
                       {"quantity": 5}).status_code == 404
    page = client.get(reverse("setup:history")).content.decode()
    assert "洗衣液" in page and "光明爱心超市" in page and "毛巾" not in page


def test_party_contracts_knowledge_owner_and_rule_edits_are_in_the_history(world, street_admin):
    client = _client(street_admin)
    response = client.post(reverse("setup:area_create", args=["party"]), {
        "level": "street_committee", "name": "光明街道党工委", "region": world.regions["s1"].pk})
    assert response.status_code == 302
    organisation = PartyOrganisation.objects.get(name="光明街道党工委")
    client.post(reverse("setup:area_edit", args=["party", organisation.pk]), {
        "level": "street_committee", "name": "中共光明街道工作委员会", "region": world.regions["s1"].pk})
    assert _change(_entries(organisation)[-1], "name") == ("光明街道党工委", "中共光明街道工作委员会")

    provider = Unit.objects.create(kind="care_provider", name="夕阳红养老", code="CP1", region=world.regions["s1"],
                                   parent=world.units["so1"])
    service = CareService.objects.create(code="bath-t", name="助浴")
    response = client.post(reverse("setup:area_create", args=["contracts"]), {
        "provider": provider.pk, "start": "2026-01-01", "end": "2026-12-31", "services": [service.pk],
        "communities": [world.regions["c1"].pk], "status": "active"})
    assert response.status_code == 302
    contract = ProviderContract.objects.get(provider=provider)
    assert list(contract.communities.all()) == [world.regions["c1"]]
    client.post(reverse("setup:area_edit", args=["contracts", contract.pk]), {
        "provider": provider.pk, "start": "2026-01-01", "end": "2026-06-30", "services": [service.pk],
        "communities": [world.regions["c1"].pk], "status": "rectify", "status_reason": "回访满意率低"})
    last = _entries(contract)[-1]
    assert _change(last, "end") == ("2026-12-31", "2026-06-30") and _change(last, "status") == ("正常", "限期整改")

    article = Article.objects.create(title="停车收费标准", answer="…", owner_unit=world.units["cc1"],
                                     review_by=date(2027, 1, 1), created_at="2026-01-01T00:00Z",
                                     updated_at="2026-01-01T00:00Z")
    response = client.post(reverse("setup:area_edit", args=["knowledge", article.pk]),
                           {"owner_unit": world.units["so1"].pk})
    assert response.status_code == 302
    assert _change(_entries(article)[-1], "owner_unit_id")[1] == f"光明街道办事处 (#{world.units['so1'].pk})"
    assert client.post(reverse("setup:area_edit", args=["knowledge", article.pk]),
                       {"owner_unit": world.units["cg"].pk}).status_code == 400

    admin = _client(world.user("admin"))
    month = date.today().replace(day=1)
    response = admin.post(reverse("setup:area_create", args=["rules"]), {
        "effective_from": month.isoformat(), "weight_response": "30", "weight_resolution": "40",
        "weight_satisfaction": "30", "min_volume": "5", "cutoff_days": "5"})
    assert response.status_code == 302
    rule = rules.Rule.objects.get(effective_from=month)
    admin.post(reverse("setup:area_edit", args=["rules", rule.pk]), {
        "effective_from": month.isoformat(), "weight_response": "20", "weight_resolution": "50",
        "weight_satisfaction": "30", "min_volume": "5", "cutoff_days": "5"})
    assert _change(_entries(rule)[-1], "weight_response") == ("30.00", "20.00")
    # The street's history lists its own changes, not the district's rule.
    assert "中共光明街道工作委员会" in client.get(reverse("setup:history")).content.decode()
    types = [e.object_type for e in client.get(reverse("setup:history")).context["page"]]
    assert "assessment.rule" not in types and "party.partyorganisation" in types
    assert "assessment.rule" in [e.object_type for e in admin.get(reverse("setup:history")).context["page"]]


def test_the_area_is_the_administrators_home_and_others_have_none(world, street_admin):
    response = _client(street_admin).get("/", follow=True)
    assert response.request["PATH_INFO"] == reverse("setup:area")
    page = response.content.decode()
    assert reverse("setup:area_list", args=["units"]) in page and reverse("setup:area_list", args=["rules"]) not in page
    for name in ("dispatcher1", "leader", "auditor"):
        assert _client(world.user(name)).get(reverse("setup:area")).status_code == 404


def test_party_members_are_kept_in_their_organisation_within_the_territory(world, street_admin):
    from minsheng.organisation.models import Region
    from minsheng.party.models import PartyMember

    client = _client(street_admin)
    building = Region.objects.create(kind="building", name="玫瑰城7号楼", code="B7", parent=world.regions["g1"])
    branch = PartyOrganisation.objects.create(level="community", name="玫瑰城社区党委", region=world.regions["c1"])
    url = reverse("setup:area_create", args=["members"]) + f"?parent={branch.pk}"
    response = client.post(url, {"name": "孙秀梅", "phone": "13904139077", "joined_on": "1998-07-01",
                                 "central_household": "on", "active": "on"})
    # A 党员中心户 needs the building it lives in: refused on the form, nothing stored.
    assert response.status_code == 400 and "所住楼栋" in response.content.decode()
    assert not PartyMember.objects.exists()
    response = client.post(url, {"name": "孙秀梅", "phone": "13904139077", "joined_on": "1998-07-01",
                                 "central_household": "on", "building": building.pk, "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    member = PartyMember.objects.get(organisation=branch)
    assert member.resident.phone == "13904139077" and [e.action for e in _entries(member)] == ["新增"]
    client.post(reverse("setup:area_edit", args=["members", member.pk]), {
        "joined_on": "1998-07-01", "building": building.pk, "active": ""})
    assert _change(_entries(member)[-1], "active") == ("是", "否")
    page = client.get(reverse("setup:area_edit", args=["party", branch.pk])).content.decode()
    assert "孙秀梅" in page and "139****9077" in page and "13904139077" not in page
    # The same person twice is refused; another street's organisation is out of reach.
    again = client.post(url, {"name": "孙秀梅", "phone": "13904139077", "active": "on"})
    assert again.status_code == 400 and "已登记为党员" in again.content.decode()
    other = PartyOrganisation.objects.create(level="community", name="雷锋社区党委", region=world.regions["c2"])
    assert client.get(reverse("setup:area_create", args=["members"]) + f"?parent={other.pk}").status_code == 404


def test_sms_template_codes_are_kept_by_the_top_administrators_and_used_to_send(world, street_admin, settings):
    from minsheng.notifications.catalogue import sms_template_code
    from minsheng.notifications.models import SmsTemplateCode

    settings.MINSHENG_SMS_TEMPLATES = {"demand.received": "SMS_000000001", "demand.progress": "SMS_000000002"}
    admin = _client(world.user("admin"))
    url = reverse("setup:area_create", args=["sms"])
    bad = admin.post(url, {"message": "demand.received", "code": "SMS 1; drop"})
    assert bad.status_code == 400 and "模板编号只含" in bad.content.decode()
    not_an_sms = admin.post(url, {"message": "no.such.message", "code": "SMS_1"})
    assert not_an_sms.status_code == 400 and not SmsTemplateCode.objects.exists()
    assert admin.post(url, {"message": "demand.received", "code": "SMS_475012345"}).status_code == 302
    row = SmsTemplateCode.objects.get()
    # The workbench's code wins over the settings'; a message without a row still finds the settings'.
    assert sms_template_code("demand.received") == "SMS_475012345"
    admin.post(reverse("setup:area_edit", args=["sms", row.pk]),
               {"message": "demand.received", "code": "SMS_475099999"})
    assert _change(_entries(row)[-1], "code") == ("SMS_475012345", "SMS_475099999")
    assert sms_template_code("demand.received") == "SMS_475099999"
    assert sms_template_code("demand.progress") == "SMS_000000002"
    with pytest.raises(LookupError):
        sms_template_code("demand.dispatched")
    # Codes are the whole city's: a street administrator has no such section.
    assert _client(street_admin).get(reverse("setup:area_list", args=["sms"])).status_code == 404


def test_every_section_list_pages_in_a_fixed_order(world, street_admin):
    """Each section's list is ordered before paging (a model without a default order, such as
    the party members, would otherwise show rows on two pages or on none)."""
    import warnings

    from django.core.paginator import UnorderedObjectListWarning

    from minsheng.setup.sections import SECTIONS

    client = _client(street_admin)
    paths = territory_paths(street_admin)
    keys = [s.key for s in SECTIONS if s.visible_to(paths)]
    assert "members" in keys
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        for key in keys:
            assert client.get(reverse("setup:area_list", args=[key])).status_code == 200, key
