"""Check the ledger: each transfer balances, each balance equals its entries, the totals are zero."""

from django.core.management.base import BaseCommand, CommandError

from minsheng.ledger.selectors import check_ledger


class Command(BaseCommand):
    help = "Check that every transfer balances, every balance equals its entries and all balances sum to zero."

    def handle(self, *args, **options):
        result = check_ledger()
        for transfer_id in result.unbalanced_transfers:
            self.stdout.write(f"unbalanced transfer {transfer_id}")
        for account_id, stored, entries in result.wrong_balances:
            self.stdout.write(f"account {account_id}: balance {stored} but entries sum to {entries}")
        for measure, total in result.totals.items():
            self.stdout.write(f"total {measure}={total}")
        self.stdout.write(f"ok={'yes' if result.ok else 'no'} accounts={result.accounts} "
                          f"transfers={result.transfers} unbalanced={len(result.unbalanced_transfers)} "
                          f"wrong_balances={len(result.wrong_balances)}")
        if not result.ok:
            raise CommandError("the ledger does not balance")
