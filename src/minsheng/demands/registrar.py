"""Group commit for live registrations: the requests of one process that want to register a
demand at the same moment are written in ONE transaction.

A request checks its demand first (``services.prepare_registration``: a bad one is refused to
its sender and never joins a batch), then hands it to the process's ``Registrar`` and waits.  The
first waiting request becomes the writer: it takes every registration waiting (never sleeping to
collect more: alone, a registration is a batch of one), writes them with ``register_batch`` and
wakes each request with its own demand, which is committed by then — nothing is answered before
it is durable.  Requests that arrived meanwhile are written by the next writer, one of them.

``register_batch`` leaves what ``services.register_demand`` leaves for each demand (the demand
and its register event, the number from the day counter, the resident found or registered, the
rollups, the duplicate index, the category suggestion, a wish's side row; attachments): the
rows go in through the bulk import's machinery (``imports.build_registered``/``write_demands``),
the rollups follow ``signals.demands_imported`` and the live-intake listeners
``signals.demands_registered``.  If the batch's transaction fails (a resident's ID number on
another phone, a remembered answer another process wrote first…), its registrations are written
again one by one, each in its own transaction, so that each request gets its own answer.
"""

import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.db import transaction

from minsheng.core import clock
from minsheng.core.errors import ValidationFailed
from minsheng.people.models import Resident
from minsheng.people.services import gaps_to_fill
from minsheng.people.validation import normalise_phone

from .imports import Registration, build_registered, write_demands
from .models import Demand
from .services import (
    _PUBLIC_GRANT,
    PreparedRegistration,
    ReporterInput,
    _attach,
    register_prepared,
    registration_payload,
    resolve_reporter,
)
from .signals import demands_imported, demands_registered

# Registrations per transaction at most (a batch is what waits: one per concurrent request).
MAX_BATCH = 256


def _actor_id(actor) -> int | None:
    return actor.pk if getattr(actor, "is_authenticated", False) else None


def register_batch(prepared: Sequence[PreparedRegistration],
                   then: Callable[[list[Demand]], None] | None = None) -> list[Demand]:
    """Write checked registrations in one transaction, all registered at the same moment;
    ``then(demands)`` runs inside it, last.  Returns the demands in the order given, each
    carrying its region, type, category, urgency and reporter."""
    with transaction.atomic():
        reporters = _reporters(prepared)
        at = clock.now()
        # Only staff intake lets a resident's vulnerable-group tags count (register_prepared).
        staff = {r.pk for p, r in zip(prepared, reporters, strict=True)
                 if r is not None and p.grant is not _PUBLIC_GRANT}
        tagged = set(Resident.tags.through.objects.filter(resident_id__in=staff).values_list(
            "resident_id", flat=True)) if staff else set()
        registrations = [
            Registration(line, registration_payload(p, None, reporter, reporter is not None and reporter.pk in tagged),
                         p.grant, _actor_id(p.actor))
            for line, (p, reporter) in enumerate(zip(prepared, reporters, strict=True), start=1)]
        built = build_registered(registrations, [at] * len(registrations))
        for (_demand, events), p in zip(built, prepared, strict=True):
            for event in events:
                event.note = p.note
        result = write_demands(built)
        demands = list(result.demands)
        for demand, p, reporter in zip(demands, prepared, reporters, strict=True):
            demand.region, demand.demand_type, demand.category = p.region, p.demand_type, p.category
            demand.urgency, demand.reporter = p.urgency, reporter
            _attach(demand, 1, p.photos)
        demands_imported.send(sender=Demand, demands=demands, events=result.events)
        demands_registered.send(sender=Demand, demands=demands, events=result.events)
        if then is not None:
            then(demands)
    return demands


def _reporters(prepared: Sequence[PreparedRegistration]) -> list[Resident | None]:
    """``services.resolve_reporter`` of each registration, with one query for the residents on
    file that it would return as they are (no ID number or tags to add, no gap to fill)."""
    phones: dict[int, str] = {}
    for i, p in enumerate(prepared):
        reporter = p.reporter
        if isinstance(reporter, ReporterInput) and not reporter.id_number and not reporter.tag_codes:
            with suppress(ValidationFailed):  # refused by resolve_reporter below, as for one demand
                phones[i] = normalise_phone(reporter.phone)
    on_file = {r.phone: r for r in Resident.objects.filter(phone__in=set(phones.values()))} if phones else {}
    reporters = []
    for i, p in enumerate(prepared):
        resident = on_file.get(phones.get(i, ""))
        if resident is not None and not gaps_to_fill(resident, address=p.reporter.address or p.address,
                                                     region=p.region):
            reporters.append(resident)
        else:
            reporters.append(resolve_reporter(p))
    return reporters


@dataclass
class _Ticket:
    prepared: PreparedRegistration
    # Runs inside the batch's transaction with the new demand; what it returns is the answer.
    then: Callable[[Demand], Any]
    # Writes this registration alone (when its batch failed); what it returns is the answer.
    alone: Callable[[], Any]
    woken: threading.Event = dataclass_field(default_factory=threading.Event)
    lead: bool = False
    done: bool = False
    answer: Any = None
    error: BaseException | None = None


class Registrar:
    """One per process (``registrar``); safe to call from many threads at once."""

    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Ticket] = []
        self._writing = False

    def register(self, prepared: PreparedRegistration, then: Callable[[Demand], Any] | None = None,
                 alone: Callable[[], Any] | None = None) -> Any:
        """Register ``prepared`` with whatever else is waiting, and return ``then(demand)`` (by
        default the demand) once it is committed; or raise what registering it alone raised."""
        then = then or (lambda demand: demand)

        def by_itself() -> Any:
            with transaction.atomic():
                return then(register_prepared(prepared))

        ticket = _Ticket(prepared, then, alone or by_itself)
        with self._lock:
            self._waiting.append(ticket)
            if not self._writing:
                self._writing = ticket.lead = True
        while not ticket.done:
            if ticket.lead:
                self._write()
            else:
                ticket.woken.wait()
                ticket.woken.clear()
        if ticket.error is not None:
            raise ticket.error
        return ticket.answer

    def _write(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting[:self.max_batch], self._waiting[self.max_batch:]
        try:
            self._run(batch)
        finally:
            for ticket in batch:
                if not ticket.done:  # interrupted (the worker is stopping): not left waiting
                    ticket.error = ticket.error or RuntimeError("registration interrupted")
                    ticket.done = True
            with self._lock:
                if self._waiting:  # the first one waiting writes the next batch
                    self._waiting[0].lead = True
                    self._waiting[0].woken.set()
                else:
                    self._writing = False
            for ticket in batch:
                ticket.lead = False
                ticket.woken.set()

    @staticmethod
    def _run(batch: list[_Ticket]) -> None:
        answers: list[Any] = []

        def then(demands: list[Demand]) -> None:
            answers.extend(ticket.then(demand) for ticket, demand in zip(batch, demands, strict=True))

        try:
            register_batch([t.prepared for t in batch], then)
        except Exception:
            pass  # rolled back: nothing of the batch was written
        else:
            for ticket, answer in zip(batch, answers, strict=True):
                ticket.answer, ticket.done = answer, True
            return
        for ticket in batch:  # one by one: each request gets its own answer
            try:
                ticket.answer = ticket.alone()
            except Exception as exc:
                ticket.error = exc
            ticket.done = True


registrar = Registrar()
