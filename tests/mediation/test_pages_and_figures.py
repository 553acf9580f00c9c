"""The mediation pages and their scope, the parties' masked phones and logged reveals, and the
counts per station, community and mediator on random workloads."""

import random

import pytest

from minsheng.core.errors import InvalidTransition
from minsheng.mediation import selectors, services
from minsheng.mediation.models import MediationCase
from minsheng.people.models import PersonalDataAccess

from .conftest import agree, fresh, open_case, with_session

pytestmark = pytest.mark.django_db


def test_every_list_page_and_file_is_scoped(world, client, stations):
    mine = agree(world, open_case(world))
    theirs = open_case(world, actor="staff2", region="g2", title="雷锋社区土地纠纷", dispute_type="land")
    agents = open_case(world, actor="agent", title="代办站调解的楼道纠纷")
    signature = mine.agreement.signatures.first()

    def sees(user) -> set[str]:
        return {c.demand.title for c in selectors.cases_for(world.user(user))}

    assert sees("staff1") == {mine.demand.title, agents.demand.title}  # the community's territory
    assert sees("staff2") == {"雷锋社区土地纠纷"}
    assert sees("agent") == {mine.demand.title, agents.demand.title}  # the station's grid
    assert sees("dispatcher1") == {mine.demand.title, agents.demand.title}
    assert sees("leader") == {mine.demand.title, agents.demand.title, "雷锋社区土地纠纷"}
    assert sees("operator") == set() and sees("handler_cg") == set()

    client.force_login(world.users["staff2"])
    listing = client.get("/work/mediation/").content.decode()
    assert "雷锋社区土地纠纷" in listing and mine.demand.number not in listing
    for url in (f"/work/mediation/{mine.pk}/", f"/work/mediation/{mine.pk}/agreement.pdf",
                f"/work/mediation/signatures/{signature.pk}.png"):
        assert client.get(url).status_code == 404, url
    figures = client.get("/work/mediation/figures/").content.decode()
    assert "雷锋社区" in figures and "玫瑰城社区" not in figures
    assert client.post(f"/work/mediation/{mine.pk}/session/", {"version": mine.demand.version}).status_code == 404
    assert theirs.pk

    client.force_login(world.users["operator"])
    assert client.get("/work/mediation/").status_code == 404
    client.force_login(world.users["staff1"])
    assert client.get(f"/work/mediation/signatures/{signature.pk}.png")["Content-Type"] == "image/png"


def test_phones_are_masked_and_every_reveal_is_logged(world, client):
    case = open_case(world)
    client.force_login(world.users["staff1"])
    page = client.get(f"/work/mediation/{case.pk}/").content.decode()
    assert "139****2222" in page and "13911112222" not in page
    party = case.parties.get(name="张桂兰")
    revealed = client.post(f"/work/mediation/{case.pk}/parties/{party.pk}/reveal/")
    assert "13911112222" in revealed.content.decode()
    access = PersonalDataAccess.objects.get()
    assert access.viewer_id == world.users["staff1"].pk and "张桂兰" in access.subject
    assert case.demand.number in access.purpose
    client.force_login(world.users["leader"])  # reads the case, has no need of the number
    assert client.post(f"/work/mediation/{case.pk}/parties/{party.pk}/reveal/").status_code == 403
    assert PersonalDataAccess.objects.count() == 1
    # The list's search takes numbers and summaries, never a party's phone.
    assert "张桂兰" not in client.get("/work/mediation/?q=13911112222").content.decode()


def test_the_case_page_walks_from_session_to_a_signed_agreement_and_shows_refusals(world, client):
    from .conftest import signature_png

    case = open_case(world)
    client.force_login(world.users["staff1"])
    page = client.get(f"/work/mediation/{case.pk}/").content.decode()
    assert "action-session" in page and "action-agreement" not in page  # a session first
    response = client.post(f"/work/mediation/{case.pk}/session/", {
        "version": case.demand.version, "held_on": "2099-01-01", "attendees": "双方", "notes": "调解"})
    assert response.status_code == 400 and "调解日期不能晚于今天" in response.content.decode()
    case = with_session(world, case)
    parties = list(case.parties.all())
    data = {"version": case.demand.version, "matter": "漏水", "terms": "赵立新赔偿五百元", "signed_on": "2026-01-05",
            f"signature_{parties[0].pk}": signature_png(1)}
    response = client.post(f"/work/mediation/{case.pk}/agreement/", data)
    assert response.status_code == 400 and "赵立新 尚未签名" in response.content.decode()
    data = {**data, f"signature_{parties[0].pk}": signature_png(1), f"signature_{parties[1].pk}": signature_png(2)}
    assert client.post(f"/work/mediation/{case.pk}/agreement/", data).status_code == 302
    page = client.get(f"/work/mediation/{case.pk}/").content.decode()
    assert "赵立新赔偿五百元" in page and "agreement.pdf" in page and "action-follow-up" in page


def test_counts_per_station_community_and_mediator_on_random_workloads(world, stations):
    rng = random.Random()
    seed = rng.randrange(10**6)
    rng.seed(seed)
    # per actor: cases, settled, failed, follow-ups made, kept
    expected = {"staff1": [0, 0, 0, 0, 0], "agent": [0, 0, 0, 0, 0], "staff2": [0, 0, 0, 0, 0]}
    for i in range(rng.randint(4, 8)):
        actor = rng.choice(list(expected))
        case = open_case(world, actor=actor, region="g2" if actor == "staff2" else "g1", title=f"纠纷{i}")
        row = expected[actor]
        row[0] += 1
        fate = rng.choice(["open", "agreement", "failed"])
        if fate == "agreement":
            case = agree(world, case, actor=actor)
            row[1] += 1
            for follow_up in list(case.follow_ups.all())[:rng.randint(0, 2)]:
                kept = rng.random() < 0.6
                services.record_follow_up(world.user(actor), case.demand_id, fresh(case).demand.version,
                                          follow_up_id=follow_up.pk, kept=kept, note="回访")
                row[3] += 1
                row[4] += kept
        elif fate == "failed":
            case = with_session(world, case, actor)
            services.record_failure(world.user(actor), case.demand_id, case.demand.version, referred_to="court",
                                    reason="不同意")
            row[2] += 1
    figures = selectors.figures(MediationCase.objects.all())
    by_community = {r.label: r for r in figures["communities"]}
    for rows in figures.values():
        for r in rows:
            assert r.rate is None or 0 <= r.rate <= 100, seed
            assert r.settled + r.failed <= r.cases and r.kept <= r.follow_ups, seed
    rose = [expected["staff1"][k] + expected["agent"][k] for k in range(5)]
    if rose[0]:
        r = by_community["玫瑰城社区"]
        assert [r.cases, r.settled, r.failed, r.follow_ups, r.kept] == rose, seed
        if r.concluded:
            assert r.rate == pytest.approx(100 * rose[1] / (rose[1] + rose[2])), seed
    stations_rows = {r.label: r for r in figures["stations"]}
    if expected["agent"][0]:
        s = stations_rows["玫瑰城5号楼代办站"]
        assert [s.cases, s.settled, s.failed, s.follow_ups, s.kept] == expected["agent"], seed
    else:
        assert not stations_rows, seed
    assert sum(r.cases for r in figures["mediators"]) == sum(v[0] for v in expected.values()), seed


def test_a_closed_source_still_hears_the_result_but_cannot_start_a_second_case_while_one_runs(world, plain_demand):
    case = open_case(world, source=plain_demand, region=None)
    with pytest.raises(InvalidTransition):
        open_case(world, source=plain_demand, region=None)
    assert case.source_id == plain_demand.pk


def test_a_case_opened_from_the_list_page_in_a_chosen_grid(world, client):
    client.force_login(world.users["gridworker"])
    form = client.get("/work/mediation/new/")
    assert form.status_code == 200
    body = form.content.decode()
    assert "玫瑰城第一网格" in body and "雷锋第一网格" not in body and "玫瑰城第二网格" not in body  # own grid only
    response = client.post("/work/mediation/new/", {
        "dispute_type": "property", "title": "停车位纠纷", "description": "车位被占。",
        "region": world.regions["g1"].pk,
        "mediator_kind": "grid_worker", "mediator_name": "",
        "party-TOTAL_FORMS": 2, "party-INITIAL_FORMS": 0, "party-MIN_NUM_FORMS": 2, "party-MAX_NUM_FORMS": 20,
        "party-0-side": "applicant", "party-0-kind": "resident", "party-0-name": "王奎", "party-0-phone": "",
        "party-1-side": "respondent", "party-1-kind": "property_company", "party-1-name": "红枫物业",
        "party-1-phone": "0413-5123456"})
    assert response.status_code == 302
    case = MediationCase.objects.get()
    assert (case.mediator_kind, case.demand.region_id) == ("grid_worker", world.regions["g1"].pk)
