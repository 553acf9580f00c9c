"""Play a day of hotline calls against the call-event endpoint (calls/simulator.py)."""

import random
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from minsheng.calls.models import PhoneSystem, Seat
from minsheng.calls.services import create_phone_system, rotate_token
from minsheng.calls.simulator import client_sender, events_of, http_sender, plan_day, play
from minsheng.people.models import Resident

SYSTEM_NAME = "模拟交换机"


class Command(BaseCommand):
    help = "Play a day's calls against /api/cti/events, in process (default) or over HTTP (--url, --token)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day (YYYY-MM-DD; default today, played up to now).")
        parser.add_argument("--calls", type=int, default=300, help="Calls in the day (default 300).")
        parser.add_argument("--seed", type=int, default=12345, help="Random seed.")
        parser.add_argument("--seats", default="8001,8002,8003,8004",
                            help="Extensions of the in-process phone system's seats (made if missing).")
        parser.add_argument("--url", help="Post over HTTP to this endpoint, e.g. http://127.0.0.1:8000/api/cti/events")
        parser.add_argument("--token", help="The phone system's token (with --url).")

    def handle(self, *args, date: str | None, calls: int, seed: int, seats: str, url: str | None,
               token: str | None, **options):
        try:
            day = _parse_day(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from None
        if calls < 0 or calls > 100000:
            raise CommandError("--calls must be between 0 and 100000")
        extensions = [e.strip() for e in seats.split(",") if e.strip()]
        if url:
            if not token:
                raise CommandError("--url needs --token")
            send = http_sender(url, token)
        else:
            system = PhoneSystem.objects.filter(name=SYSTEM_NAME).first() or \
                create_phone_system(name=SYSTEM_NAME)[0]
            for ext in extensions:
                Seat.objects.get_or_create(phone_system=system, extension=ext)
            send = client_sender(rotate_token(system))
            extensions = list(system.seats.filter(active=True).values_list("extension", flat=True))
        rng = random.Random(seed)
        callers = list(Resident.objects.order_by("pk").values_list("phone", flat=True)[:200])
        planned = plan_day(day, calls, extensions, callers, rng)
        until = timezone.now() if day == timezone.localdate() else None
        statuses = play(events_of(planned), send, until=until)
        self.stdout.write(f"{day}: {len(planned)} calls, events answered "
                          + ", ".join(f"{status}={n}" for status, n in sorted(statuses.items())))
        if any(status >= 400 for status in statuses):
            raise CommandError("some events were refused")


def _parse_day(value: str) -> date:
    return date.fromisoformat(value)
