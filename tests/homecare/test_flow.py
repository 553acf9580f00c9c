"""The home-care scheme end to end through the real services: application → grade → request →
claim → visit record → audit → statement, every refusal of an impossible record, a mid-month grade
change, a stopped provider whose tasks move, and the review that takes a person out."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from minsheng.core.errors import InvalidTransition, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.demands.models import Demand
from minsheng.demands.projection import differences, rebuild
from minsheng.demands.workflow import Kind, State
from minsheng.homecare import audit, billing, eligibility, quota, tasks
from minsheng.homecare.models import Elder, ElderStep, GradePolicy, ServiceRecord
from minsheng.homecare.selectors import service_report
from minsheng.notifications.models import OutboxMessage

from .conftest import at

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


def _replays(demand_id):
    demand = Demand.objects.get(pk=demand_id)
    assert differences(demand, rebuild(list(demand.events.order_by("seq")))) == []
    return demand


def test_application_to_statement(care):
    elder = care.elder(grade="B")
    assert elder.status == Elder.Status.ACTIVE and elder.grade == "B"
    assert [s.action for s in ElderStep.objects.filter(elder=elder)] == ["apply", "assess", "approve"]
    assert quota.quota(elder.pk, MARCH) == Decimal("20.00")

    task = care.task(elder, service="bathing", hours="1.5")
    demand = task.demand
    assert demand.kind == Kind.CARE_TASK and demand.state == State.REGISTERED and demand.reporter == elder.resident
    task = tasks.claim(care.user("worker1"), task.pk)
    assert task.provider == care.providers["p1"] and task.demand.state == State.DISPATCHED
    assert task.demand.handling_unit == care.providers["p1"]
    claim_event = task.demand.events.get(action="claim_care_task")
    assert claim_event.payload["worker_id"] == care.user("worker1").pk

    record = care.visit(task, services_done=["company"])
    assert record.hours == Decimal("1.50") and record.services_done == "bathing company"
    assert _replays(task.demand_id).state == State.RESOLVED

    audit.review(care.user("auditor"), record.pk, decision="approve")
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.APPROVED and record.amount == Decimal("25.50")

    statement = billing.issue_statement(care.user("dispatcher"), care.providers["p1"], MARCH)
    assert statement.amount == Decimal("25.50") and statement.hours == Decimal("1.50")
    assert list(statement.records.all()) == [record]
    [line] = billing.statement_lines(care.providers["p1"].pk, MARCH)
    assert (line.elder_name, line.service, line.records, line.amount) == ("赵大爷", "助浴", 1, Decimal("25.50"))
    report = service_report(ServiceRecord.objects.all(), year=2026)
    assert report["elders"] == 1 and report["hours"] == Decimal("1.50")


def test_price_and_hours_are_dated_policy_not_constants(care):
    GradePolicy.objects.create(grade="A", valid_from=date(2026, 3, 15), monthly_hours=Decimal("40"),
                               hourly_price=Decimal("20"))
    elder = care.elder(grade="A")
    # 14 days at 30 hours and 17 days at 40 hours, of 31.
    assert quota.quota(elder.pk, MARCH) == (Decimal(30) * 14 / 31 + Decimal(40) * 17 / 31).quantize(Decimal("0.01"))
    early = care.visit(care.claimed(elder, day=date(2026, 3, 2), hours="1"))
    late = care.visit(care.claimed(elder, day=date(2026, 3, 16), hours="1"))
    for r in (early, late):
        audit.review(care.user("auditor"), r.pk, decision="approve")
    assert ServiceRecord.objects.get(pk=early.pk).amount == Decimal("17.00")
    assert ServiceRecord.objects.get(pk=late.pk).amount == Decimal("20.00")


def test_application_refusals(care):
    with pytest.raises(ValidationFailed) as err:
        eligibility.apply(care.user("staff1"), name="小王", phone="13600000009", community=care.world.regions["c1"],
                          birth_year=1990, support="dibao", condition="alone", self_care="full")
    assert "birth_year" in err.value.field_errors
    with pytest.raises(OutOfScope):
        eligibility.apply(care.user("staff2"), name="钱奶奶", phone="13600000009",
                          community=care.world.regions["c1"], birth_year=1940, support="dibao",
                          condition="alone", self_care="full")
    elder = care.elder()
    with pytest.raises(InvalidTransition):
        eligibility.apply(care.user("staff1"), name="赵大爷", phone="13600000001", community=care.world.regions["c1"],
                          birth_year=1940, support="tekun", condition="alone", self_care="partial")
    with pytest.raises(PermissionDenied):
        eligibility.approve(care.user("staff1"), elder.pk)


def test_a_worker_cannot_be_in_two_places(care):
    a, b = care.elder(), care.elder(phone="13600000002", name="钱奶奶")
    care.visit(care.claimed(a, hours="2"), start=at(date(2026, 3, 10), 9))
    second = care.claimed(b, hours="2")
    with pytest.raises(ValidationFailed) as err:
        care.visit(second, start=at(date(2026, 3, 10), 10))
    assert "重叠" in err.value.message and "赵大爷" in err.value.message
    assert not ServiceRecord.objects.filter(elder=b).exists()
    assert Demand.objects.get(pk=second.demand_id).state == State.DISPATCHED
    # Another worker of the same provider may serve at that time.
    care.visit(second, worker="worker1b", start=at(date(2026, 3, 10), 10))


def test_a_visit_cannot_cross_midnight_or_run_backwards(care):
    task = care.claimed(care.elder(), hours="3")
    with pytest.raises(ValidationFailed) as err:
        care.visit(task, start=at(date(2026, 3, 10), 22), end=at(date(2026, 3, 11), 1))
    assert "跨天" in err.value.message
    with pytest.raises(ValidationFailed):
        care.visit(task, start=at(date(2026, 3, 10), 10), end=at(date(2026, 3, 10), 9))
    assert not ServiceRecord.objects.exists()


def test_visits_outside_the_contract_are_refused(care):
    elder = care.elder(community="c2", phone="13600000003", name="孙爷爷")
    # p1 covers only 玫瑰城 (c1): it may not even claim a task in 雷锋 (c2).
    task = care.task(elder, service="bathing", actor="staff2")
    with pytest.raises(PermissionDenied) as err:
        tasks.claim(care.user("worker1"), task.pk)
    assert "服务社区" in err.value.message
    # p3 covers c2 but offers only cleaning and cooking.
    with pytest.raises(PermissionDenied) as err:
        tasks.claim(care.user("worker3"), task.pk)
    assert "助浴" in err.value.message
    # A visit on a day outside the contract period (a task claimed while the contract ran).
    task = tasks.claim(care.user("worker3"), care.task(elder, service="cleaning", actor="staff2").pk)
    care.providers["p3"].care_contracts.update(start=date(2026, 3, 15))
    with pytest.raises(ValidationFailed) as err:
        care.visit(task, worker="worker3")
    assert "合同期" in err.value.message


def test_hours_past_the_quota_need_an_approved_exception(care):
    elder = care.elder(grade="C")  # 10 hours a month
    care.visit(care.claimed(elder, day=date(2026, 3, 2), hours="8"))
    with pytest.raises(ValidationFailed) as err:
        care.task(elder, day=date(2026, 3, 12), hours="3")
    assert "超出额度" in err.value.message
    exception = eligibility.request_exception(care.user("staff1"), elder.pk, month=MARCH, extra_hours="2",
                                              reason="术后需要加强照护")
    with pytest.raises(ValidationFailed):
        care.task(elder, day=date(2026, 3, 12), hours="3")  # requested, not approved yet
    eligibility.approve_exception(care.user("dispatcher"), exception.pk)
    task = care.claimed(elder, day=date(2026, 3, 12), hours="3")
    # The visit itself may not run past the booked hours the quota leaves either.
    with pytest.raises(ValidationFailed):
        care.visit(task, end=at(date(2026, 3, 12), 14))
    care.visit(task)
    assert quota.used_hours(elder.pk, MARCH) == Decimal("11.00") == quota.quota(elder.pk, MARCH) - 1


def test_a_mid_month_grade_change_is_pro_rated(care):
    elder = care.elder(grade="A")  # 30 hours
    eligibility.change_grade(care.user("dispatcher"), elder.pk, grade="C", on=date(2026, 3, 16),
                             reason="复评：自理能力好转")
    # 15 of 31 days at 30 hours, 16 at 10 hours.
    expected = (Decimal(30) * 15 / 31 + Decimal(10) * 16 / 31).quantize(Decimal("0.01"))
    assert quota.quota(elder.pk, MARCH) == expected == Decimal("19.68")
    assert quota.quota(elder.pk, date(2026, 2, 1)) == Decimal("30.00")
    assert quota.quota(elder.pk, date(2026, 4, 1)) == Decimal("10.00")
    assert Elder.objects.get(pk=elder.pk).grade == "C"


def test_a_stopped_providers_tasks_move_to_another(care):
    elder = care.elder()
    moving = care.claimed(elder, day=date(2026, 3, 21), hours="2")
    lonely = care.claimed(elder, service="haircut", day=date(2026, 3, 22), hours="1")
    done = care.claimed(elder, day=date(2026, 3, 10), hours="1")
    care.visit(done)
    # p2 also covers c1 with every service, so both open tasks can move; make haircut p1-only.
    care.providers["p2"].care_contracts.get().services.remove(care.services["haircut"])
    result = tasks.set_provider_status(care.user("dispatcher"), care.providers["p1"], status="stopped",
                                       reason="年度考核不合格")
    assert result == {"moved": 1, "released": 1}
    moving.refresh_from_db(), lonely.refresh_from_db()
    assert moving.provider == care.providers["p2"]
    assert _replays(moving.demand_id).handling_unit == care.providers["p2"]
    assert moving.demand.events.filter(action="transfer_care_task").get().payload["from_provider_id"] == \
        care.providers["p1"].pk
    assert lonely.provider is None and _replays(lonely.demand_id).state == State.PENDING_DISPATCH
    # The stopped provider can claim nothing more.
    with pytest.raises(PermissionDenied):
        tasks.claim(care.user("worker1"), care.task(elder, day=date(2026, 3, 25), hours="1").pk)
    assert Demand.objects.get(pk=done.demand_id).handling_unit == care.providers["p1"]


def test_the_review_takes_a_person_out_and_keeps_the_history(care):
    elder = care.elder()
    care.visit(care.claimed(elder, day=date(2026, 3, 10), hours="2"))
    eligibility.review(care.user("dispatcher"), elder.pk, still_eligible=False, note="经核查家庭收入超标",
                       on=date(2026, 3, 16), false_information=True)
    elder.refresh_from_db()
    assert elder.status == Elder.Status.LEFT and elder.left_on == date(2026, 3, 16)
    assert "虚假信息" in elder.left_reason
    assert ElderStep.objects.filter(elder=elder).last().action == "leave"
    assert elder.records.count() == 1  # history stays
    with pytest.raises(InvalidTransition):
        care.task(elder, day=date(2026, 3, 18), hours="1")
    assert quota.quota(elder.pk, date(2026, 4, 1)) == Decimal("0.00")
    # Applying again later starts from the same register row.
    again = eligibility.apply(care.user("staff1"), name="赵大爷", phone="13600000001",
                              community=care.world.regions["c1"], birth_year=1940, support="tekun",
                              condition="alone", self_care="partial")
    assert again.pk == elder.pk and again.status == Elder.Status.APPLIED


def test_a_review_that_keeps_someone_may_change_the_grade(care):
    elder = care.elder(grade="C")
    eligibility.review(care.user("dispatcher"), elder.pk, still_eligible=True, note="失能加重", grade="A",
                       on=date(2026, 3, 1))
    elder.refresh_from_db()
    assert elder.grade == "A" and elder.next_review_on == date(2027, 3, 1)


def test_unclaimed_tasks_are_flagged_to_the_community(care, settings):
    settings.MINSHENG_HOMECARE_CLAIM_HOURS = 0
    task = care.task(care.elder())
    assert tasks.flag_unclaimed() == 1
    assert tasks.flag_unclaimed() == 0
    task.refresh_from_db()
    assert task.flagged_at is not None
    assert _replays(task.demand_id).events.filter(action="flag_unclaimed").exists()
    assert OutboxMessage.objects.filter(source="homecare.unclaimed", recipient=care.user("staff1")).exists()


def test_audit_query_correct_reject_and_evaluation(care):
    elder = care.elder()
    first = care.visit(care.claimed(elder, day=date(2026, 3, 3), hours="2"))
    second = care.visit(care.claimed(elder, day=date(2026, 3, 4), hours="2"))
    third = care.visit(care.claimed(elder, day=date(2026, 3, 5), hours="2"))
    with pytest.raises(ValidationFailed):
        audit.review(care.user("auditor"), first.pk, decision="reject")  # a reason is required
    audit.review(care.user("auditor"), first.pk, decision="query", reason="照片与地址不符")
    from minsheng.homecare.records import correct_record
    correct_record(care.user("worker1"), first.pk, started_at=at(date(2026, 3, 3), 9),
                   ended_at=at(date(2026, 3, 3), 10))
    audit.review(care.user("auditor"), first.pk, decision="approve")
    audit.review(care.user("auditor"), second.pk, decision="reject", reason="老人称当天无人上门")
    with pytest.raises(InvalidTransition):
        billing.issue_statement(care.user("dispatcher"), care.providers["p1"], MARCH)  # third still pending
    audit.review(care.user("auditor"), third.pk, decision="approve")
    audit.record_revisit(care.user("auditor"), third.pk, answer="老人表示服务很好", satisfied=True)
    evaluation = audit.evaluate(care.user("auditor"), care.providers["p1"], 2026)
    # audit 2 of 3 → 26.67, revisits 20, no home visits 20, no complaints 20
    assert evaluation.score == Decimal("86.67")
    statement = billing.issue_statement(care.user("dispatcher"), care.providers["p1"], MARCH)
    assert statement.amount == Decimal("51.00")  # 1 h + 2 h at 17
    with pytest.raises(ValidationFailed):
        care.visit(care.claimed(elder, day=date(2026, 3, 6), hours="1"))  # the month is billed


def test_the_revisit_draw_is_seeded_and_recorded(care):
    elder = care.elder()
    for day in range(2, 12):
        care.visit(care.claimed(elder, day=date(2026, 3, day), hours="1"))
    draw = audit.draw_revisits(care.user("auditor"), MARCH, share=0.3, seed=42)
    picked = set(ServiceRecord.objects.filter(revisit_selected=True).values_list("pk", flat=True))
    assert draw.drawn == len(picked) == 3 and draw.seed == 42
    ServiceRecord.objects.update(revisit_selected=False)
    audit.draw_revisits(care.user("auditor"), MARCH, share=0.3, seed=42)
    assert set(ServiceRecord.objects.filter(revisit_selected=True).values_list("pk", flat=True)) == picked


def test_budget_spent_and_committed(care):
    from minsheng.homecare.models import Budget

    Budget.objects.create(year=2026, amount=Decimal("1000000"))
    elder = care.elder()
    a = care.visit(care.claimed(elder, day=date(2026, 3, 3), hours="2"))
    care.visit(care.claimed(elder, day=date(2026, 3, 4), hours="1"))
    audit.review(care.user("auditor"), a.pk, decision="approve")
    state = billing.budget_state(2026)
    assert state.spent == 0 and state.committed == Decimal("51.00")
    assert state.left == Decimal("1000000") - Decimal("51.00")


def test_a_worker_of_another_provider_cannot_record_on_a_task(care):
    task = care.claimed(care.elder())
    with pytest.raises(PermissionDenied):
        care.visit(task, worker="worker2")
    assert not ServiceRecord.objects.exists()


def test_the_elders_list_is_scoped(care):
    from minsheng.homecare.selectors import elders_for

    care.elder()
    care.elder(community="c2", phone="13600000003", name="孙爷爷")
    assert [e.resident.name for e in elders_for(care.user("staff1"))] == ["赵大爷"]
    assert len(elders_for(care.user("auditor"))) == 2
    assert not elders_for(care.user("worker1")).exists()
    assert timedelta(0) == timedelta(0)


def test_only_the_elder_or_staff_over_the_community_may_book(care):
    elder = care.elder()
    with pytest.raises(OutOfScope):
        care.task(elder, actor="staff2")
    with pytest.raises(PermissionDenied):
        care.task(elder, actor="resident")  # another resident's account
    assert not Demand.objects.exists()
