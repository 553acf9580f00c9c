"""A party structure and volunteers on the shared test world, and wishes brought to any step."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from minsheng.core import clock
from minsheng.demands import services
from minsheng.demands.models import Demand
from minsheng.party.models import PartyMember, PartyOrganisation
from minsheng.people.models import Resident
from minsheng.volunteers.services import register_volunteer
from minsheng.wishes import services as wishes


@dataclass
class Party:
    street: PartyOrganisation
    community: PartyOrganisation
    member: PartyMember  # the world's "volunteer" user, a party member of 玫瑰城
    idle_member: PartyMember  # a member of 玫瑰城 who claims nothing


def party(world) -> Party:
    street = PartyOrganisation.objects.create(level="street_committee", region=world.regions["s1"],
                                              name="光明街道党工委")
    community = PartyOrganisation.objects.create(level="community", region=world.regions["c1"], parent=street,
                                                 name="玫瑰城社区党委")
    resident = Resident.objects.create(name="刘建国", phone="13655550001", region=world.regions["g1"],
                                       user=world.users["volunteer"])
    member = PartyMember.objects.create(resident=resident, organisation=community, user=world.users["volunteer"])
    idle = PartyMember.objects.create(resident=Resident.objects.create(name="孙丽", phone="13655550002"),
                                      organisation=community)
    return Party(street, community, member, idle)


def plain_volunteer(world, username="helper"):
    """A registered volunteer (not a party member) with an account in 玫瑰城."""
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    resident = Resident.objects.create(name="赵志愿", phone="13655550099", user=user, region=world.regions["g1"])
    volunteer = register_volunteer(world.user("staff1"), resident=resident, region=world.regions["c1"],
                                   categories=["general"], skills="维修家电", availability="周末")
    world.users[username] = user
    return volunteer


def register_wish(world, *, actor="staff1", region="g1", **extra) -> Demand:
    kwargs = {"channel": "station", "title": "想要一台助听器",
              "description": "我今年82岁，耳朵越来越背，想要一台助听器，方便和家人说话。",
              "region": world.regions[region],
              "reporter": services.ReporterInput(name="张桂兰", phone="13700005678")}
    kwargs.update(extra)
    return wishes.register_wish(world.user(actor), **kwargs)


def promise(days: int = 7):
    return timezone.localdate(clock.now()) + timedelta(days=days)


def act(world, actor, demand, action, **kwargs) -> Demand:
    demand = Demand.objects.get(pk=demand.pk)
    return services.SERVICE_FOR_ACTION[action](world.user(actor), demand.pk, demand.version, **kwargs)


def wish_at(world, stop: str, *, claimer="volunteer") -> Demand:
    """A wish on the wall ("published"), claimed, fulfilled or confirmed."""
    demand = register_wish(world)
    demand = act(world, "staff1", demand, "publish_wish")
    if stop == "published":
        return Demand.objects.get(pk=demand.pk)
    demand = act(world, claimer, demand, "claim_wish", promised_by=promise())
    if stop == "claimed":
        return Demand.objects.get(pk=demand.pk)
    demand = act(world, claimer, demand, "fulfil_wish", result="已送去助听器并调试好", hours="2")
    if stop == "fulfilled":
        return Demand.objects.get(pk=demand.pk)
    demand = services.rate_as_reporter(demand.number, "5678", satisfaction="satisfied", solved="solved",
                                       comment="谢谢党员同志")
    return Demand.objects.get(pk=demand.pk)
