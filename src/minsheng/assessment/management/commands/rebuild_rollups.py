"""Recompute the assessment rollups and their ledger from the event log (after a region moved, after
the migration that changed the counters, or to check)."""

from django.core.management.base import BaseCommand

from minsheng.assessment.models import Rollup
from minsheng.assessment.rollups import rebuild
from minsheng.demands.models import DemandEvent


class Command(BaseCommand):
    help = "Recompute the assessment rollups from the demand event log."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Only when there are events but no rollups yet (an older database, or just migrated).")

    def handle(self, *args, if_empty: bool, **options):
        if if_empty and (Rollup.objects.exists() or not DemandEvent.objects.exists()):
            self.stdout.write(f"rollup rows={Rollup.objects.count()} (kept)")
            return
        rows = rebuild()
        self.stdout.write(f"rollup rows={rows}")
