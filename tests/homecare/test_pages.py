"""The home-care pages through Django's test client: the elder requests, the worker claims and
records (a refusal comes back on the form), the auditor reviews, the statement downloads."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from minsheng.homecare import audit, eligibility
from minsheng.homecare.models import CareTask, ServiceRecord
from minsheng.people.models import Resident

pytestmark = pytest.mark.django_db


def _client(care, name):
    client = Client()
    client.force_login(care.user(name))
    return client


@pytest.fixture
def resident_elder(care):
    """The world's resident with an account (王奎) on the scheme, grade 乙."""
    resident = Resident.objects.get(phone="13812341234")
    elder = eligibility.apply(care.user("staff1"), name=resident.name, phone=resident.phone,
                              community=care.world.regions["c1"], birth_year=1945, support="dibao",
                              condition="empty_nest", self_care="partial")
    eligibility.assess(care.user("staff1"), elder.pk, grade="B")
    return eligibility.approve(care.user("dispatcher"), elder.pk, on=date(2026, 1, 1))


def test_the_elder_sees_the_quota_and_requests_a_service(care, resident_elder):
    client = _client(care, "resident")
    page = client.get("/care/me/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "乙级" in text and "20.00" in text and "138****1234" in text and "13812341234" not in text
    response = client.post("/care/me/", {"service": "cooking", "planned_on": "2026-03-25", "hours": "2"})
    assert response.status_code == 302
    task = CareTask.objects.get()
    assert task.elder == resident_elder and task.demand.channel == "web"
    too_much = client.post("/care/me/", {"service": "cooking", "planned_on": "2026-03-26", "hours": "19"})
    assert too_much.status_code == 400 and "超出额度" in too_much.content.decode()
    assert CareTask.objects.count() == 1


def test_the_worker_claims_records_and_sees_refusals(care, resident_elder):
    task = care.task(resident_elder, day=date(2026, 3, 18), hours="2")
    client = _client(care, "worker1")
    page = client.get("/care/worker/")
    assert page.status_code == 200 and "王奎" in page.content.decode()
    assert client.post(f"/care/worker/tasks/{task.pk}/claim/").status_code == 302
    task.refresh_from_db()
    assert task.provider == care.providers["p1"]
    bad = client.post(f"/care/worker/tasks/{task.pk}/record/", {
        "version": task.demand.version, "started_at": "2026-03-18T22:00", "ended_at": "2026-03-18T21:00",
        "confirmed_by": "王奎"})
    assert bad.status_code == 400 and "结束时间必须晚于开始时间" in bad.content.decode()
    ok = client.post(f"/care/worker/tasks/{task.pk}/record/", {
        "version": task.demand.version, "started_at": "2026-03-18T09:00", "ended_at": "2026-03-18T11:00",
        "confirmed_by": "王奎", "services_done": ["company"]})
    assert ok.status_code == 302
    assert ServiceRecord.objects.get().hours == Decimal("2.00")
    # Another provider's worker and the elder may not use the page.
    assert _client(care, "staff1").get("/care/worker/").status_code == 404


def test_the_auditor_reviews_and_the_statement_downloads(care, resident_elder):
    record = care.visit(care.claimed(resident_elder, day=date(2026, 3, 18), hours="2"))
    client = _client(care, "auditor")
    page = client.get("/care/audit/?month=2026-03")
    assert page.status_code == 200 and f"record-{record.pk}" in page.content.decode()
    refused = client.post(f"/care/audit/records/{record.pk}/review/?month=2026-03", {"decision": "reject"})
    assert refused.status_code == 400 and "请填写理由" in refused.content.decode()
    assert client.post(f"/care/audit/records/{record.pk}/review/?month=2026-03",
                       {"decision": "approve"}).status_code == 302
    provider = care.providers["p1"].pk
    statement = client.get(f"/care/statements/{provider}/?month=2026-03")
    assert statement.status_code == 200 and "34.00" in statement.content.decode()
    xlsx = client.get(f"/care/statements/{provider}/?month=2026-03&format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = client.get(f"/care/statements/{provider}/?month=2026-03&format=pdf")
    assert pdf.status_code == 200 and b"".join(pdf).startswith(b"%PDF")
    # The worker sees no audit page.
    assert _client(care, "worker1").get("/care/audit/").status_code == 404
    assert audit.evaluate(care.user("auditor"), care.providers["p1"], 2026).score == Decimal("100.00")


def test_the_worker_sees_the_next_visit_first(care, resident_elder):
    """On a phone two or three cards show at a time: the claimed and the open tasks soonest first
    (the model's order is the newest first, for the office's lists)."""
    days = [date(2026, 3, d) for d in (24, 19, 28, 21)]
    claimed = [care.claimed(resident_elder, day=day, hours="1") for day in days[:2]]
    open_tasks = [care.task(resident_elder, day=day, hours="1") for day in days[2:]]
    page = _client(care, "worker1").get("/care/worker/").content.decode()
    mine = sorted(claimed, key=lambda t: t.planned_on)
    assert page.index(f'id="task-{mine[0].pk}"') < page.index(f'id="task-{mine[1].pk}"')
    waiting = sorted(open_tasks, key=lambda t: t.planned_on)
    assert page.index(f"/care/worker/tasks/{waiting[0].pk}/claim/") < page.index(
        f"/care/worker/tasks/{waiting[1].pk}/claim/")
