"""Home care on the shared test world: three providers under contract, their workers, and helpers
that bring an elder onto the scheme and a task to a recorded visit through the real services."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from minsheng.core import clock
from minsheng.homecare import eligibility, records, tasks
from minsheng.homecare.models import CareService, ProviderContract
from minsheng.organisation.models import Membership, Unit
from minsheng.organisation.roles import Role

# Every test runs on a fixed "now": 2026-03-20 18:00 Beijing time.
NOW = timezone.make_aware(datetime(2026, 3, 20, 18, 0))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@dataclass
class Care:
    world: object
    providers: dict
    services: dict

    def user(self, name):
        return self.world.user(name)

    def elder(self, *, grade="A", on=date(2026, 1, 1), phone="13600000001", name="赵大爷", community="c1"):
        staff = "staff1" if community == "c1" else "staff2"
        elder = eligibility.apply(self.user(staff), name=name, phone=phone, community=self.world.regions[community],
                                  birth_year=1940, support="tekun", condition="alone", self_care="partial",
                                  health="高血压", family="子女在外地", channel="station")
        eligibility.assess(self.user(staff), elder.pk, grade=grade)
        return eligibility.approve(self.user("dispatcher"), elder.pk, on=on)

    def task(self, elder, *, service="cleaning", day=date(2026, 3, 10), hours="2", actor="staff1"):
        return tasks.request_care(self.user(actor), elder.pk, service=service, planned_on=day, hours=hours)

    def claimed(self, elder, *, worker="worker1", **kwargs):
        task = self.task(elder, **kwargs)
        return tasks.claim(self.user(worker), task.pk)

    def visit(self, task, *, worker="worker1", start=None, end=None, confirmed_by="赵大爷", **kw):
        task.demand.refresh_from_db()
        start = start or at(task.planned_on, 9)
        end = end or start + timedelta(hours=float(task.planned_hours))
        return records.record_visit(self.user(worker), task.demand_id, task.demand.version, started_at=start,
                                    ended_at=end, confirmed_by=confirmed_by, **kw)


@pytest.fixture
def frozen():
    with clock.frozen_at(NOW):
        yield NOW


def build_care(world, *, start=date(2026, 1, 1), end=date(2026, 12, 31)) -> Care:
    """Three providers under contract (p1: 玫瑰城, every service; p2: both communities, every service;
    p3: 雷锋, cleaning and cooking) and their workers (handlers in the providers' units)."""
    services = {s.code: s for s in CareService.objects.all()}
    providers = {}
    for key, name, communities in (("p1", "安康居家养老服务中心", ["c1"]), ("p2", "夕阳红社工服务社", ["c1", "c2"]),
                                   ("p3", "松鹤养老服务社", ["c2"])):
        unit = Unit.objects.create(kind=Unit.Kind.CARE_PROVIDER, name=name, code=key, region=world.regions["d"])
        contract = ProviderContract.objects.create(provider=unit, start=start, end=end)
        contract.services.set(services.values() if key != "p3" else [services["cleaning"], services["cooking"]])
        contract.communities.set([world.regions[c] for c in communities])
        providers[key] = unit
    for user, unit in (("worker1", "p1"), ("worker1b", "p1"), ("worker2", "p2"), ("worker3", "p3")):
        u = get_user_model().objects.create_user(username=user, password="pw-" + user)
        Membership.objects.create(user=u, unit=providers[unit], role=Role.DEPARTMENT_HANDLER)
        world.users[user] = u
    return Care(world, providers, services)


@pytest.fixture
def care(world, frozen) -> Care:
    return build_care(world)
