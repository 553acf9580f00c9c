"""Reads of aid given, each scoped through organisation.scope: a user sees the gifts, donations
and givers of their own territory, and the campaigns of their territory or above it (a community
worker records gifts in the street's campaign).  Totals are sums of the rows in force behind
them — per campaign, per giver, per period, per recipient — so that 慰问 is accounted for and a
resident visited by several givers shows as such."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from minsheng.organisation.scope import grants_with_roles, region_filter
from minsheng.people.validation import mask_name

from .access import READERS, sees_personal_data
from .models import Campaign, Donation, Gift, Giver, Status
from .stock import ZERO, stock_lines


def gifts_for(user) -> QuerySet[Gift]:
    return Gift.objects.filter(region_filter(user, "region", READERS))


def active_gifts_for(user) -> QuerySet[Gift]:
    return gifts_for(user).filter(status=Status.ACTIVE)


def donations_for(user) -> QuerySet[Donation]:
    return Donation.objects.filter(region_filter(user, "region", READERS))


def givers_for(user) -> QuerySet[Giver]:
    """Givers of the user's territory and of the levels above it (the street's party committee
    gives in every community of the street)."""
    return Giver.objects.filter(_here_or_above(user, "region")).select_related("region")


def campaigns_for(user) -> QuerySet[Campaign]:
    return Campaign.objects.filter(_here_or_above(user, "region")).select_related("region")


def _here_or_above(user, field: str) -> Q:
    q = region_filter(user, field, READERS)
    above: set[int] = set()
    for grant in grants_with_roles(user, READERS):
        if grant.region_path:
            above.update(int(p) for p in grant.region_path.split(".") if p)
    return q | Q(**{f"{field}_id__in": above}) if above else q


@dataclass
class CampaignTotals:
    budget: Decimal
    received: Decimal
    given: Decimal
    gifts: int
    recipients: int
    lines: list = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return self.received - self.given

    @property
    def budget_left(self) -> Decimal:
        return self.budget - self.given


def campaign_totals(campaign: Campaign) -> CampaignTotals:
    """The whole campaign's figures (amounts only: no person), from its stock lines and gifts."""
    lines = stock_lines(campaign)
    counts = Gift.objects.filter(campaign=campaign, status=Status.ACTIVE).aggregate(
        n=Count("pk"), people=Count("recipient", distinct=True))
    return CampaignTotals(budget=campaign.budget, received=sum((x.received_value for x in lines), ZERO),
                          given=sum((x.given_value for x in lines), ZERO), gifts=counts["n"],
                          recipients=counts["people"], lines=lines)


def totals(gifts: QuerySet[Gift]) -> dict:
    """Count, value, money, goods' value and people reached of ``gifts`` in force."""
    agg = gifts.filter(status=Status.ACTIVE).aggregate(
        n=Count("pk"), total=Sum("value"), cash=Sum("value", filter=Q(kind="money")),
        things=Sum("value", filter=Q(kind="goods")), people=Count("recipient", distinct=True))
    return {"gifts": agg["n"], "value": _q(agg["total"]), "money": _q(agg["cash"]), "goods": _q(agg["things"]),
            "recipients": agg["people"]}


def _q(amount) -> Decimal:
    """Yuan with two decimals, whatever the database's sum returned (SQLite drops trailing zeros)."""
    return (Decimal(amount) if amount is not None else ZERO).quantize(Decimal("0.01"))


def _with_yuan(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["total"] = _q(row["total"])
    return rows


def per_giver(gifts: QuerySet[Gift]) -> list[dict]:
    rows = (gifts.filter(status=Status.ACTIVE).values("giver_id", "giver__name", "giver__kind")
            .annotate(gifts=Count("pk"), total=Sum("value"), recipients=Count("recipient", distinct=True))
            .order_by("-total", "giver__name"))
    return _with_yuan(list(rows))


def per_month(gifts: QuerySet[Gift]) -> list[dict]:
    rows = (gifts.filter(status=Status.ACTIVE).annotate(month=TruncMonth("given_on")).values("month")
            .annotate(gifts=Count("pk"), total=Sum("value"), recipients=Count("recipient", distinct=True))
            .order_by("-month"))
    return _with_yuan(list(rows))


@dataclass
class RecipientRow:
    resident_id: int
    name: str
    masked_phone: str
    region: str
    gifts: int
    value: Decimal
    givers: int
    campaigns: int
    first: date
    last: date
    sensitive: bool

    @property
    def repeated(self) -> bool:
        """Visited by more than one giver in the period: worth a look (重复慰问)."""
        return self.givers > 1


def per_recipient(user, gifts: QuerySet[Gift]) -> list[RecipientRow]:
    """One row per resident of ``gifts`` in force: how many gifts, their value, by how many givers
    and campaigns.  A recipient of sensitive aid (a minor, health-related) is named masked to a
    viewer whose role may not see personal data."""
    unmasked = sees_personal_data(user)
    rows = (gifts.filter(status=Status.ACTIVE)
            .values("recipient_id", "recipient__name", "recipient__phone", "recipient__region__name")
            .annotate(n=Count("pk"), total=Sum("value"), givers=Count("giver", distinct=True),
                      campaigns=Count("campaign", distinct=True), first=Min("given_on"), last=Max("given_on"),
                      sensitive=Count("pk", filter=Q(sensitive=True)))
            .order_by("-n", "-total", "recipient__name", "recipient_id"))
    from minsheng.people.validation import mask_phone

    def shown(r) -> str:
        return r["recipient__name"] if unmasked or not r["sensitive"] else mask_name(r["recipient__name"])

    return [RecipientRow(resident_id=r["recipient_id"], name=shown(r),
                         masked_phone=mask_phone(r["recipient__phone"]), region=r["recipient__region__name"] or "",
                         gifts=r["n"], value=_q(r["total"]), givers=r["givers"], campaigns=r["campaigns"],
                         first=r["first"], last=r["last"], sensitive=bool(r["sensitive"])) for r in rows]


def in_period(gifts: QuerySet[Gift], start: date | None, end: date | None) -> QuerySet[Gift]:
    if start:
        gifts = gifts.filter(given_on__gte=start)
    if end:
        gifts = gifts.filter(given_on__lte=end)
    return gifts


# --- searching: never a way round the mask ----------------------------------------------------

def search_gifts(user, gifts: QuerySet[Gift], query: str) -> QuerySet[Gift]:
    """``gifts`` of the residents matching ``query``: a name, or a phone — the whole number or a
    name with its last four digits (people.services.parse_phone_search: part of a number alone
    is refused, so is a phone search by a role that may not see personal data, and every phone
    search is logged).  A viewer who sees sensitive recipients masked cannot find them by name."""
    from minsheng.people.services import log_phone_search, parse_phone_search

    query = (query or "").strip()
    if not query:
        return gifts
    search = parse_phone_search(user, query)
    if search is None:
        found = gifts.filter(recipient__name__contains=query)
        if not sees_personal_data(user):
            found = found.exclude(recipient_id__in=Gift.objects.filter(sensitive=True).values("recipient_id"))
        return found
    match = Q(recipient__phone=search.phone) if search.phone else Q(
        recipient__name=search.name, recipient__phone__endswith=search.last_four)
    found = gifts.filter(match)
    from minsheng.people.models import Resident

    residents = Resident.objects.filter(pk__in=found.values("recipient_id"))[:20]
    log_phone_search(user, search, residents, _("慰问帮扶按电话查找受助人"))
    return found


def recipients_in_reach(user, campaign: Campaign | None):
    """Residents a recorder may give to: in the recorder's territory (and the campaign's region)."""
    from minsheng.people.models import Resident

    from .access import RECORDERS

    residents = Resident.objects.filter(region_filter(user, "region", RECORDERS))
    if campaign is not None:
        residents = residents.filter(region__path__startswith=campaign.region.path)
    return residents.select_related("region")


def recipient_candidates(user, campaign: Campaign, query: str, limit: int = 20) -> list:
    """Who the gift form offers: residents found by ``query`` (name or phone, logged), or with no
    query the people in difficulty and tagged residents of the area not yet given in the campaign."""
    from minsheng.people.services import log_phone_search, parse_phone_search

    area = recipients_in_reach(user, campaign)
    query = (query or "").strip()
    if not query:
        given = Gift.objects.filter(campaign=campaign, status=Status.ACTIVE).values("recipient_id")
        found = list(area.filter(Q(care__active=True) | Q(tags__isnull=False)).exclude(pk__in=given)
                     .distinct().order_by("region__path", "name", "pk")[:limit])
    else:
        search = parse_phone_search(user, query)
        if search is None:
            found = list(area.filter(name__contains=query).order_by("name", "pk")[:limit])
        else:
            match = Q(phone=search.phone) if search.phone else Q(name=search.name, phone__endswith=search.last_four)
            found = list(area.filter(match)[:limit])
            log_phone_search(user, search, found, _("登记慰问时按电话查找居民"))
    for resident in found:
        resident.label = _("%(name)s（%(note)s）") % {
            "name": resident.name, "note": resident.masked_phone + _("，") + resident.region.name}
    return found
