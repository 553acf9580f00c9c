"""The demo street's aid given (issue #31, after 南芬: visits to people in difficulty with rice,
flour, oil, winter clothes and money — about 200 gifts, 80,000 yuan): the last Spring Festival's
visits in 光明街道 by the street office, its party working committee and a grain-and-oil company,
out of the donations they made (and a named donor's winter clothes); a community's winter round
going on now; and the street's past volunteer activities with their beneficiaries and people
served.  Everything goes through the services, as the pages would record it."""

import io
import random
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from minsheng.care.models import CarePerson, CareVisit
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import forget_grants
from minsheng.party.models import PartyOrganisation
from minsheng.people.models import Resident
from minsheng.volunteers import services as volunteering
from minsheng.volunteers.models import Activity

from . import services
from .models import Campaign, Giver

# 春节 (the first day of the lunar year) of the years a demo may fall in.
SPRING_FESTIVALS = [date(2024, 2, 10), date(2025, 1, 29), date(2026, 2, 17), date(2027, 2, 6), date(2028, 1, 26),
                    date(2029, 2, 13), date(2030, 2, 3)]


def _photo(rng: random.Random) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (rng.randrange(150, 230), 60, 50)).save(buffer, format="JPEG")
    return ContentFile(buffer.getvalue(), name="visit.jpg")


def _last_festival(today: date) -> date:
    return max(d for d in SPRING_FESTIVALS if d + timedelta(days=6) <= today)


def seed_aid(city, people: list[Resident], *, seed: int, now: datetime) -> str:
    if Campaign.objects.exists():
        return f"aid: {Campaign.objects.count()} campaigns (kept)"
    rng = random.Random(seed + 37)
    today = timezone.localdate(now)
    street = city.streets[0]
    dispatcher = get_user_model().objects.get(username="dispatcher")
    forget_grants(dispatcher)
    office = services.register_giver(dispatcher, kind=Giver.Kind.UNIT, name="", region=street,
                                     unit=city.units[f"{street.code}-OFFICE"])
    committee = PartyOrganisation.objects.filter(level="street_committee", region=street).first()
    party = (services.register_giver(dispatcher, kind=Giver.Kind.PARTY, name="", region=street,
                                     party_organisation=committee) if committee else office)
    company = services.register_giver(dispatcher, kind=Giver.Kind.COMPANY, name="示范市光明粮油有限公司",
                                      region=street, contact_name="周经理", contact_phone="13904135566")
    donor = services.register_giver(dispatcher, kind=Giver.Kind.PERSON, name="陈爱心（个人捐赠）", region=street,
                                    contact_name="陈爱心", contact_phone="13704138899")

    festival = _last_festival(today)
    # The volunteers' own part of the visits: an activity on the eve of the festival (its gifts point at it).
    eve = timezone.make_aware(datetime.combine(festival - timedelta(days=3), datetime.min.time()).replace(hour=9))
    warmth = volunteering.create_activity(
        dispatcher, title="春节送温暖入户慰问", category="poverty", region=street, starts_at=eve,
        ends_at=eve + timedelta(hours=4), capacity=20, hours="4", place=f"{street.name}各社区",
        description="志愿者随社区干部入户，为困难群众送去米面油和春联。")
    campaign = services.create_campaign(
        dispatcher, name=f"{festival.year}年春节慰问", region=street, starts_on=festival - timedelta(days=25),
        ends_on=festival + timedelta(days=5), budget="90000",
        description="走访慰问独居老人、困境儿童、困难党员、残疾人等困难群众，送去米面油、棉衣和慰问金。")
    received = campaign.starts_on
    for giver, kind, item, unit, quantity, value in [
            (office, "money", "", "", None, "45000"), (party, "money", "特殊党费", "", None, "20000"),
            (company, "goods", "大米", "袋", "120", "7200"), (company, "goods", "食用油", "桶", "120", "9600"),
            (company, "goods", "面粉", "袋", "60", "3000"), (donor, "goods", "棉衣", "件", "50", "6000")]:
        services.record_donation(dispatcher, donor=giver, campaign=campaign, received_on=received, kind=kind,
                                 item=item, unit=unit, quantity=quantity, value=value)

    # Who is visited: the street's people in difficulty (by the care register), then its tagged residents.
    cared = list(CarePerson.objects.filter(region__path__startswith=street.path, active=True)
                 .select_related("resident__region").order_by("pk"))
    chosen = [p.resident for p in cared]
    tagged = (Resident.objects.filter(region__path__startswith=street.path, tags__isnull=False)
              .exclude(pk__in=[r.pk for r in chosen]).select_related("region").distinct().order_by("pk"))
    chosen += list(tagged)
    # Then elders of the street (the register's other residents) up to 80 households visited.
    taken = {r.pk for r in chosen}
    chosen += [r for r in people if r.region_id and r.pk not in taken and r.region.path.startswith(street.path)]
    chosen = chosen[:80]
    staff = {c.pk: city.actors[(f"{c.code}-CC", Role.COMMUNITY_STAFF)] for c in city.communities
             if c.path.startswith(street.path)}
    window = [campaign.starts_on + timedelta(days=n) for n in range((festival - campaign.starts_on).days + 1)]
    givers = [office] * 5 + [party] * 3 + [company] * 2
    gifts, eve_recipients = 0, set()
    for index, resident in enumerate(chosen):
        actor = staff[city.community_of(resident.region).pk]
        visits = list(CareVisit.objects.filter(person__resident=resident, visited_on__in=window)
                      .values_list("visited_on", flat=True))
        rounds = 2 if index % 13 == 5 else 1  # a few are visited twice, by different givers (多方慰问)
        for n in range(rounds):
            day = rng.choice(visits) if visits and n == 0 else rng.choice(window)
            giver = givers[(index + n * 3) % len(givers)]
            on_eve = day == warmth.starts_at.date()
            common = {"giver": giver, "recipient": resident, "given_on": day, "campaign": campaign,
                      "activity": warmth if on_eve else None}
            if on_eve:
                eve_recipients.add(resident.pk)
            if n == 0:
                health = index % 29 == 7
                services.record_gift(actor, kind="money", value="1000" if index % 4 == 0 else "600",
                                     item="医疗救助金" if health else "", health_related=health,
                                     photo=_photo(rng) if index % 20 == 0 else None,
                                     note="住院期间上门慰问" if health else "", **common)
                gifts += 1
            for item, unit, chance in (("大米", "袋", 1.0), ("食用油", "桶", 1.0), ("棉衣", "件", 0.4),
                                       ("面粉", "袋", 0.3)):
                if (n == 0 and rng.random() < chance) or (n == 1 and item == "大米"):
                    services.record_gift(actor, kind="goods", item=item, unit=unit, quantity="1", **common)
                    gifts += 1

    # A community's winter round going on now: quilts from a named donor to its people in difficulty.
    community = city.communities[0]
    local_staff = staff[community.pk]
    winter = services.create_campaign(local_staff, name=f"{community.name}{today.year}年冬季送温暖",
                                      region=community, starts_on=today - timedelta(days=10), budget="5000")
    services.record_donation(local_staff, donor=donor, campaign=winter, received_on=today - timedelta(days=9),
                             kind="goods", item="棉被", unit="床", quantity="20", value="3000")
    local = [r for r in chosen if r.region.path.startswith(community.path)][:8]
    for resident in local:
        services.record_gift(local_staff, giver=office, recipient=resident, campaign=winter, kind="goods", item="棉被",
                             unit="床", quantity="1", given_on=today - timedelta(days=rng.randrange(0, 8)))
        gifts += 1
    if local:
        wrong = services.record_gift(local_staff, giver=office, recipient=local[0], campaign=winter, kind="goods",
                                     item="棉被", unit="床", quantity="1", given_on=today)
        services.void_gift(local_staff, wrong.pk, reason="重复登记")

    volunteering.record_beneficiaries(dispatcher, warmth.pk, eve_recipients, len(eve_recipients) + 12)
    # The street's other past activities: the residents they served and the people served.
    street_people = [r for r in people if r.region_id and r.region.path.startswith(street.path)]
    served = 0
    for activity in Activity.objects.filter(region__path__startswith=street.path, starts_at__lt=now).exclude(
            state=Activity.State.CANCELLED).exclude(pk=warmth.pk).select_related("organiser"):
        area = [r for r in street_people if r.region.path.startswith(activity.region.path)]
        named = rng.sample(area, min(len(area), rng.randrange(3, 9)))
        count = len(named) + rng.randrange(5, 40)
        # Recorded by the street's dispatcher, who keeps the volunteers of the whole street: a joint
        # activity's organiser may be a co-building member unit, which keeps no register of residents.
        volunteering.record_beneficiaries(dispatcher, activity.pk, [r.pk for r in named], count)
        served += count
    total = sum(g.value for g in campaign.gifts.filter(status="active"))
    return (f"aid: {campaign.name} {gifts} gifts to {len(chosen)} people, {total} yuan; {served} people served "
            f"by activities; logins dispatcher, community (/work/aid/)")
