"""Demo hotline: the district centre's phone system with four seats (the printed ``operator``
login at 8001), yesterday's calls and today's so far played against the endpoint, what the
operators made of them, and a caller on the line at 8001 — so the operator's workbench pops
as soon as they sign in.  seed_demo runs it once (its mark "calls")."""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from minsheng.demands import services as demand_services
from minsheng.demands.models import Demand
from minsheng.organisation.roles import Role
from minsheng.people.models import Resident

from .models import CallRecord, PhoneSystem, Seat
from .services import attach_demand, create_phone_system, rotate_token
from .simulator import client_sender, events_of, plan_day, play, settle

DEMO_SYSTEM = "区12345中心交换机"
CALLS_PER_DAY = 160


def seed(city, people: list[Resident], *, seed: int, now: datetime) -> str:
    system = PhoneSystem.objects.filter(name=DEMO_SYSTEM).first() or create_phone_system(name=DEMO_SYSTEM)[0]
    printed = get_user_model().objects.filter(username="operator").first()
    operators = [printed, city.actors.get(("XC-CENTRE", Role.HOTLINE_OPERATOR)), None, None]
    for n, operator in enumerate(operators, start=1):
        Seat.objects.update_or_create(phone_system=system, extension=f"800{n}", defaults={"operator": operator})
    send = client_sender(rotate_token(system))
    rng = random.Random(seed)
    callers = [p.phone for p in people[:150]]
    today = timezone.localdate(now)
    extensions = [f"800{n}" for n in range(1, len(operators) + 1)]
    statuses = play(events_of(plan_day(today - timedelta(days=1), CALLS_PER_DAY, extensions, callers, rng)), send)
    statuses += play(events_of(plan_day(today, CALLS_PER_DAY, extensions, callers, rng)), send, until=now)

    def demand_of(phone: str) -> Demand | None:
        return Demand.objects.filter(reporter__phone=phone).order_by("-registered_at").first()

    # One of yesterday's calls at the printed operator's seat registered its demand, as the pop's
    # 登记诉求 does: the demand page shows the call (whatever part of the demo ran before).
    filed = CallRecord.objects.filter(phone_system=system, seat__extension="8001", ended_at__isnull=False,
                                      answered_at__isnull=False, caller_withheld=False, demand__isnull=True,
                                      offered_at__lt=timezone.make_aware(datetime.combine(today, time.min))
                                      ).order_by("-offered_at").first()
    if filed is not None and printed is not None:
        resident = Resident.objects.filter(phone=filed.caller).first()
        demand = demand_services.register_demand(
            printed, channel="hotline", demand_type="complaint", category="construction.roads",
            title="楼下路面塌陷",
            description="来电反映：楼下人行道路面塌陷出一个坑，老人晚上出门容易绊倒，请尽快修补。",
            region=city.grids[0], address=f"{city.grids[0].name}楼下人行道",
            reporter=demand_services.ReporterInput(name=resident.name if resident else "来电居民", phone=filed.caller))
        attach_demand(filed, demand)
    settled = settle(system, today - timedelta(days=1), rng, demand_of)
    settled += settle(system, today, rng, demand_of)
    # A caller on the line at the printed operator's seat, answered half a minute ago.
    caller = next((p.phone for p in people if demand_of(p.phone) is not None), callers[0] if callers else "")
    live_id = f"demo-live-{now:%Y%m%d%H%M%S}"
    for event, at in (("newCall", now - timedelta(seconds=40)), ("answer", now - timedelta(seconds=30))):
        statuses[send({"event": event, "callId": live_id, "from": caller, "to": "12345", "user": "8001",
                       "timestamp": at.isoformat()})] += 1
    refused = {status: n for status, n in statuses.items() if status >= 400}
    if refused:
        raise RuntimeError(f"the endpoint refused demo call events: {refused}")
    return (f"calls: {sum(statuses.values())} events ({dict(statuses)}), outcomes "
            + ", ".join(f"{k}={v}" for k, v in sorted(settled.items())))
