"""For any sequence of records and corrections (and grade changes, exceptions, departures), no
elder's approved hours in a month exceed the quota without an approved exception, and every
statement equals the sum of its approved records."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.core.errors import MinshengError
from minsheng.homecare import audit, billing, eligibility, quota
from minsheng.homecare.models import ServiceRecord, Statement
from minsheng.homecare.records import correct_record

from .conftest import at

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)

step = st.one_of(
    st.tuples(st.just("visit"), st.integers(0, 1), st.integers(1, 19), st.sampled_from(["0.5", "1", "2.5", "4", "6"])),
    st.tuples(st.just("review"), st.integers(0, 40), st.sampled_from(["approve", "query", "reject"])),
    st.tuples(st.just("correct"), st.integers(0, 40), st.integers(1, 5)),
    st.tuples(st.just("grade"), st.integers(0, 1), st.sampled_from(["A", "B", "C"]), st.integers(2, 19)),
    st.tuples(st.just("exception"), st.integers(0, 1), st.sampled_from(["1", "3", "8"]), st.booleans()),
    st.tuples(st.just("leave"), st.integers(0, 1), st.integers(2, 19)),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_approved_hours_stay_within_quota_and_statements_add_up(care, steps):
    from django.db import transaction

    sid = transaction.savepoint_create()
    try:
        _run(care, steps)
    finally:
        transaction.savepoint_rollback(sid)


def _run(care, steps):
    elders = [care.elder(grade="B", phone="13600000011", name="甲"),
              care.elder(grade="C", phone="13600000012", name="乙")]
    workers = ["worker1", "worker1b"]
    for n, move in enumerate(steps):
        try:
            match move:
                case ("visit", who, day, hours):
                    task = care.claimed(elders[who], day=MARCH + timedelta(days=day), hours=hours)
                    care.visit(task, worker=workers[n % 2], start=at(task.planned_on, 8 + n % 8))
                case ("review", i, decision):
                    records = list(ServiceRecord.objects.order_by("pk"))
                    if records:
                        audit.review(care.user("auditor"), records[i % len(records)].pk, decision=decision,
                                     reason="核对")
                case ("correct", i, hours):
                    records = list(ServiceRecord.objects.order_by("pk"))
                    if records:
                        r = records[i % len(records)]
                        correct_record(care.user(workers[0]) if r.worker.username == workers[0]
                                       else care.user(workers[1]), r.pk, started_at=r.started_at,
                                       ended_at=r.started_at + timedelta(hours=hours))
                case ("grade", who, grade, day):
                    eligibility.change_grade(care.user("dispatcher"), elders[who].pk, grade=grade,
                                             on=MARCH + timedelta(days=day), reason="复评")
                case ("exception", who, hours, approve):
                    exc = eligibility.request_exception(care.user("staff1"), elders[who].pk, month=MARCH,
                                                        extra_hours=hours, reason="特殊需要")
                    if approve:
                        eligibility.approve_exception(care.user("dispatcher"), exc.pk)
                case ("leave", who, day):
                    eligibility.leave(care.user("dispatcher"), elders[who].pk, on=MARCH + timedelta(days=day),
                                      reason="不再符合条件")
        except MinshengError:
            pass
        for elder in elders:
            approved = sum(ServiceRecord.objects.filter(elder=elder, month=MARCH, status="approved")
                           .values_list("hours", flat=True), Decimal(0))
            assert approved <= quota.quota(elder.pk, MARCH)
            assert quota.used_hours(elder.pk, MARCH) <= quota.quota(elder.pk, MARCH)
    for provider in care.providers.values():
        pending = ServiceRecord.objects.filter(provider=provider, status__in=["submitted", "queried"])
        for record in pending:
            decision = "approve" if record.pk % 2 and record.status == "submitted" else "reject"
            audit.review(care.user("auditor"), record.pk, decision=decision, reason="终审")
        if ServiceRecord.objects.filter(provider=provider).exists():
            statement = billing.issue_statement(care.user("dispatcher"), provider, MARCH)
            records = ServiceRecord.objects.filter(statement=statement)
            assert statement.amount == sum((r.hours * r.hourly_price).quantize(Decimal("0.01"))
                                           for r in records)
            assert statement.amount == sum(r.amount for r in records)
            assert statement.hours == sum(r.hours for r in records)
            assert sum(line.amount for line in billing.statement_lines(provider.pk, MARCH)) == statement.amount
            assert not ServiceRecord.objects.filter(provider=provider, month=MARCH, status="approved",
                                                    statement__isnull=True).exists()
    assert Statement.objects.count() <= 3
