"""Reading the ledger, and checking it: every transfer sums to zero, every balance equals the sum
of its account's entries, and all balances of one measure sum to zero."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from minsheng.organisation.scope import grants_for

from .models import Account, Entry, Measure, Redemption, Transfer, from_cents


@dataclass
class LedgerCheck:
    accounts: int = 0
    transfers: int = 0
    unbalanced_transfers: list[int] = field(default_factory=list)
    wrong_balances: list[tuple[int, Decimal, Decimal]] = field(default_factory=list)  # (account, stored, entries)
    totals: dict[str, Decimal] = field(default_factory=dict)  # per measure: the sum of all balances

    @property
    def ok(self) -> bool:
        return not self.unbalanced_transfers and not self.wrong_balances and all(
            v == 0 for v in self.totals.values())


def check_ledger() -> LedgerCheck:
    result = LedgerCheck(accounts=Account.objects.count(), transfers=Transfer.objects.count())
    result.unbalanced_transfers = list(
        Entry.objects.values("transfer_id").annotate(total=Sum("amount_cents")).exclude(total=0)
        .values_list("transfer_id", flat=True))
    # A transfer debits one account and credits another: exactly two entries.
    result.unbalanced_transfers += list(
        Transfer.objects.annotate(n=Count("entries")).exclude(n=2)
        .values_list("pk", flat=True))
    sums = dict(Entry.objects.values("account_id").annotate(total=Sum("amount_cents"))
                .values_list("account_id", "total"))
    for account_id, balance in Account.objects.values_list("pk", "balance_cents"):
        entries = sums.get(account_id) or 0
        if balance != entries:
            result.wrong_balances.append((account_id, from_cents(balance), from_cents(entries)))
    for measure in Measure.values:
        total = Account.objects.filter(measure=measure).aggregate(s=Sum("balance_cents"))["s"] or 0
        result.totals[measure] = from_cents(total)
    return result


def accounts_visible_to(user) -> QuerySet[Account]:
    """Volunteers' accounts in the user's territory; the scheme's and the supermarkets' accounts for
    those with a territory."""
    q = Q(pk__in=[])
    for g in grants_for(user):
        if g.region_path is None:
            continue
        q |= Q(volunteer__region__path__startswith=g.region_path)
        q |= Q(supermarket__region__path__startswith=g.region_path)
        if g.region_path == "":
            q |= Q(kind=Account.Kind.ISSUER)
    return Account.objects.filter(q).select_related("volunteer__resident")


def statement(account: Account, limit: int = 50) -> QuerySet[Entry]:
    return account.entries.select_related("transfer").order_by("-transfer__created_at", "-pk")[:limit]


def redemptions_at(supermarket, limit: int = 20) -> QuerySet[Redemption]:
    return (Redemption.objects.filter(item__supermarket=supermarket)
            .select_related("item", "volunteer__resident", "transfer").order_by("-created_at")[:limit])
