"""Seed the demo city (idempotent) and print its logins."""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from minsheng.demo.city import DEMO_PASSWORD, build_city
from minsheng.demo.history import seed_demands, seed_residents, state_counts
from minsheng.grids.demo import seed_grid_work
from minsheng.homecare.demo import seed_homecare
from minsheng.projects.demo import seed_projects
from minsheng.stations.demo import seed_stations
from minsheng.wishes.demo import seed as seed_wishes


class Command(BaseCommand):
    help = "Create the demo district with its units, one login per role and a year of demands."

    def add_arguments(self, parser):
        parser.add_argument("--demands", type=int, default=5200, help="Demands to hold in total (default 5200).")
        parser.add_argument("--residents", type=int, default=2000, help="Residents to hold (default 2000).")
        parser.add_argument("--seed", type=int, default=20261123, help="Random seed (default 20261123).")

    def handle(self, *args, demands: int, residents: int, seed: int, **options):
        if demands < 0 or residents < 1:
            raise CommandError("--demands must be >= 0 and --residents >= 1")
        started = time.perf_counter()
        with transaction.atomic():
            city, logins = build_city()
            people = seed_residents(city, residents, random.Random(seed))
        self.stdout.write(f"demo city: {len(city.streets)} streets, {len(city.communities)} communities, "
                          f"{len(city.grids)} grids, {len(city.units)} units, {len(people)} residents")
        # Grid work first (it also builds the whole party structure, which the
        # projects and the wishes then use): the few demands its care visits open count towards the total.
        self.stdout.write(seed_grid_work(city, people, seed=seed, now=timezone.now()))
        # A year of secretary projects and meetings; a twentieth of the demands come from them.
        self.stdout.write(seed_projects(city, timezone.now(), demands=demands // 20, seed=seed))
        # Station cases first: they count towards the demands to hold.
        stations = seed_stations(city, people, now=timezone.now(), seed=seed, cases=round(demands * 0.05))
        self.stdout.write(f"station cases: {stations} added")
        added = seed_demands(city, people, demands, seed=seed, now=timezone.now(),
                             progress=lambda n: self.stdout.write(f"  … {min(n, demands)} demands", ending="\r"))
        self.stdout.write(seed_wishes(city, people, seed=seed, now=timezone.now()))
        counts = state_counts()
        self.stdout.write(f"demands: {added} added, {sum(counts.values())} in total; by state: "
                          + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
        self.stdout.write(seed_homecare(city, people, seed=seed, now=timezone.now(), password=DEMO_PASSWORD))
        self.stdout.write(f"seeded in {time.perf_counter() - started:.1f} s")
        self.stdout.write("\nLogins (username / password) — staff accounts open the admin at /admin/:")
        for username, password, label, staff in logins:
            note = "" if staff else "  (no staff pages: this account is for the resident-facing pages)"
            self.stdout.write(f"  {username:<11} {password}   {label}{note}")
