"""Generate N demands of the demo city with their whole event history, fast (benchmarks only).

    .venv/bin/python bench/generate_demands.py 1000000            # SQLite in MINSHENG_DATA_DIR (a temp dir by default)
    scripts/with-postgres.sh .venv/bin/python bench/generate_demands.py 5000000

Each demand is registered as the bulk import registers it (``imports.build_registered``: the same
register payload, numbers from the day counters), then walks a plausible path through the
workflow — verify, dispatch with the calendar's deadlines, accept, contact, extension, suspension,
escalation, resolve, revisit, reopening, close, or is found invalid or merged into an earlier
demand — with each event applied by ``projection.apply_event`` exactly as the services apply it.
The path stops at "now", so recent demands are still open.  Demands and events are then written
with bulk inserts in batches (``imports.write_demands``), so ``verify_events`` rebuilds every
row.  Registration times are spread over the last 365 days (denser lately) in every batch, and each
batch commits on its own, so a run stopped early leaves a smaller but representative database.
"""

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

BATCH = 20_000
TEXTS = 4_000
REOPEN_REASON = "居民对处理结果不满意"  # distinct demand texts, composed once by the demo's text generator and reused


def setup_django() -> None:
    from _django import start_django

    start_django()


class Generator:
    def __init__(self, now: datetime, seed: int = 7, residents: int = 8_000):
        from minsheng.catalogue.models import Category, DemandType, TimeLimitPolicy
        from minsheng.demo.city import ROADS, build_city
        from minsheng.demo.history import CHANNEL_WEIGHTS, seed_residents
        from minsheng.demo.texts import category_codes, compose_demand
        from minsheng.organisation.roles import Role

        self.now, self.rng = now, random.Random(seed)
        self.city, _logins = build_city()
        self.residents = [r.pk for r in seed_residents(self.city, residents, random.Random(seed))]
        self.types = {t.code: t.pk for t in DemandType.objects.all()}
        self.categories = {c.code: c for c in Category.objects.all()}
        self.policies = {p.code: p for p in TimeLimitPolicy.objects.all()}
        self.channels = [c for c, _ in CHANNEL_WEIGHTS]
        self.channel_weights = [w for _, w in CHANNEL_WEIGHTS]
        self.grids = self.city.grids
        leaves = category_codes()
        self.texts = []
        for i in range(TEXTS):
            leaf = leaves[i % len(leaves)]
            place = f"{self.rng.choice(ROADS)}{self.rng.randrange(1, 300)}号"
            self.texts.append((leaf, compose_demand(self.rng, leaf, place), place))
        actors = self.city.actors
        self.operator = self._as(actors[("XC-CENTRE", Role.HOTLINE_OPERATOR)], "XC-CENTRE", Role.HOTLINE_OPERATOR)
        self.units = self.city.units
        self._responsible: dict[tuple[int, int], object] = {}
        self._deadlines: dict[tuple[int, datetime], datetime] = {}
        self.merge_targets: list[tuple[int, str, datetime]] = []  # (pk, number, registered_at)
        self.Role = Role
        from minsheng.core.bulk import instance_maker
        from minsheng.demands.models import DemandEvent

        self.new_event = instance_maker(DemandEvent, payload=None)

    def _as(self, user, unit_code: str, role: str) -> tuple[int | None, str, int | None]:
        return (user.pk if user else None, role, self.city.units[unit_code].pk if unit_code else None)

    def actor(self, unit_code: str, role: str):
        return self._as(self.city.actors[(unit_code, role)], unit_code, role)

    def handler(self, unit):
        Role = self.Role
        for role in (Role.DEPARTMENT_HANDLER, Role.COMMUNITY_STAFF, Role.STATION_AGENT):
            if (unit.code, role) in self.city.actors:
                return self.actor(unit.code, role)
        raise LookupError(unit.code)

    def responsible(self, category, region):
        from minsheng.catalogue.selectors import responsible_unit

        key = (category.pk, region.pk)
        if key not in self._responsible:
            self._responsible[key] = responsible_unit(category, region)
        return self._responsible[key]

    def deadlines(self, policy, start: datetime) -> dict[str, str]:
        """The dispatch payload's deadlines, as services._deadline_payload writes them.  A limit in
        working days ends at the same clock time on the Nth working day, so the calendar is asked
        once per policy and day (from midnight) and the start's time of day is added."""
        from django.utils import timezone

        from minsheng.catalogue.calendar import handling_deadlines
        from minsheng.demands.projection import encode_datetime

        local = timezone.localtime(start)
        if policy.handle_unit == policy.LimitUnit.HOURS:
            contact_due, handle_due = handling_deadlines(policy, local)
        else:
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
            key = (policy.pk, midnight)
            if key not in self._deadlines:
                self._deadlines[key] = handling_deadlines(policy, midnight)[1]
            handle_due = self._deadlines[key] + (local - midnight)
            contact_due = min(local + timedelta(hours=policy.contact_hours), handle_due)
        return {"contact_due": encode_datetime(timezone.localtime(contact_due)),
                "handle_due": encode_datetime(timezone.localtime(handle_due))}

    @staticmethod
    def coordinate(value) -> str:
        """As services._coordinate stores it: six decimals."""
        from decimal import Decimal

        return str(Decimal(value).quantize(Decimal("0.000001")))

    def start_time(self) -> datetime:
        """Anywhere in the last 365 days, denser lately, in waking hours; every batch spans the
        whole year, so that a database stopped half-way is still a fair sample."""
        from django.utils import timezone

        days_back = 365 * self.rng.random() ** 1.3
        moment = timezone.localtime(self.now - timedelta(days=days_back))
        if not 7 <= moment.hour <= 21:
            moment = moment.replace(hour=self.rng.randint(8, 20))
        return min(moment.replace(microsecond=0), self.now - timedelta(minutes=5))

    # --- one demand ------------------------------------------------------------------------

    def registration(self, index: int):
        from minsheng.demands.imports import Registration
        from minsheng.demands.services import _PUBLIC_GRANT, PUBLIC_CHANNELS
        from minsheng.demands.workflow import Channel
        from minsheng.organisation.scope import Grant

        rng, Role = self.rng, self.Role
        grid = self.grids[index % len(self.grids)]
        community = self.city.community_of(grid)
        building = rng.choice(self.city.buildings[grid.pk])
        leaf, text, place = self.texts[rng.randrange(TEXTS)]
        channel = rng.choices(self.channels, self.channel_weights)[0]
        public = channel in PUBLIC_CHANNELS
        if public:
            grant, actor_id = _PUBLIC_GRANT, None
        else:
            unit_code, role = {
                Channel.STATION: (f"{community.code}-ST", Role.STATION_AGENT),
                Channel.PATROL: (grid.code, Role.GRID_WORKER),
                Channel.MEETING: (f"{community.code}-CC", Role.COMMUNITY_STAFF),
            }.get(channel, ("XC-CENTRE", Role.HOTLINE_OPERATOR))
            user = self.city.actors[(unit_code, role)]
            holder = self.city.units[f"{community.code}-CC" if role == Role.GRID_WORKER else unit_code]
            grant, actor_id = Grant(role=role, unit_id=holder.pk, unit_path=None, region_path=None), user.pk
        category = self.categories[leaf] if not public or rng.random() < 0.5 else None
        reporter = None if channel == Channel.PATROL else rng.choice(self.residents)
        payload = {
            "number": None, "channel": channel, "demand_type_id": self.types[text.demand_type],
            "category_id": category.pk if category else None, "title": text.title,
            "description": text.description, "address": place, "latitude": self.coordinate(building.latitude),
            "longitude": self.coordinate(building.longitude), "region_id": rng.choice([grid, building]).pk,
            "reporter_id": reporter, "hide_name": rng.random() < 0.15, "consent": True,
            "vulnerable": not public and reporter is not None and rng.random() < 0.06,
            "urgency_id": self.policies[text.urgency].pk, "parent_id": None, "registered_by_id": actor_id,
        }
        return Registration(index, payload, grant, actor_id), grid, self.categories[leaf]

    def walk(self, demand, events: list, grid, leaf, registered: datetime) -> None:
        """Append the later events of one demand, applying each as the services do."""
        from django.utils import timezone

        from minsheng.demands.projection import apply_event, encode_datetime
        from minsheng.demands.workflow import transition

        rng, Role, now = self.rng, self.Role, self.now
        street = self.city.street_of(grid)
        dispatcher = self.actor(f"{street.code}-OFFICE", Role.STREET_DISPATCHER)
        operator = self.operator
        t = registered

        def step(hours: tuple[float, float], action: str, who, payload=None, note: str = "", *,
                 public=None) -> bool:
            nonlocal t
            t = t + timedelta(hours=rng.uniform(*hours))
            if t >= now:
                return False
            spec = transition(action)
            actor_id, role, unit_id = who
            if callable(payload):  # a payload that depends on the moment (deadlines)
                payload = payload(t)
            event = self.new_event(seq=demand.version + 1, action=action, from_state=demand.state,
                                   to_state=spec.target or demand.state, actor_id=actor_id, actor_role=role,
                                   actor_unit_id=unit_id, payload=payload or {}, note=note,
                                   public=spec.public if public is None else public, created_at=t)
            apply_event(demand, event)
            events.append(event)
            return True

        fate = rng.random()
        if fate < 0.03:
            reason = "经核实，诉求内容不属实"
            step((0.5, 6), "reject_invalid", operator, {"reason": reason}, reason)
            return
        if fate < 0.07 and self.merge_targets:
            pk, number, at = rng.choice(self.merge_targets[-2000:])
            if at < registered:
                step((0.2, 3), "merge", operator, {"target_id": pk, "target_number": number})
                return
        category = self.categories.get(leaf.code) if demand.category_id is None else None
        if not step((0.2, 4), "verify", operator, {"category_id": category.pk if category else None}):
            return
        effective = category or leaf
        unit = self.responsible(effective, grid) or self.units[f"{street.code}-OFFICE"]
        policy = self.policies_by_pk[demand.urgency_id]

        def dispatch(to_unit) -> bool:
            return step((0.2, 8), "dispatch", dispatcher, lambda at: {
                "unit_id": to_unit.pk, "urgency_id": policy.pk, "category_id": None, **self.deadlines(policy, at)})

        if not dispatch(unit):
            return
        handler = self.handler(unit)
        if not step((0.5, 20), "accept", handler):
            return
        if rng.random() < 0.7 and not step((1, 24), "record_progress", handler, {"contact": True},
                                            "已电话联系诉求人，约定上门查看"):
            return
        roll = rng.random()
        if roll < 0.02:  # suspended: cannot be handled for now
            reason = "暂不具备条件，待明年改造计划"
            if not step((24, 96), "request_suspension", handler, {"reason": reason}, reason):
                return
            step((2, 24), "approve_suspension", dispatcher, {"reason": reason})
            return
        if roll < 0.05:  # extension
            until = demand.handle_due + timedelta(days=rng.randint(3, 15))
            reason = "需要协调施工单位"
            if not step((12, 72), "request_extension", handler,
                        {"until": encode_datetime(timezone.localtime(until)), "reason": reason}, reason):
                return
            if not step((1, 12), "approve_extension", dispatcher,
                        {"handle_due": encode_datetime(timezone.localtime(until))}):
                return
        if roll > 0.99 and unit.parent_id:  # escalated one level up, then handled there
            upper = unit.parent
            reason = "需要区级协调"
            if not step((4, 48), "escalate", handler, {"unit_id": upper.pk, "from_unit_id": unit.pk,
                                                       "reason": reason}, reason):
                return
            unit = upper
            if not dispatch(unit):
                return
            handler = self.handler(unit)
            if not step((0.5, 20), "accept", handler):
                return
        rounds = 2 if rng.random() < 0.03 else 1
        for round_ in range(rounds):
            result = "已处理完毕，现场恢复正常"
            if not step((6, 150), "resolve", handler, {"result": result, "photos": 0}, result):
                return
            last = round_ == rounds - 1
            satisfaction = rng.choices(["satisfied", "basically_satisfied", "dissatisfied"], [80, 14, 6])[0] \
                if last else "dissatisfied"
            from minsheng.demo.answers import solved_for

            solved = solved_for(satisfaction, rng) if last else "unsolved"
            if not step((2, 48), "revisit", operator, {"satisfaction": satisfaction, "solved": solved,
                                                       "comment": ""}):
                return
            if not last:
                if not step((0.5, 4), "reopen", operator,
                            lambda at: {"reason": REOPEN_REASON, **self.deadlines(policy, at)}, REOPEN_REASON):
                    return
                if not step((0.5, 20), "accept", handler):
                    return
        reason = "" if demand.satisfaction != "dissatisfied" else "已向居民解释，按规定结案"
        step((1, 48), "close", operator, {"reason": reason}, reason)

    # --- a batch -----------------------------------------------------------------------------

    def batch(self, start: int, count: int) -> tuple[int, int]:
        from django.db import transaction

        from minsheng.demands.imports import build_registered, write_demands
        from minsheng.demands.selectors import turns_yellow_at
        from minsheng.demands.workflow import State
        from minsheng.supervision.models import DeadlineWatch

        rows, places = [], []
        for index in range(start, start + count):
            registration, grid, leaf = self.registration(index)
            rows.append(registration)
            places.append((grid, leaf))
        times = [self.start_time() for _ in range(count)]
        with transaction.atomic():
            built = build_registered(rows, times)
            for (demand, events), (grid, leaf), at in zip(built, places, times, strict=True):
                self.walk(demand, events, grid, leaf, at)
            result = write_demands(built)
            DeadlineWatch.objects.bulk_create(
                [DeadlineWatch(demand=d, handle_due=d.handle_due, yellow_at=turns_yellow_at(d))
                 for d in result.demands if d.state in (State.DISPATCHED, State.IN_PROGRESS) and d.handle_due],
                batch_size=1000)
        self.merge_targets.extend((d.pk, d.number, d.registered_at) for d in result.demands
                                  if d.state not in (State.MERGED, State.INVALID))
        del self.merge_targets[:-5000]
        return len(result.demands), len(result.events)

    def run(self, total: int, progress=None) -> tuple[int, int]:
        self.policies_by_pk = {p.pk: p for p in self.policies.values()}
        demands = events = 0
        for start in range(0, total, BATCH):
            d, e = self.batch(start, min(BATCH, total - start))
            demands += d
            events += e
            if progress:
                progress(demands, events)
        return demands, events


# The vendor's part of ``replicate``: how a number's day sequence is read and written, and how a
# JSON payload's key is read and set.  Everything else (which rows, which keys, in which order) is
# the same SQL on both databases.
_SQL = {
    "sqlite": {
        "seq": "CAST(substr({n}, 9) AS INTEGER)",
        "pad": "printf('%05d', {x})",
        "get_int": "json_extract({p}, '$.{key}')",
        "set_number": "json_set({p}, '$.number', {number})",
        "set_target": "json_set({p}, '$.target_id', {target_id}, '$.target_number', {target_number})",
    },
    "postgresql": {
        "seq": "CAST(substr({n}, 9) AS BIGINT)",
        # lpad cuts a longer text to the width: a sequence past 99999 keeps all its digits, as printf.
        "pad": "lpad(({x})::text, greatest(5, length(({x})::text)), '0')",
        "get_int": "CAST({p} ->> '{key}' AS BIGINT)",
        "set_number": "jsonb_set({p}, '{{number}}', to_jsonb(({number})::text))",
        "set_target": "jsonb_set(jsonb_set({p}, '{{target_id}}', to_jsonb({target_id})), "
                      "'{{target_number}}', to_jsonb(({target_number})::text))",
    },
}
COPY_CHUNK = 200_000  # demands copied per transaction: an interrupted copy loses at most this many


def replicate(copies: int, progress=None, rows: int | None = None,
              chunk: int = COPY_CHUNK) -> tuple[int, int, float]:
    """Append ``copies`` copies of every demand already generated (or of the first ``rows`` of
    them, to reach an exact total), in SQL, on SQLite and PostgreSQL.

    Generating a history costs about a millisecond of Python per demand; copying rows inside the
    database costs a few microseconds.  Each copy gets new keys and new numbers (same day, the
    sequence shifted past the day's highest), its register event carries the new number and its
    merge events the copied target, so every copy rebuilds from its events like the original;
    open demands get their deadline watch; the day counters are moved past the highest number.
    Same texts and times as the originals (so on PostgreSQL each copied event lands in its
    original's month partition): a million demands made this way have the distribution of the
    generated ones.

    Each ``chunk`` of source demands is copied and committed on its own, so that a copy stopped
    half-way (a 10M fill runs for hours) keeps what it made: every committed chunk is whole
    (demands, their events and watches), and the next call shifts keys and numbers past them."""
    from django.db import connection, transaction

    from minsheng.demands.models import Demand, DemandEvent

    if connection.vendor not in _SQL:
        raise NotImplementedError(f"replicate() has no SQL for {connection.vendor}")
    sql = _SQL[connection.vendor]
    started = time.perf_counter()
    columns = [f.column for f in Demand._meta.concrete_fields]
    event_columns = [f.column for f in DemandEvent._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id), COUNT(*) FROM demands_demand")
        id_max, base_count = cursor.fetchone()
        # The copied rows are the first ``rows`` demands; keys shift past every existing one.
        # Merge targets and parents are earlier demands, so they are inside the copied range.
        bound = id_max
        if rows is not None and rows < base_count:
            cursor.execute("SELECT id FROM demands_demand ORDER BY id LIMIT 1 OFFSET %s", [rows - 1])
            bound, base_count = cursor.fetchone()[0], rows
        cursor.execute("SELECT MAX(id) FROM demands_demandevent")
        event_max = cursor.fetchone()[0]
        cursor.execute(f"SELECT MAX({sql['seq'].format(n='number')}) FROM demands_demand")
        seq_max = cursor.fetchone()[0]
        cursor.execute("SELECT MIN(id) FROM demands_demand")
        id_min = cursor.fetchone()[0]

    def new_number(n: str, shift: int) -> str:
        return f"substr({n}, 1, 8) || " + sql["pad"].format(x=f"{sql['seq'].format(n=n)} + {shift}")

    for k in range(1, copies + 1):
        offset, event_offset, shift = k * id_max, k * event_max, k * seq_max
        select = {c: c for c in columns}
        select.update({"id": f"id + {offset}", "number": new_number("number", shift),
                       "merged_into_id": f"merged_into_id + {offset}", "parent_id": f"parent_id + {offset}"})
        target_id = sql["get_int"].format(p="e.payload", key="target_id")
        target_number = (f"(SELECT {new_number('t.number', shift)} FROM demands_demand t "
                         f"WHERE t.id = {target_id})")
        event_select = {c: f"e.{c}" for c in event_columns}
        event_select.update({
            "id": f"e.id + {event_offset}", "demand_id": f"e.demand_id + {offset}",
            "payload": f"""CASE e.action
                WHEN 'register' THEN {sql['set_number'].format(p='e.payload', number=new_number('d.number', shift))}
                WHEN 'merge' THEN {sql['set_target'].format(p='e.payload', target_id=f'{target_id} + {offset}',
                                                             target_number=target_number)}
                ELSE e.payload END"""})
        for low in range(id_min, bound + 1, chunk):
            high = min(low + chunk - 1, bound)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO demands_demand ({', '.join(columns)}) SELECT "
                               f"{', '.join(select[c] for c in columns)} FROM demands_demand "
                               f"WHERE id BETWEEN {low} AND {high}")
                cursor.execute(f"INSERT INTO demands_demandevent ({', '.join(event_columns)}) SELECT "
                               f"{', '.join(event_select[c] for c in event_columns)} FROM demands_demandevent e "
                               f"JOIN demands_demand d ON d.id = e.demand_id "
                               f"WHERE e.demand_id BETWEEN {low} AND {high}")
                cursor.execute(f"INSERT INTO supervision_deadlinewatch (demand_id, handle_due, yellow_at) SELECT "
                               f"demand_id + {offset}, handle_due, yellow_at FROM supervision_deadlinewatch "
                               f"WHERE demand_id BETWEEN {low} AND {high}")
                _advance_sequences(cursor)
            if progress:
                progress(base_count * k + (high - id_min + 1), None)
    move_day_counters()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM demands_demandevent WHERE demand_id > %s", [id_max])
        events = cursor.fetchone()[0]
    return base_count * copies, events, time.perf_counter() - started


def _advance_sequences(cursor) -> None:
    """PostgreSQL: the copies were written with explicit keys, which a sequence does not see;
    move the demands' and events' sequences past them, so that the next created demand (the
    benchmark's creates, the bulk import) gets a free key.  SQLite's AUTOINCREMENT follows by
    itself."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    for table in ("demands_demand", "demands_demandevent"):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT MAX(id) FROM {table}))")


def move_day_counters() -> None:
    """Set each day's number counter to the highest number of that day (after copying, or after a
    copy was interrupted), so that new demands continue the sequence."""
    from django.db import connection, transaction

    from minsheng.demands.models import DemandNumberCounter

    with transaction.atomic(), connection.cursor() as cursor:
        seq = _SQL[connection.vendor]["seq"].format(n="number")
        cursor.execute(f"SELECT substr(number, 1, 8), MAX({seq}) FROM demands_demand GROUP BY 1")
        for day, last in cursor.fetchall():
            DemandNumberCounter.objects.filter(day=f"{day[:4]}-{day[4:6]}-{day[6:]}", last__lt=last).update(last=last)


def verify_sample(size: int = 2000, seed: int = 5) -> tuple[int, int]:
    """Rebuild ``size`` random demands from their events (as verify_events does for all):
    (mismatches, checked)."""
    from django.db import connection

    from minsheng.demands.models import Demand, DemandEvent
    from minsheng.demands.projection import differences, rebuild

    # A uniform sample of the keys there are, whatever their gaps (rows deleted, copies made at an
    # offset past a moved sequence): the keys ordered by a hash of key and seed, the first ``size``
    # taken. One pass over the key index (≈ 0.3 s at 1M rows), the same sample for the same seed.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM demands_demand ORDER BY (id * 2654435761 + %s) %% 4294967291, id LIMIT %s",
            [seed, size],
        )
        picks = sorted(row[0] for row in cursor.fetchall())
    stored = Demand.objects.in_bulk(picks)
    events: dict[int, list] = {}
    for event in DemandEvent.objects.filter(demand_id__in=picks).order_by("demand_id", "seq"):
        events.setdefault(event.demand_id, []).append(event)
    bad = sum(1 for pk, demand in stored.items() if differences(demand, rebuild(events.get(pk, []))))
    return bad, len(stored)


def generate(total: int, *, now: datetime | None = None, seed: int = 7, progress=None) -> tuple[int, int, float]:
    """Add ``total`` demands; returns (demands, events, seconds)."""
    from minsheng.core import clock
    from minsheng.ops.partitions import create_months

    started = time.perf_counter()
    now = now or clock.now()
    # PostgreSQL: the months of the history get their partitions first (ops.partitions), as the
    # worker would have made them month by month; the rows then go straight into their months.
    create_months((now - timedelta(days=366)).date(), now.date())
    generator = Generator(now, seed=seed)
    demands, events = generator.run(total, progress)
    return demands, events, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int)
    parser.add_argument("--copies", type=int, default=0, help="then copy everything this many times, in SQL")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "--no-input", verbosity=0)
    demands, events, seconds = generate(args.n, progress=lambda d, e: print(f"  … {d} demands, {e} events",
                                                                             end="\r", flush=True))
    print(f"\n{connection.vendor}: {demands} demands, {events} events in {seconds:.1f} s "
          f"({demands / seconds:.0f} demands/s)")
    if args.copies:
        demands, events, seconds = replicate(args.copies)
        print(f"copied: {demands} demands, {events} events in {seconds:.1f} s")
    bad, checked = verify_sample()
    print(f"sample rebuilt from events: mismatches={bad} demands={checked}")


if __name__ == "__main__":
    main()
