"""Monthly subsidy statements per canteen and funder (the government's subsidy, the collective's
share; the elders' own payments beside them), built like home care's statements
(homecare/billing.py): lines summed in one grouped query and linked to the meals behind them, a
month issued once under a lock on the canteen's row, the totals summed from the meals it linked,
Excel and PDF through core.exports and core.pdf.

A statement counts the meals *served* in the month (a voided meal — a correction — and a booked
meal never collected are left out); a month once issued takes no voiding of its meals."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, ValidationFailed
from minsheng.homecare.billing import _q

from .access import ISSUERS, grant_over
from .models import Canteen, Meal, Statement

ZERO = Decimal("0.00")
FUNDERS = {"government": gettext_lazy("政府补贴"), "collective": gettext_lazy("集体承担"),
           "elder": gettext_lazy("个人支付")}


def funder_field(funder: str) -> str:
    if funder not in FUNDERS:
        raise ValidationFailed.for_field("funder", _("请选择出资方。"))
    return funder


@dataclass
class Line:
    diner_id: int
    card_number: str
    name: str
    tier: str
    meals: int
    amount: Decimal


def served_meals(canteen_id: int, month: date):
    return Meal.objects.filter(canteen_id=canteen_id, month=month, status=Meal.Status.SERVED)


def statement_lines(canteen_id: int, month: date, funder: str) -> list[Line]:
    """Per diner and tier: meals and the funder's amount (one grouped query)."""
    field = funder_field(funder)
    rows = (served_meals(canteen_id, month)
            .values("diner_id", "tier", card=F("diner__card_number"), name=F("diner__resident__name"))
            .annotate(n=Count("pk"), a=Sum(field)).order_by("card", "tier"))
    return [Line(r["diner_id"], r["card"], r["name"], r["tier"], r["n"], _q(r["a"])) for r in rows]


@dataclass
class Totals:
    meals: int
    price: Decimal
    government: Decimal
    collective: Decimal
    elder: Decimal


def totals(canteen_id: int, month: date) -> Totals:
    agg = served_meals(canteen_id, month).aggregate(n=Count("pk"), p=Sum("price"), g=Sum("government"),
                                                    c=Sum("collective"), e=Sum("elder"))
    return Totals(agg["n"], _q(agg["p"]), _q(agg["g"]), _q(agg["c"]), _q(agg["e"]))


def issue_statement(actor, canteen: Canteen, month: date) -> Statement:
    """Issue the month: the served meals are linked to the statement and its totals are theirs."""
    grant_over(actor, ISSUERS, canteen.region)
    if month.day != 1:
        raise ValidationFailed.for_field("month", _("月份须为当月第一天。"))
    if month >= clock.today().replace(day=1):
        raise InvalidTransition(_("%(month)s 尚未结束，不能结算。") % {"month": f"{month:%Y-%m}"})
    issued = InvalidTransition(_("%(canteen)s %(month)s 的补贴结算单已出具。") % {
        "canteen": canteen.name, "month": f"{month:%Y-%m}"})
    with transaction.atomic():
        Canteen.objects.select_for_update().filter(pk=canteen.pk).values_list("pk", flat=True).first()
        if Statement.objects.filter(canteen=canteen, month=month).exists():
            raise issued
        try:
            with transaction.atomic():
                statement = Statement.objects.create(canteen=canteen, month=month, meal_count=0, government=ZERO,
                                                     collective=ZERO, elder=ZERO, issued_by=actor,
                                                     issued_at=clock.now())
        except IntegrityError:
            raise issued from None
        served_meals(canteen.pk, month).filter(statement__isnull=True).update(statement=statement)
        # The totals are those of the meals just linked, whatever was recorded meanwhile.
        statement.meal_count, statement.government, statement.collective, statement.elder = linked_totals(statement)
        statement.save(update_fields=["meal_count", "government", "collective", "elder"])
    return statement


def linked_totals(statement: Statement) -> tuple[int, Decimal, Decimal, Decimal]:
    agg = Meal.objects.filter(statement=statement).aggregate(n=Count("pk"), g=Sum("government"),
                                                             c=Sum("collective"), e=Sum("elder"))
    return agg["n"], _q(agg["g"]), _q(agg["c"]), _q(agg["e"])
