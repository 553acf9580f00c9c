"""Seed the demo city (idempotent) and print its logins."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from minsheng.aid.demo import seed_aid
from minsheng.calls.demo import seed as seed_calls
from minsheng.care.demo import seed_care
from minsheng.cobuild.demo import seed as seed_cobuild
from minsheng.demo.city import DEMO_PASSWORD, City, build_city
from minsheng.demo.history import (
    AWAITING_DISPATCH,
    seed_awaiting_dispatch,
    seed_demands,
    seed_residents,
    state_counts,
)
from minsheng.demo.marks import is_seeded, seed_once
from minsheng.eldercare.demo import seed_eldercare
from minsheng.grids.demo import seed_grid_work
from minsheng.grids.estates_demo import seed_estates
from minsheng.homecare.demo import seed_homecare
from minsheng.knowledge.demo import seed as seed_knowledge
from minsheng.meals.demo import seed_meals
from minsheng.mediation.demo import seed as seed_mediation
from minsheng.party.demo import seed_party
from minsheng.people.models import Resident
from minsheng.projects.demo import seed_projects
from minsheng.routing.demo import seed_hot_issues
from minsheng.stations.demo import seed_stations
from minsheng.supervision.demo import seed_supervision
from minsheng.web.demo import seed_reply_templates
from minsheng.wishes.demo import seed as seed_wishes


@dataclass
class Context:
    city: City
    people: list[Resident]
    demands: int
    seed: int
    write: Callable[[str], None]


def _grids(c: Context) -> str:
    return seed_once("grids", lambda: seed_grid_work(c.city, c.people, seed=c.seed, now=timezone.now()))


def _party(c: Context) -> str:
    return seed_once("party", lambda: seed_party(c.city, c.people, random.Random(c.seed)))


def _estates(c: Context) -> str:
    return seed_once("estates", lambda: seed_estates(c.city, c.people, seed=c.seed, now=timezone.now(),
                                                     password=DEMO_PASSWORD))


def _care(c: Context) -> str:
    return seed_once("care", lambda: seed_care(c.city, c.people, random.Random(c.seed + 1), timezone.now()))


def _projects(c: Context) -> str:
    # A year of secretary projects and meetings; a twentieth of the demands come from them.
    return seed_once("projects", lambda: seed_projects(c.city, timezone.now(), demands=c.demands // 20, seed=c.seed))


def _stations(c: Context) -> str:
    # Topped up to their own number of cases (a bigger --demands adds more), counted on their own rows.
    added = seed_stations(c.city, c.people, now=timezone.now(), seed=c.seed, cases=round(c.demands * 0.05))
    return f"station cases: {added} added"


def _history(c: Context) -> str:
    # Topped up to --demands, the total of plain demands the district holds (station cases and the
    # demands other parts register count towards it, today's reports awaiting the printed dispatcher
    # too: the history stops that many short, and they follow it).
    awaiting = c.demands >= AWAITING_DISPATCH and not is_seeded("awaiting_dispatch")
    target = c.demands - (AWAITING_DISPATCH if awaiting else 0)
    added = seed_demands(c.city, c.people, target, seed=c.seed, now=timezone.now(),
                         progress=lambda n: c.write(f"  … {min(n, target)} demands\r"))
    if awaiting:
        def reports() -> str:
            held = seed_awaiting_dispatch(c.city, c.people, seed=c.seed, now=timezone.now())
            return f"awaiting dispatch: {held} reports"

        seed_once("awaiting_dispatch", reports)
        added += AWAITING_DISPATCH
    counts = state_counts()
    return (f"demands: {added} added, {sum(counts.values())} in total; by state: "
            + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))


def _knowledge(c: Context) -> str:
    # A fiftieth of the demands are consultations answered from the knowledge base (or referred).
    return seed_once("knowledge", lambda: seed_knowledge(c.city, c.people, seed=c.seed, now=timezone.now(),
                                                         consultations=max(1, c.demands // 50)))


def _wishes(c: Context) -> str:
    return seed_once("wishes", lambda: seed_wishes(c.city, c.people, seed=c.seed, now=timezone.now()))


def _supervision(c: Context) -> str:
    return seed_once("supervision", lambda: seed_supervision(c.city, c.people, seed=c.seed, now=timezone.now()))


def _hot_issues(c: Context) -> str:
    return seed_once("hot_issues", lambda: seed_hot_issues(c.city, c.people, seed=c.seed, now=timezone.now()))


def _homecare(c: Context) -> str:
    return seed_once("homecare", lambda: seed_homecare(c.city, c.people, seed=c.seed, now=timezone.now(),
                                                       password=DEMO_PASSWORD))


def _calls(c: Context) -> str:
    # After the history: callers calling about their demands have demands to be kept on.
    return seed_once("calls", lambda: seed_calls(c.city, c.people, seed=c.seed, now=timezone.now()))


def _meals(c: Context) -> str:
    return seed_once("meals", lambda: seed_meals(c.city, c.people, seed=c.seed, now=timezone.now()))


def _eldercare(c: Context) -> str:
    return seed_once("eldercare", lambda: seed_eldercare(c.city, c.people, seed=c.seed, now=timezone.now()))


def _cobuild(c: Context) -> str:
    return seed_once("cobuild", lambda: seed_cobuild(c.city, c.people, seed=c.seed, now=timezone.now()))


def _recruitment(c: Context) -> str:
    from minsheng.stations import demo_recruitment as recruiting

    return seed_once("recruitment", lambda: recruiting.seed_recruitment(c.city, c.people, seed=c.seed,
                                                                        now=timezone.now()))


def _teamwork(c: Context) -> str:
    from minsheng.stations import demo_recruitment as recruiting

    return seed_once("teamwork", lambda: recruiting.seed_teamwork(c.city, c.people, seed=c.seed, now=timezone.now()))


def _aid(c: Context) -> str:
    return seed_once("aid", lambda: seed_aid(c.city, c.people, seed=c.seed, now=timezone.now()))


def _mediation(c: Context) -> str:
    # After the stations and the history: some disputes start from their station cases.
    return seed_once("mediation", lambda: seed_mediation(c.city, c.people, seed=c.seed, now=timezone.now()))


def _workbench(c: Context) -> str:
    return seed_once("workbench", seed_reply_templates)


def _administration(c: Context) -> str:
    from minsheng.setup.demo import seed as seed_administration

    return seed_once("administration", lambda: seed_administration(c.city, password=DEMO_PASSWORD))


def _inboxes(c: Context) -> str:
    from minsheng.notifications.demo import seed_read_inboxes

    # Last: after every part has raised its messages.
    return seed_once("inboxes", lambda: seed_read_inboxes(timezone.now()))


# The parts of the demo, each deciding from its own mark whether it already ran,
# so that any order seeds everything.  By default the parts that register plain demands come before
# the history, which then tops the district up to --demands exactly.
PARTS: dict[str, Callable[[Context], str]] = {
    "grids": _grids, "party": _party, "estates": _estates, "care": _care, "projects": _projects,
    "stations": _stations, "recruitment": _recruitment, "supervision": _supervision, "hot_issues": _hot_issues,
    "knowledge": _knowledge, "history": _history, "wishes": _wishes, "teamwork": _teamwork, "homecare": _homecare,
    "calls": _calls, "meals": _meals, "mediation": _mediation, "aid": _aid, "eldercare": _eldercare,
    "workbench": _workbench, "cobuild": _cobuild,
}
PARTS["administration"] = _administration  # after the stations and the supermarkets (wishes) it changes
PARTS["inboxes"] = _inboxes  # after every part that raises messages


class Command(BaseCommand):
    help = "Create the demo district with its units, one login per role and a year of demands."

    def add_arguments(self, parser):
        parser.add_argument("--demands", type=int, default=5200, help="Demands to hold in total (default 5200).")
        parser.add_argument("--residents", type=int, default=2000, help="Residents to hold (default 2000).")
        parser.add_argument("--seed", type=int, default=20261123, help="Random seed (default 20261123).")
        parser.add_argument("--parts", default=",".join(PARTS),
                            help=f"Parts to seed, in this order (default: {','.join(PARTS)}).")

    def handle(self, *args, demands: int, residents: int, seed: int, parts: str, **options):
        if demands < 0 or residents < 1:
            raise CommandError("--demands must be >= 0 and --residents >= 1")
        order = [p.strip() for p in parts.split(",") if p.strip()]
        unknown = [p for p in order if p not in PARTS]
        if unknown:
            raise CommandError(f"unknown part(s) {', '.join(unknown)}; known: {', '.join(PARTS)}")
        started = time.perf_counter()
        with transaction.atomic():
            city, logins = build_city()
            people = seed_residents(city, residents, random.Random(seed))
        self.stdout.write(f"demo city: {len(city.streets)} streets, {len(city.communities)} communities, "
                          f"{len(city.grids)} grids, {len(city.units)} units, {len(people)} residents")
        context = Context(city, people, demands, seed, lambda line: self.stdout.write(line, ending=""))
        for part in order:
            began = time.perf_counter()
            line = PARTS[part](context)
            self.stdout.write(f"{line} [{part}: {time.perf_counter() - began:.1f} s]")
        self.stdout.write(f"seeded in {time.perf_counter() - started:.1f} s")
        self.stdout.write("\nLogins (username / password) — staff accounts open the admin at /admin/:")
        for username, password, label, staff in logins:
            note = "" if staff else "  (no staff pages: this account is for the resident-facing pages)"
            self.stdout.write(f"  {username:<11} {password}   {label}{note}")
