"""A mediation case on the demand engine: its steps and events, the agreement signed on the screen
and its PDF, the follow-ups as deadlines, the case from a demand or a station case with the result
returned to it, and the refusals."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pypdf
import pytest
from django.utils import timezone

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.demands import selectors as demand_selectors
from minsheng.demands.models import Demand
from minsheng.demands.projection import differences, rebuild
from minsheng.demands.workflow import Kind, State
from minsheng.mediation import selectors, services
from minsheng.mediation.models import AgreementSignature, MediationFollowUp, Outcome
from minsheng.mediation.services import PartyInput

from .conftest import PARTIES, agree, fresh, open_case, sign_all, signature_png, with_session

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


def actions_of(demand_id) -> list[str]:
    return list(Demand.objects.get(pk=demand_id).events.order_by("seq").values_list("action", flat=True))


def assert_replays(demand_id) -> None:
    stored = Demand.objects.get(pk=demand_id)
    assert differences(stored, rebuild(list(stored.events.order_by("seq")))) == []


def test_a_case_runs_accepted_sessions_agreement_follow_ups_closed_each_step_an_event(world):
    start = datetime(2026, 5, 4, 9, tzinfo=BEIJING)
    with clock.frozen_at(start):
        case = open_case(world)
        demand = case.demand
        assert (demand.kind, demand.state) == (Kind.MEDIATION, State.IN_PROGRESS)
        assert demand.handling_unit_id == world.units["cc1"].pk and case.community == world.regions["c1"]
        assert demand.handle_due == start + timedelta(days=30)  # the mediation period
        assert [p.name for p in case.parties.all()] == ["张桂兰", "赵立新"]
        case = agree(world, case)
    assert case.outcome == Outcome.AGREEMENT and case.demand.state == State.IN_PROGRESS
    follow_ups = list(case.follow_ups.all())
    assert [(f.days, f.due_on.isoformat()) for f in follow_ups] == [(7, "2026-05-11"), (30, "2026-06-03")]
    assert case.demand.handle_due == datetime(2026, 5, 11, 18, tzinfo=BEIJING)  # the first visit is the deadline
    assert AgreementSignature.objects.filter(agreement=case.agreement).count() == 2

    with clock.frozen_at(datetime(2026, 5, 11, 10, tzinfo=BEIJING)):
        services.record_follow_up(world.user("staff1"), case.demand_id, case.demand.version,
                                  follow_up_id=follow_ups[0].pk, kept=True, note="防水层已修好。")
    case = fresh(case)
    assert case.demand.handle_due == datetime(2026, 6, 3, 18, tzinfo=BEIJING)
    with clock.frozen_at(datetime(2026, 6, 3, 10, tzinfo=BEIJING)):
        services.record_follow_up(world.user("staff1"), case.demand_id, case.demand.version,
                                  follow_up_id=follow_ups[1].pk, kept=False, note="费用尚未付清。")
        case = fresh(case)
        services.close_case(world.user("staff1"), case.demand_id, case.demand.version)
    case = fresh(case)
    assert case.demand.state == State.CLOSED and case.demand.handle_due is None
    assert "未完全履行" in case.demand.close_reason
    assert actions_of(case.demand_id) == [
        "register", "accept_mediation", "record_mediation_session", "reach_mediation_agreement",
        "record_mediation_follow_up", "record_mediation_follow_up", "close_mediation"]
    assert_replays(case.demand_id)


def test_a_failed_mediation_ends_the_case_with_the_referral(world):
    case = with_session(world, open_case(world, dispute_type="labour"))
    services.record_failure(world.user("staff1"), case.demand_id, case.demand.version, referred_to="arbitration",
                            reason="用人单位拒绝调解。")
    case = fresh(case)
    assert (case.outcome, case.referred_to, case.demand.state) == (Outcome.FAILED, "arbitration", State.CLOSED)
    assert not case.follow_ups.exists() and "仲裁" in case.demand.result
    assert_replays(case.demand_id)


def test_the_plain_demand_rows_do_not_apply_to_a_mediation_case(world):
    case = open_case(world)
    offered = {s.action for s in demand_selectors.available_actions(world.user("admin"), case.demand)}
    assert {"record_mediation_session", "reach_mediation_agreement", "fail_mediation"} <= offered
    assert not offered & {"resolve", "return", "record_progress", "escalate", "request_extension", "merge"}


def test_the_agreement_pdf_holds_the_parties_terms_and_signature_images(world, client):
    case = agree(world, open_case(world), terms="赵立新承担维修费用六成并于十日内修复防水层")
    client.force_login(world.users["staff1"])
    response = client.get(f"/work/mediation/{case.pk}/agreement.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    assert "人民调解协议书" in text and "赵立新承担维修费用六成并于十日内修复防水层" in text
    assert "张桂兰" in text and "13911112222" not in text  # phones masked on paper too
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 2  # one signature per party
    stored = [s.image.read() for s in AgreementSignature.objects.filter(agreement=case.agreement)]
    assert all(len(s) > 100 for s in stored)


def test_an_agreement_needs_every_partys_signature_and_a_session(world):
    case = open_case(world)
    signatures = sign_all(case)
    with pytest.raises(InvalidTransition, match="请先记录至少一次调解"):
        services.reach_agreement(world.user("staff1"), case.demand_id, case.demand.version, matter="漏水",
                                 terms="赔偿", signatures=signatures)
    case = with_session(world, case)
    respondent = case.parties.get(side="respondent")
    missing = {**sign_all(case), respondent.pk: None}
    with pytest.raises(ValidationFailed, match="赵立新 尚未签名") as refused:
        services.reach_agreement(world.user("staff1"), case.demand_id, case.demand.version, matter="漏水",
                                 terms="赔偿", signatures=missing)
    assert f"signature_{respondent.pk}" in refused.value.field_errors
    blank = {**sign_all(case), respondent.pk: signature_png(blank=True)}
    with pytest.raises(ValidationFailed, match="赵立新 的签名是空白的"):
        services.reach_agreement(world.user("staff1"), case.demand_id, case.demand.version, matter="漏水",
                                 terms="赔偿", signatures=blank)
    case = fresh(case)
    assert case.outcome == "" and not MediationFollowUp.objects.exists()
    assert actions_of(case.demand_id)[-1] == "record_mediation_session"


def test_a_follow_up_before_the_agreement_and_closing_before_the_follow_ups_are_refused(world):
    case = with_session(world, open_case(world))
    with pytest.raises(InvalidTransition, match="调解协议达成之前不能回访"):
        services.record_follow_up(world.user("staff1"), case.demand_id, case.demand.version, follow_up_id=1,
                                  kept=True, note="看看")
    with pytest.raises(InvalidTransition, match="调解协议达成之后才能结案"):
        services.close_case(world.user("staff1"), case.demand_id, case.demand.version)
    case = agree(world, case)
    with pytest.raises(InvalidTransition, match="还有 2 次协议履行回访未完成"):
        services.close_case(world.user("staff1"), case.demand_id, case.demand.version)
    with pytest.raises(InvalidTransition, match="已有调解结果"):
        services.record_failure(world.user("staff1"), case.demand_id, case.demand.version, referred_to="court",
                                reason="反悔")


@pytest.mark.parametrize("user", ["operator", "handler_cg", "auditor", "volunteer", "resident"])
def test_roles_that_do_not_mediate_cannot_open_a_case(world, user):
    with pytest.raises(PermissionDenied, match="你的角色不能受理矛盾纠纷调解"):
        open_case(world, actor=user)


def test_a_case_outside_ones_territory_and_bad_parties_are_refused(world):
    with pytest.raises(OutOfScope):
        open_case(world, actor="staff2", region="g1")
    with pytest.raises(ValidationFailed, match="至少要有一名申请人和一名被申请人"):
        open_case(world, parties=[PartyInput("applicant", "resident", "张桂兰")])
    with pytest.raises(ValidationFailed) as refused:
        open_case(world, parties=[PARTIES[0], PartyInput("respondent", "enterprise", "某物业", "12345")])
    assert "party-1-phone" in refused.value.field_errors
    # Another staff member acts only on the cases of their territory.
    case = open_case(world)
    with pytest.raises(OutOfScope):
        services.record_session(world.user("staff2"), case.demand_id, case.demand.version,
                                held_on=timezone.localdate(), attendees="甲", notes="乙")
    assert not Demand.objects.filter(kind=Kind.MEDIATION).exclude(pk=case.demand_id).exists()


def test_follow_ups_are_due_in_the_mediators_queue(world):
    with clock.frozen_at(datetime(2026, 5, 4, 9, tzinfo=BEIJING)):
        case = agree(world, open_case(world))
    staff = world.user("staff1")
    assert list(selectors.due_follow_ups_for(staff, datetime(2026, 5, 10).date())) == []
    due = list(selectors.due_follow_ups_for(staff, datetime(2026, 5, 11).date()))
    assert [f.days for f in due] == [7]
    assert list(selectors.due_follow_ups_for(world.user("staff2"), datetime(2026, 7, 1).date())) == []
    with clock.frozen_at(datetime(2026, 5, 12, 9, tzinfo=BEIJING)):
        queue = demand_selectors.queue_for(staff)
        assert case.demand_id in [d.pk for d in queue]  # the community's handling queue, overdue first


def test_a_case_from_a_demand_returns_its_result_to_it(world, plain_demand):
    source = plain_demand
    case = open_case(world, source=source, region=None)
    source.refresh_from_db()
    assert case.source == source and case.demand.region == source.region
    assert case.demand.reporter_id == source.reporter_id
    assert actions_of(source.pk)[-1] == "refer_to_mediation"
    with pytest.raises(InvalidTransition, match="已在调解中"):
        open_case(world, source=source, region=None)
    agree(world, case)
    source.refresh_from_db()
    last = source.events.order_by("-seq").first()
    assert last.action == "mediation_result" and last.actor_role == "system" and last.public
    assert "签订调解协议" in last.note and source.state == State.REGISTERED
    assert_replays(source.pk)


def test_a_case_from_a_station_case_and_the_button_on_its_page(world, stations, client):
    from tests.stations.test_ways import take

    station_case = take(world, stations["family"], title="邻居占用楼道堆物")
    client.force_login(world.users["agent"])
    page = client.get(f"/work/stations/cases/{station_case.pk}/").content.decode()
    assert f"/work/mediation/new/?source={station_case.pk}" in page
    form = client.get(f"/work/mediation/new/?source={station_case.pk}").content.decode()
    assert "邻居占用楼道堆物" in form and "李秀英" in form
    response = client.post("/work/mediation/new/", {
        "source": station_case.pk, "dispute_type": "neighbour", "title": "楼道堆物纠纷", "description": "占用楼道。",
        "mediator_kind": "agent", "mediator_name": "",
        "party-TOTAL_FORMS": 3, "party-INITIAL_FORMS": 0, "party-MIN_NUM_FORMS": 2, "party-MAX_NUM_FORMS": 20,
        "party-0-side": "applicant", "party-0-kind": "resident", "party-0-name": "李秀英", "party-0-phone": "",
        "party-1-side": "respondent", "party-1-kind": "resident", "party-1-name": "孙大海",
        "party-1-phone": "13700001234",
        "party-2-side": "respondent", "party-2-kind": "resident", "party-2-name": "", "party-2-phone": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    case = selectors.cases_for(world.user("agent")).get()
    assert (case.mediator_kind, case.mediator_unit, case.source_id) == ("agent", world.units["st1"], station_case.pk)
    assert actions_of(station_case.pk)[-1] == "refer_to_mediation"
    # Roles that may not open a case get no button.
    client.force_login(world.users["operator"])
    assert "/work/mediation/new/" not in client.get(f"/work/demands/{station_case.pk}/").content.decode()


def test_the_mediation_settled_by_a_station_counts_in_its_ranking(world, stations):
    from minsheng.stations.selectors import yearly_ranking

    year = timezone.localdate().year
    agree(world, open_case(world, actor="agent"), actor="agent")
    rows = {r.station.unit_id: r for r in yearly_ranking(year)}
    assert rows[world.units["st1"].pk].mediated == 1
    assert all(r.mediated == 0 for pk, r in rows.items() if pk != world.units["st1"].pk)
    assert rows[world.units["st1"].pk].score == pytest.approx(10.0)  # the disputes' 10 points, no cases


def test_one_mediates_oneself_or_names_a_committee_and_a_resident_party_keeps_their_phone(world, plain_demand):
    with pytest.raises(ValidationFailed, match="你只能本人调解"):
        open_case(world, mediator_kind="agent")
    committee = open_case(world, mediator_kind="committee", mediator_name="玫瑰城社区人民调解委员会")
    assert (committee.mediator_user, committee.mediator_name) == (None, "玫瑰城社区人民调解委员会")
    reporter = plain_demand.reporter
    case = open_case(world, source=plain_demand, region=None, parties=[
        PartyInput("applicant", "resident", reporter.name, "", reporter.pk), PARTIES[1]])
    applicant = case.parties.get(side="applicant")
    assert (applicant.resident_id, applicant.phone) == (reporter.pk, reporter.phone)
