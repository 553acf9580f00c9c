"""A day of hotline calls, played against the call-event endpoint as a phone system would post
them: for the demo, the tests and the benchmark.

Calls arrive over the day in the hotline's usual shape (quiet at night, peaks in the morning and
the early afternoon); each rings at the seat free soonest, is answered when that seat is free
(after a few seconds' ring) unless the caller's patience runs out first (abandoned; a few hang
up while it still rings), talks a log-normal two and a half minutes, and the seat takes some
wrap-up time before its next call."""

import json
import math
import random
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import CallRecord, Outcome, PhoneSystem
from .services import attach_demand, record_outcome

# Relative call volume per hour of the day (0–23).
HOURLY = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 12, 9, 11, 14, 14, 12, 10, 8, 7, 6, 4, 3, 2]


@dataclass
class PlannedCall:
    call_id: str
    caller: str
    extension: str
    offered: datetime
    answered: datetime | None
    ended: datetime
    duration: int | None


def plan_day(day: date, calls: int, extensions: list[str], callers: list[str], rng: random.Random,
             prefix: str = "sim") -> list[PlannedCall]:
    """``calls`` calls over ``day`` for these seats; ``callers`` are numbers that call (again)."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    arrivals = sorted(start + timedelta(hours=rng.choices(range(24), HOURLY)[0], seconds=rng.uniform(0, 3600))
                      for _ in range(calls))
    free = {ext: start for ext in extensions}
    planned = []
    for n, offered in enumerate(arrivals):
        roll = rng.random()
        caller = ("anonymous" if roll < 0.05 else rng.choice(callers) if callers and roll < 0.45
                  else f"1{rng.choice('3589')}{rng.randrange(10 ** 9):09d}")
        ext = min(free, key=lambda e: (free[e], e)) if free else ""
        answer_at = max(offered + timedelta(seconds=rng.uniform(2, 8)), free[ext]) if ext else None
        # Most callers wait 15–150 s in the queue; a few hang up while it still rings.
        patience = timedelta(seconds=rng.uniform(2, 10) if rng.random() < 0.06 else rng.uniform(15, 150))
        call_id = f"{prefix}-{day:%Y%m%d}-{n:05d}"
        if answer_at is None or answer_at - offered > patience:
            planned.append(PlannedCall(call_id, caller, "", offered, None, offered + patience, 0))
            continue
        talk = int(min(max(rng.lognormvariate(math.log(150), 0.6), 20), 1800))
        ended = answer_at + timedelta(seconds=talk)
        free[ext] = ended + timedelta(seconds=rng.uniform(10, 45))
        planned.append(PlannedCall(call_id, caller, ext, offered, answer_at, ended, talk))
    return planned


def events_of(planned: Iterable[PlannedCall], called: str = "12345") -> list[tuple[datetime, dict]]:
    """The events a phone system posts for these calls, in the order they happen."""
    events = []
    for call in planned:
        events.append((call.offered, {"event": "newCall", "callId": call.call_id, "from": call.caller,
                                      "to": called, "user": call.extension, "direction": "in"}))
        if call.answered:
            events.append((call.answered, {"event": "answer", "callId": call.call_id, "user": call.extension,
                                           "from": call.caller}))
        events.append((call.ended, {
            "event": "hangup", "callId": call.call_id, "cause": "normalClearing" if call.answered else "cancel",
            "duration": str(call.duration or 0),
            **({"recordingUrl": f"https://pbx.example.invalid/recordings/{call.call_id}.wav"} if call.answered
               else {})}))
    events.sort(key=lambda pair: pair[0])
    for at, body in events:
        body["timestamp"] = at.isoformat()
    return events


Sender = Callable[[dict], int]


def client_sender(token: str) -> Sender:
    """Post through Django's in-process client: the endpoint, its middleware and all, no server."""
    from django.test import Client

    host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "") and not h.startswith(".")), "localhost")
    client = Client(HTTP_HOST=host, REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    secure = getattr(settings, "SECURE_SSL_REDIRECT", False)

    def send(body: dict) -> int:
        return client.post("/api/cti/events", json.dumps(body), content_type="application/json",
                           secure=secure).status_code

    return send


def http_sender(url: str, token: str, timeout: float = 10) -> Sender:
    """Post over HTTP to a running server (``url`` is the endpoint's full address)."""

    def send(body: dict) -> int:
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    return send


def play(events: Iterable[tuple[datetime, dict]], send: Sender, until: datetime | None = None) -> Counter:
    """Post the events that happened by ``until``; the count of answers by status."""
    statuses: Counter = Counter()
    for at, body in events:
        if until is not None and at > until:
            continue
        statuses[send(body)] += 1
    return statuses


def settle(system: PhoneSystem, day: date, rng: random.Random, demand_of: Callable[[str], object | None]) -> Counter:
    """What the operators made of the day's answered calls: a caller's call about their demand kept
    on it, the rest answered from the knowledge base, wrong numbers and others."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    done: Counter = Counter()
    calls = CallRecord.objects.filter(phone_system=system, offered_at__gte=start, offered_at__lt=start
                                      + timedelta(days=1), answered_at__isnull=False, ended_at__isnull=False,
                                      outcome="", demand__isnull=True)
    for call in calls:
        demand = demand_of(call.caller) if call.caller else None
        if demand is not None and rng.random() < 0.6:
            attach_demand(call, demand, Outcome.FOLLOW_UP)
            done[Outcome.FOLLOW_UP] += 1
            continue
        outcome = rng.choices([Outcome.CONSULTATION, Outcome.WRONG_NUMBER, Outcome.OTHER], [75, 15, 10])[0]
        record_outcome(call, outcome)
        done[outcome] += 1
    return done
