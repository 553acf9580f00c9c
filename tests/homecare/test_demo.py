"""The demo city's home care: elders of every grade, three providers, a year of records whose
statements add up, this month's tasks on the engine (replayable), and the report's figures."""

import random
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from minsheng.demands.models import Demand
from minsheng.demands.projection import differences, rebuild
from minsheng.demo.city import DEMO_PASSWORD, build_city
from minsheng.demo.history import seed_residents
from minsheng.homecare.demo import seed_homecare
from minsheng.homecare.models import Elder, ServiceRecord, Statement
from minsheng.homecare.selectors import service_report
from minsheng.organisation.models import Unit

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_grade_three_providers_and_a_year_of_records(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    city, _logins = build_city()
    people = seed_residents(city, 300, random.Random(1))
    line = seed_homecare(city, people, seed=1, now=timezone.now(), password=DEMO_PASSWORD, elders=60)
    assert "60 elders" in line
    assert set(Elder.objects.values_list("grade", flat=True)) == {"A", "B", "C"}
    assert Elder.objects.get(resident__user__username="resident").grade == "A"
    assert Unit.objects.filter(kind=Unit.Kind.CARE_PROVIDER).count() == 3
    months = set(ServiceRecord.objects.values_list("month", flat=True))
    assert len(months) >= 12
    # the recent visits were recorded on the phone: signed, with check-in and check-out positions
    signed = ServiceRecord.objects.exclude(signature="")
    assert signed.exists() and not signed.filter(check_in_latitude__isnull=True).exists()
    for statement in Statement.objects.all():
        assert statement.amount == statement.records.aggregate(s=Sum("amount"))["s"]
    report = service_report(ServiceRecord.objects.all())
    assert report["elders"] == 60 and report["hours"] > 0
    assert Decimal(60) <= report["average"] <= Decimal(100)  # about 80 hours a year each, as in the source
    for demand in Demand.objects.filter(kind="care_task"):
        assert differences(demand, rebuild(list(demand.events.order_by("seq")))) == []
    assert Demand.objects.filter(kind="care_task", state="dispatched").exists()
    # Idempotent.
    assert "kept" in seed_homecare(city, people, seed=1, now=timezone.now(), password=DEMO_PASSWORD)
