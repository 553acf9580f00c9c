"""Monthly statements per provider from approved records, and the scheme's budget.

A statement's lines are its approved records summed per elder and service; its total is the sum
of its records' amounts (each record priced at approval: hours × the hourly price valid on the
visit's day, in Decimal yuan).  Issuing a statement links its records to it; a month with records
still under review cannot be issued, and a billed month takes no new records."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, ValidationFailed
from minsheng.organisation.models import Unit

from .access import APPROVERS, grant_over
from .models import Budget, ServiceRecord, Statement

R = ServiceRecord.Status
ZERO = Decimal("0.00")


def _q(value) -> Decimal:
    """Sums come back without their scale on SQLite; money and hours are shown to the fen/hundredth."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


@dataclass
class Line:
    elder_id: int
    elder_name: str
    service: str
    records: int
    hours: Decimal
    amount: Decimal


def approved_records(provider_id: int, month: date):
    return ServiceRecord.objects.filter(provider_id=provider_id, month=month, status=R.APPROVED)


def statement_lines(provider_id: int, month: date) -> list[Line]:
    """Per elder and service: records, hours and amount (one grouped query)."""
    rows = (approved_records(provider_id, month)
            .values("elder_id", name=F("elder__resident__name"), service_name=F("service__name"))
            .annotate(n=Count("pk"), h=Sum("hours"), a=Sum("amount"))
            .order_by("elder_id", "service_name"))
    return [Line(r["elder_id"], r["name"], r["service_name"], r["n"], _q(r["h"]), _q(r["a"])) for r in rows]


def totals(provider_id: int, month: date) -> tuple[Decimal, Decimal, int]:
    agg = approved_records(provider_id, month).aggregate(h=Sum("hours"), a=Sum("amount"), n=Count("pk"))
    return _q(agg["h"]), _q(agg["a"]), agg["n"]


def issue_statement(actor, provider: Unit, month: date) -> Statement:
    grant_over(actor, APPROVERS, provider.region)
    if month.day != 1:
        raise ValidationFailed.for_field("month", _("月份须为当月第一天。"))
    with transaction.atomic():
        if Statement.objects.select_for_update().filter(provider=provider, month=month).exists():
            raise InvalidTransition(_("%(provider)s %(month)s 的结算单已出具。") % {
                "provider": provider.name, "month": f"{month:%Y-%m}"})
        pending = ServiceRecord.objects.filter(provider=provider, month=month,
                                               status__in=[R.SUBMITTED, R.QUERIED]).count()
        if pending:
            raise InvalidTransition(_("还有 %(n)d 条记录待审核或待补正，审核完毕后才能结算。") % {"n": pending})
        hours, amount, _n = totals(provider.pk, month)
        statement = Statement.objects.create(provider=provider, month=month, hours=hours, amount=amount,
                                             issued_by=actor, issued_at=clock.now())
        approved_records(provider.pk, month).update(statement=statement)
    return statement


@dataclass
class BudgetState:
    year: int
    budget: Decimal
    spent: Decimal  # issued statements
    committed: Decimal  # approved, not yet billed, plus records under review at their grade's price
    left: Decimal


def budget_state(year: int) -> BudgetState:
    from .quota import policy_on

    budget = Budget.objects.filter(year=year).values_list("amount", flat=True).first() or ZERO
    spent = _q(Statement.objects.filter(month__year=year).aggregate(s=Sum("amount"))["s"])
    unbilled = ServiceRecord.objects.filter(month__year=year, status=R.APPROVED, statement__isnull=True)
    committed = _q(unbilled.aggregate(s=Sum("amount"))["s"])
    pending = ServiceRecord.objects.filter(month__year=year, status__in=[R.SUBMITTED, R.QUERIED])
    for row in pending.values("elder__grade").annotate(h=Sum("hours")):
        if row["elder__grade"]:
            committed += row["h"] * policy_on(row["elder__grade"], date(year, 12, 31)).hourly_price
    committed = committed.quantize(Decimal("0.01"))
    return BudgetState(year, budget, spent, committed, budget - spent - committed)
