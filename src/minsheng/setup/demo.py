"""The demo's administrators: 光明街道's administrator and the city centre's, with a first week of
their work done through the administration area's services (so the history pages have changes to
show, each before → after, made by them): a new station with its agent, an account with a post and
a password reset, new goods and a restock in the street's love supermarket, a unit's phone."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from minsheng.audit.context import acting_as
from minsheng.ledger.models import Item, Supermarket
from minsheng.ledger.services import restock
from minsheng.notifications.models import SmsTemplateCode
from minsheng.organisation.models import Membership, Unit
from minsheng.organisation.roles import Role
from minsheng.stations.demo import OFFICE_HOURS
from minsheng.stations.models import Agent, AgentKind, PlaceType, ServiceItem, Station, Tier

from . import services
from .access import territory_paths

STREET_ADMIN = ("street-admin", "XC-GM-OFFICE", "光明街道管理员")
CITY_ADMIN = ("city-admin", "SFS-CENTRE", "市12345中心管理员")


def _administrator(username: str, unit_code: str, label: str, password: str):
    user, _created = get_user_model().objects.get_or_create(username=username)
    user.password, user.first_name, user.is_staff = make_password(password), label, True
    user.save()
    Membership.objects.get_or_create(user=user, unit=Unit.objects.get(code=unit_code), role=Role.ADMINISTRATOR)
    return user


def seed(city, *, password: str) -> str:
    """The two administrators' logins and their first changes; a summary line."""
    street_admin = _administrator(*STREET_ADMIN, password)
    city_admin = _administrator(*CITY_ADMIN, password)
    paths = territory_paths(street_admin)
    street = next(s for s in city.streets if s.code.endswith("-GM"))
    community = next(c for c in city.communities if c.path.startswith(street.path))
    with acting_as(street_admin):
        station = services.save_station(street_admin, paths, Station(), {
            "name": f"{community.name}党群服务站代办点", "region": community, "tier": Tier.FAMILY,
            "place_type": PlaceType.OFFICE,
            "address": f"{community.name}党群服务中心二楼", "latitude": community.latitude or Decimal("41.85"),
            "longitude": community.longitude or Decimal("123.90"), "by_appointment": True, "active": True,
            "service_items": list(ServiceItem.objects.filter(active=True).order_by("pk")[:6])})
        # Its opening hours are set on the stations' own page, as the street's staff do after set-up.
        Station.objects.filter(pk=station.pk, hours=[]).update(hours=OFFICE_HOURS)
        services.save_agent(street_admin, paths, Agent(), {
            "station": station, "name": "周玉兰", "phone": "13904139001", "kind": AgentKind.RETIREE, "active": True})
        account, _password = services.create_account(street_admin, paths, {
            "username": "gm-station-agent", "first_name": "周玉兰", "unit": station.unit, "role": Role.STATION_AGENT})
        services.reset_password(street_admin, paths, account)
        market = Supermarket.objects.filter(region__path__startswith=street.path).order_by("pk").first()
        if market is not None:
            item = services.save_fields(street_admin, paths, Item(supermarket=market), {
                "name": "环保购物袋", "points": Decimal("5.00"), "active": True})
            restock(street_admin, item.pk, quantity=40, source="光明街道共建单位捐赠")
            first = market.items.exclude(pk=item.pk).order_by("pk").first()
            if first is not None:
                restock(street_admin, first.pk, quantity=20, source="街道采购")
        committee = Unit.objects.get(code=f"{community.code}-CC")
        services.save_unit(street_admin, paths, committee, {
            "name": committee.name, "kind": committee.kind, "code": committee.code, "parent": committee.parent,
            "region": committee.region, "phone": "024-56781234", "active": True})
    with acting_as(account):
        # She signs in with the one-time password and chooses her own, as the page asks: the demo's.
        account.set_password(password)
        account.save(update_fields=["password"])
    with acting_as(city_admin):
        department = Unit.objects.get(code="XC-CG")
        services.save_unit(city_admin, territory_paths(city_admin), department, {
            "name": department.name, "kind": department.kind, "code": department.code, "parent": department.parent,
            "region": department.region, "phone": "024-56780001", "active": True})
        # The codes the SMS provider approved for the residents' main messages (the demo's SMS backend
        # only records what it would send).
        for number, key in enumerate(("demand.received", "demand.dispatched", "demand.resolved"), start=101):
            if not SmsTemplateCode.objects.filter(message=key).exists():
                services.save_fields(city_admin, territory_paths(city_admin), SmsTemplateCode(), {
                    "message": key, "code": f"SMS_475000{number}", "note": "示范市短信签名“民生热线”"})
    return (f"administration: logins {street_admin.username} and {city_admin.username} "
            f"(password {password}), a station, an agent, an account, goods restocked")
