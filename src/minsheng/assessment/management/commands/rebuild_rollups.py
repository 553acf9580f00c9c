"""Recompute the assessment rollups from the event log (after a region moved, or to check)."""

from django.core.management.base import BaseCommand

from minsheng.assessment.rollups import rebuild


class Command(BaseCommand):
    help = "Recompute the assessment rollups from the demand event log."

    def handle(self, *args, **options):
        rows = rebuild()
        self.stdout.write(f"rollup rows={rows}")
