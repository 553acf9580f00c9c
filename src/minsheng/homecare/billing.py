"""Monthly statements per provider from approved records, and the scheme's budget.

A statement's lines are its approved records summed per elder and service; its total is the sum
of its records' amounts (each record priced at approval: hours × the hourly price valid on the
visit's day, in Decimal yuan).  Issuing a statement links its records to it; a month with records
still under review cannot be issued, and a billed month takes no new records.

Issuing is safe against a second issue at the same time: issues for one provider take turns on the
provider's row (the second then finds the statement and is refused; the unique constraint on
provider and month stands behind it), and the statement's totals are summed from the records it
linked, so they always equal the sum of its records.  Only someone who may see every record billed
may issue: a street office cannot bill a provider's month that includes another street's elders."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, OutOfScope, ValidationFailed
from minsheng.organisation.models import Unit
from minsheng.organisation.scope import region_filter

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
    issued = InvalidTransition(_("%(provider)s %(month)s 的结算单已出具。") % {
        "provider": provider.name, "month": f"{month:%Y-%m}"})
    with transaction.atomic():
        # Issues for one provider take turns: a second one waits here, then finds the statement.
        Unit.objects.select_for_update().filter(pk=provider.pk).values_list("pk", flat=True).first()
        if Statement.objects.filter(provider=provider, month=month).exists():
            raise issued
        pending = ServiceRecord.objects.filter(provider=provider, month=month,
                                               status__in=[R.SUBMITTED, R.QUERIED]).count()
        if pending:
            raise InvalidTransition(_("还有 %(n)d 条记录待审核或待补正，审核完毕后才能结算。") % {"n": pending})
        billed = approved_records(provider.pk, month).filter(statement__isnull=True)
        outside = (billed.exclude(region_filter(actor, "elder__community", APPROVERS))
                   .values_list("elder__community__name", flat=True).first())
        if outside is not None:  # the statement would bill records its issuer may not see
            raise OutOfScope(_("“%(region)s”不在你的管辖范围内。") % {"region": outside})
        try:
            with transaction.atomic():
                statement = Statement.objects.create(provider=provider, month=month, hours=ZERO, amount=ZERO,
                                                     issued_by=actor, issued_at=clock.now())
        except IntegrityError:  # the unique constraint, should anything bypass the lock above
            raise issued from None
        billed.update(statement=statement)
        # The totals are those of the records just linked, whatever was approved meanwhile.
        agg = statement.records.aggregate(h=Sum("hours"), a=Sum("amount"))
        statement.hours, statement.amount = _q(agg["h"]), _q(agg["a"])
        statement.save(update_fields=["hours", "amount"])
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
