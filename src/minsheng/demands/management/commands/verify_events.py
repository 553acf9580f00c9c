"""Rebuild every demand from its events and report where the stored row differs."""

from itertools import groupby

from django.core.management.base import BaseCommand

from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.projection import differences, rebuild

BATCH = 2000


class Command(BaseCommand):
    help = "Rebuild every demand projection from its events and report mismatches."

    def add_arguments(self, parser):
        parser.add_argument("--verbose-mismatches", type=int, default=20,
                            help="How many mismatching demands to describe (default 20).")

    def handle(self, *args, verbose_mismatches: int, **options):
        mismatches = demands = 0
        last_id = 0
        while True:
            batch = list(Demand.objects.filter(pk__gt=last_id).order_by("pk")[:BATCH])
            if not batch:
                break
            last_id = batch[-1].pk
            events = DemandEvent.objects.filter(demand_id__gte=batch[0].pk, demand_id__lte=last_id).order_by(
                "demand_id", "seq")
            by_demand = {pk: list(group) for pk, group in groupby(events.iterator(), key=lambda e: e.demand_id)}
            for stored in batch:
                demands += 1
                evs = by_demand.get(stored.pk, [])
                problems = self._check(stored, evs)
                if problems:
                    mismatches += 1
                    if mismatches <= verbose_mismatches:
                        self.stdout.write(f"{stored.number}: {', '.join(problems)}")
        self.stdout.write(f"mismatches={mismatches} demands={demands}")

    @staticmethod
    def _check(stored: Demand, events: list[DemandEvent]) -> list[str]:
        if not events:
            return ["no events"]
        if [e.seq for e in events] != list(range(1, len(events) + 1)):
            return ["event sequence has gaps"]
        if events[0].action != "register":
            return ["first event is not register"]
        return differences(stored, rebuild(events))
