"""The staff pages that run the register without the admin: an application at the community or by
phone, assessment, approval or refusal, the periodic review in and out, a grade change mid-month,
leaving, quota exceptions, and stopping a provider.  Each page is refused to those whose role or
territory does not reach it; bad input comes back on the form with the reason, and nothing is
written."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from minsheng.demands.models import Demand
from minsheng.demands.workflow import State
from minsheng.homecare.models import Elder, ElderStep, ProviderContract, QuotaException
from minsheng.people.models import PersonalDataAccess, Resident

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 20)  # the fixture's frozen day


def _client(care, name):
    client = Client()
    client.force_login(care.user(name))
    return client


def _text(response) -> str:
    return response.content.decode()


APPLICATION = {"name": "钱奶奶", "phone": "13700002222", "id_number": "", "address": "玫瑰城3号楼",
               "community": "c1", "birth_year": "1942", "support": "dibao", "condition": "semi_disabled",
               "self_care": "partial", "health": "糖尿病", "family": "独子在外地", "channel": "hotline"}


@pytest.mark.parametrize("url, allowed, refused", [
    ("/care/elders/apply/", ["staff1", "dispatcher1", "admin"], ["auditor", "worker1", "resident", "nobody", "leader"]),
    ("/care/reviews/", ["staff1", "dispatcher"], ["auditor", "worker1", "resident", "nobody"]),
    ("/care/exceptions/", ["staff1", "dispatcher", "auditor"], ["worker1", "resident", "nobody", "operator"]),
    ("/care/providers/", ["dispatcher", "auditor"], ["staff1", "worker1", "resident", "nobody"]),
])
def test_each_register_page_is_for_its_roles(care, url, allowed, refused):
    for name in allowed:
        assert _client(care, name).get(url).status_code == 200, name
    for name in refused:
        assert _client(care, name).get(url).status_code == 404, name
    assert Client().get(url).status_code == 302  # to the login page


def test_an_elders_page_only_within_the_territory(care):
    elder = care.elder()
    url = f"/care/elders/{elder.pk}/"
    for name in ("staff1", "dispatcher", "dispatcher1", "auditor"):
        assert _client(care, name).get(url).status_code == 200, name
    for name in ("staff2", "dispatcher2", "worker1", "resident"):
        assert _client(care, name).get(url).status_code == 404, name
    # The register links to it and to the new pages.
    listing = _text(_client(care, "staff1").get("/care/elders/"))
    assert url in listing and "/care/elders/apply/" in listing and "/care/reviews/" in listing


def test_a_step_written_by_the_system_shows_with_no_actor(care):
    """Steps taken by no one (imported history, scheduled jobs) have no actor; the page shows a
    dash for them instead of failing."""
    from django.utils import timezone

    elder = care.elder()
    ElderStep.objects.create(elder=elder, action="review", note="导入的历史", actor=None, at=timezone.now())
    response = _client(care, "staff1").get(f"/care/elders/{elder.pk}/")
    assert response.status_code == 200
    assert "导入的历史" in _text(response)


def test_an_application_by_phone_is_assessed_and_approved(care):
    staff = _client(care, "staff1")
    response = staff.post("/care/elders/apply/", APPLICATION)
    elder = Elder.objects.get(resident__phone="13700002222")
    assert response.status_code == 302 and response.url == f"/care/elders/{elder.pk}/"
    assert (elder.status, elder.channel, elder.community.code, elder.health) == ("applied", "hotline", "c1", "糖尿病")
    assert "12345热线" in _text(staff.get(response.url))

    assert staff.post(f"/care/elders/{elder.pk}/assess/", {"grade": "B", "note": "半失能"}).status_code == 302
    elder.refresh_from_db()
    assert (elder.status, elder.proposed_grade) == ("assessed", "B")
    # Community staff assess; approval is the street office's: no form, and a post is refused.
    page = _text(staff.get(f"/care/elders/{elder.pk}/"))
    assert 'id="approve"' not in page
    refused = staff.post(f"/care/elders/{elder.pk}/approve/", {"on": "2026-03-21"})
    assert refused.status_code == 403 and "不能办理居家养老业务" in _text(refused)
    assert Elder.objects.get(pk=elder.pk).status == "assessed"
    # The other street's office does not reach this community.
    assert _client(care, "dispatcher2").post(f"/care/elders/{elder.pk}/approve/", {}).status_code == 404

    street = _client(care, "dispatcher1")
    assert 'id="approve"' in _text(street.get(f"/care/elders/{elder.pk}/"))
    assert street.post(f"/care/elders/{elder.pk}/approve/", {"on": "2026-03-21", "note": "同意"}).status_code == 302
    elder.refresh_from_db()
    assert (elder.status, elder.grade, elder.joined_on) == ("active", "B", date(2026, 3, 21))
    assert list(ElderStep.objects.filter(elder=elder).values_list("action", flat=True)) == [
        "apply", "assess", "approve"]


def test_a_bad_application_keeps_what_was_typed_and_creates_nothing(care):
    staff = _client(care, "staff1")
    too_young = staff.post("/care/elders/apply/", {**APPLICATION, "birth_year": "1990"})
    assert too_young.status_code == 400
    text = _text(too_young)
    assert "申请人须年满 60 周岁" in text
    assert 'value="钱奶奶"' in text and "糖尿病" in text and 'value="13700002222"' in text
    bad_phone = staff.post("/care/elders/apply/", {**APPLICATION, "phone": "12345"})
    assert bad_phone.status_code == 400 and "不是有效的手机号码或固定电话" in _text(bad_phone)
    missing = staff.post("/care/elders/apply/", {**APPLICATION, "support": ""})
    assert missing.status_code == 400
    # A community outside the staff member's territory is not among the choices.
    other = staff.post("/care/elders/apply/", {**APPLICATION, "community": "c2"})
    assert other.status_code == 400
    assert not Elder.objects.exists() and not Resident.objects.filter(phone="13700002222").exists()
    # Someone already on the register cannot apply twice.
    elder = care.elder(phone="13700002222", name="钱奶奶")
    twice = staff.post("/care/elders/apply/", APPLICATION)
    assert twice.status_code == 409 and "不能重复申请" in _text(twice)
    assert Elder.objects.count() == 1 and ElderStep.objects.filter(elder=elder, action="apply").count() == 1


def test_refusing_needs_a_reason(care):
    staff = _client(care, "staff1")
    staff.post("/care/elders/apply/", APPLICATION)
    elder = Elder.objects.get()
    street = _client(care, "dispatcher")
    blank = street.post(f"/care/elders/{elder.pk}/refuse/", {"reason": " "})
    assert blank.status_code == 400 and "请填写理由" in _text(blank)
    assert Elder.objects.get(pk=elder.pk).status == "applied"
    assert street.post(f"/care/elders/{elder.pk}/refuse/", {"reason": "不属于救助对象"}).status_code == 302
    elder.refresh_from_db()
    assert elder.status == "refused" and elder.left_reason == "不属于救助对象"
    # A refused application offers no further step.
    page = _text(street.get(f"/care/elders/{elder.pk}/"))
    assert 'id="assess"' not in page and 'id="approve"' not in page


def test_the_review_list_and_the_review_in_and_out(care):
    due = care.elder()
    upcoming = care.elder(phone="13600000002", name="钱大妈")
    elsewhere = care.elder(community="c2", phone="13600000003", name="孙爷爷")
    Elder.objects.filter(pk__in=[due.pk, elsewhere.pk]).update(next_review_on=date(2026, 3, 1))
    Elder.objects.filter(pk=upcoming.pk).update(next_review_on=date(2026, 4, 10))
    staff = _client(care, "staff1")
    page = staff.get("/care/reviews/")
    due_section = _text(page).split('id="due-reviews"')[1].split('id="upcoming-reviews"')[0]
    assert "赵大爷" in due_section and "钱大妈" not in due_section
    assert "钱大妈" in _text(page).split('id="upcoming-reviews"')[1]
    assert "孙爷爷" not in _text(page)  # another community's
    assert f"/care/elders/{due.pk}/#review" in _text(page)

    blank = staff.post(f"/care/elders/{due.pk}/review/", {"still_eligible": "yes", "note": ""})
    assert blank.status_code == 400 and "请填写复核意见" in _text(blank)
    assert Elder.objects.get(pk=due.pk).next_review_on == date(2026, 3, 1)
    kept = staff.post(f"/care/elders/{due.pk}/review/", {"still_eligible": "yes", "note": "情况未变",
                                                          "on": "2026-03-20"})
    assert kept.status_code == 302
    assert Elder.objects.get(pk=due.pk).next_review_on == TODAY + timedelta(days=365)
    assert "赵大爷" not in _text(staff.get("/care/reviews/")).split('id="upcoming-reviews"')[0]

    # Taking someone out is the street office's decision; community staff are refused.
    task = care.claimed(upcoming, day=date(2026, 3, 25), hours="2")
    out = {"still_eligible": "no", "note": "隐瞒家庭收入", "on": "2026-03-20", "false_information": "on"}
    assert staff.post(f"/care/elders/{upcoming.pk}/review/", out).status_code == 403
    assert Elder.objects.get(pk=upcoming.pk).status == "active"
    taken_out = _client(care, "dispatcher1").post(f"/care/elders/{upcoming.pk}/review/", out, follow=True)
    assert "已办理退出" in _text(taken_out)
    upcoming.refresh_from_db()
    assert upcoming.status == "left" and upcoming.left_reason == "提供虚假信息：隐瞒家庭收入"
    demand = Demand.objects.get(pk=task.demand_id)
    assert demand.state == State.CLOSED and "隐瞒家庭收入" in demand.close_reason


def test_a_grade_change_mid_month(care):
    elder = care.elder(grade="A")
    url = f"/care/elders/{elder.pk}/grade/"
    street = _client(care, "dispatcher1")
    same = street.post(url, {"grade": "A", "on": "2026-03-16", "reason": "复评"})
    assert same.status_code == 400 and "新等级与当前等级相同" in _text(same)
    no_date = street.post(url, {"grade": "C", "reason": "复评"})
    assert no_date.status_code == 400
    assert _client(care, "staff1").post(url, {"grade": "C", "on": "2026-03-16", "reason": "复评"}).status_code == 403
    assert Elder.objects.get(pk=elder.pk).grade == "A" and elder.periods.count() == 1
    assert street.post(url, {"grade": "C", "on": "2026-03-16", "reason": "身体好转"}).status_code == 302
    elder.refresh_from_db()
    assert elder.grade == "C"
    assert [(p.grade, p.start, p.end) for p in elder.periods.order_by("start")] == [
        ("A", date(2026, 1, 1), date(2026, 3, 16)), ("C", date(2026, 3, 16), None)]
    page = _text(street.get(f"/care/elders/{elder.pk}/"))
    assert "19.68" in page and "身体好转" in page  # the pro-rated quota and the reason in the history


def test_leaving_needs_a_reason_and_cancels_the_open_tasks(care):
    elder = care.elder()
    task = care.task(elder, day=date(2026, 3, 26), hours="2")
    street = _client(care, "dispatcher1")
    blank = street.post(f"/care/elders/{elder.pk}/leave/", {"on": "2026-03-20", "reason": ""})
    assert blank.status_code == 400 and "请填写退出原因" in _text(blank)
    assert Elder.objects.get(pk=elder.pk).status == "active"
    assert Demand.objects.get(pk=task.demand_id).state == State.REGISTERED
    done = street.post(f"/care/elders/{elder.pk}/leave/", {"on": "2026-03-20", "reason": "迁往外地"}, follow=True)
    assert "未完成的服务任务已取消" in _text(done)
    elder.refresh_from_db()
    assert (elder.status, elder.left_on, elder.left_reason) == ("left", TODAY, "迁往外地")
    assert Demand.objects.get(pk=task.demand_id).state == State.CLOSED


def test_a_quota_exception_is_requested_and_approved(care):
    elder = care.elder()
    staff = _client(care, "staff1")
    url = f"/care/elders/{elder.pk}/exceptions/"
    zero = staff.post(url, {"month": "2026-03", "extra_hours": "0", "reason": "住院后康复"})
    assert zero.status_code == 400 and "增加时长须在 0 到 200 小时之间" in _text(zero)
    no_reason = staff.post(url, {"month": "2026-03", "extra_hours": "5", "reason": ""})
    assert no_reason.status_code == 400 and "请填写理由" in _text(no_reason)
    assert not QuotaException.objects.exists()
    assert _client(care, "staff2").post(url, {"month": "2026-03", "extra_hours": "5", "reason": "x"}
                                        ).status_code == 404
    assert staff.post(url, {"month": "2026-03", "extra_hours": "5", "reason": "住院后康复"}).status_code == 302
    exc = QuotaException.objects.get()
    assert (exc.month, exc.extra_hours, exc.approved_at) == (date(2026, 3, 1), Decimal("5.00"), None)
    listing = _text(staff.get("/care/exceptions/"))
    assert f"exception-{exc.pk}" in listing and "住院后康复" in listing

    approve = f"/care/exceptions/{exc.pk}/approve/"
    assert staff.post(approve).status_code == 403
    assert _client(care, "dispatcher2").post(approve).status_code == 404
    assert QuotaException.objects.get().approved_at is None
    assert _client(care, "dispatcher1").post(approve).status_code == 302
    exc.refresh_from_db()
    assert exc.approved_by == care.user("dispatcher1") and exc.approved_at is not None
    assert "例外 5.00 小时" in _text(staff.get(f"/care/elders/{elder.pk}/"))  # the month's quota shows it


def test_a_provider_is_ordered_to_rectify_then_stopped(care):
    elder = care.elder()
    task = care.claimed(elder, day=date(2026, 3, 24), hours="2")
    p1 = care.providers["p1"]
    street = _client(care, "dispatcher")
    page = _text(street.get("/care/providers/"))
    assert f"provider-{p1.pk}" in page and p1.name in page
    url = f"/care/providers/{p1.pk}/status/"
    blank = street.post(url, {"status": "rectify", "reason": ""})
    assert blank.status_code == 400 and "请填写理由" in _text(blank)
    assert _client(care, "auditor").post(url, {"status": "stopped", "reason": "x"}).status_code == 403
    assert _client(care, "staff1").post(url, {"status": "stopped", "reason": "x"}).status_code == 404
    assert ProviderContract.objects.get(provider=p1).status == "active"

    assert street.post(url, {"status": "rectify", "reason": "回访满意率低"}).status_code == 302
    assert ProviderContract.objects.get(provider=p1).status == "rectify"
    stopped = street.post(url, {"status": "stopped", "reason": "整改不到位"}, follow=True)
    assert "1 项任务转交其他服务商" in _text(stopped)
    contract = ProviderContract.objects.get(provider=p1)
    assert (contract.status, contract.status_reason) == ("stopped", "整改不到位")
    assert f"/care/providers/{p1.pk}/status/" not in _text(street.get("/care/providers/"))  # nothing left to order
    task.refresh_from_db()
    assert task.provider == care.providers["p2"]
    assert Demand.objects.get(pk=task.demand_id).handling_unit == care.providers["p2"]


def test_health_data_is_masked_and_every_reveal_is_logged(care):
    elder = care.elder()  # 独居, 部分自理, 高血压, 子女在外地
    secrets = ("高血压", "独居", "部分自理", "子女在外地")
    for name in ("staff1", "auditor"):
        listing = _text(_client(care, name).get("/care/elders/"))
        assert "赵大爷" in listing and "****" in listing
        assert not any(s in listing for s in secrets), name
    staff = _client(care, "staff1")
    page = _text(staff.get(f"/care/elders/{elder.pk}/"))
    assert not any(s in page for s in secrets) and f"/care/elders/{elder.pk}/health/" in page
    assert not PersonalDataAccess.objects.exists()

    revealed = staff.post(f"/care/elders/{elder.pk}/health/")
    assert revealed.status_code == 200 and all(s in _text(revealed) for s in secrets)
    staff.post(f"/care/elders/{elder.pk}/health/")
    log = list(PersonalDataAccess.objects.filter(resident=elder.resident))
    assert len(log) == 2 and {a.viewer for a in log} == {care.user("staff1")}
    assert "health" in log[0].fields and "self_care" in log[0].fields and log[0].purpose

    # An auditor checks records and needs no health data: no button, and a reveal is refused unlogged.
    auditor = _client(care, "auditor")
    assert f"/care/elders/{elder.pk}/health/" not in _text(auditor.get(f"/care/elders/{elder.pk}/"))
    refused = auditor.post(f"/care/elders/{elder.pk}/health/")
    assert refused.status_code == 403 and "高血压" not in _text(refused)
    assert _client(care, "staff2").post(f"/care/elders/{elder.pk}/health/").status_code == 404
    assert PersonalDataAccess.objects.count() == 2


@pytest.mark.parametrize("step, data", [
    ("assess", {"grade": "C"}), ("approve", {}), ("refuse", {"reason": "x"}),
    ("review", {"still_eligible": "no", "note": "x"}), ("grade", {"grade": "C", "on": "2026-03-16", "reason": "x"}),
    ("leave", {"on": "2026-03-20", "reason": "x"}), ("exceptions", {"month": "2026-03", "extra_hours": "5",
                                                                     "reason": "x"}),
    ("health", {}),
])
def test_no_step_reaches_an_elder_outside_ones_territory_or_role(care, step, data):
    elder = care.elder()
    before = (Elder.objects.filter(pk=elder.pk).values().get(), ElderStep.objects.count(),
              QuotaException.objects.count(), PersonalDataAccess.objects.count())
    for name in ("staff2", "dispatcher2", "worker1", "resident", "leader"):
        assert _client(care, name).post(f"/care/elders/{elder.pk}/{step}/", data).status_code == 404, name
    assert before == (Elder.objects.filter(pk=elder.pk).values().get(), ElderStep.objects.count(),
                      QuotaException.objects.count(), PersonalDataAccess.objects.count())
