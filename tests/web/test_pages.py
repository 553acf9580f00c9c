"""The web pages through Django's test client: they call the services and show their answers."""

import random
import re

from django.urls import reverse

from minsheng.demands import selectors, services
from minsheng.demands.models import Demand, DemandEvent
from minsheng.people.models import PersonalDataAccess, Resident

from ..demands.helpers import bring_to


def _submit_data(**changes):
    data = {"demand_type": "complaint", "category": "construction.roads", "title": "小区门口路灯不亮",
            "description": "玫瑰城社区5号楼门口的路灯已经坏了一周，晚上出行很不方便。", "region": "g1",
            "address": "玫瑰城第一网格5号楼门口", "name": "刘芳", "phone": "13600002222", "consent": "on"}
    data.update(changes)
    return data


def test_resident_submits_without_an_account_and_gets_a_number(client, world):
    response = client.post(reverse("web:submit"), _submit_data(), follow=True)
    demand = Demand.objects.get()
    assert demand.number in response.content.decode()
    assert demand.channel == "web" and demand.consent and demand.registered_by is None


def test_resident_form_keeps_what_was_typed_and_shows_field_errors(client, world):
    response = client.post(reverse("web:submit"), _submit_data(phone="12345", consent=""))
    page = response.content.decode()
    assert response.status_code == 400
    assert "小区门口路灯不亮" in page and "玫瑰城社区5号楼门口的路灯" in page
    assert "不是有效的手机号码" in page or "隐私告知" in page
    assert not Demand.objects.exists()


def test_tracking_needs_the_right_phone_digits(client, world):
    demand = bring_to(world, "dispatched")
    good = client.post(reverse("web:track"), {"number": demand.number, "phone_last4": "1234"})
    assert demand.title in good.content.decode() and "已派单" in good.content.decode()
    bad = client.post(reverse("web:track"), {"number": demand.number, "phone_last4": "9999"})
    assert demand.title not in bad.content.decode() and "没有找到该诉求" in bad.content.decode()


def test_tracking_shows_only_public_steps(client, world):
    demand = bring_to(world, "returned")
    page = client.post(reverse("web:track"), {"number": demand.number, "phone_last4": "1234"}).content.decode()
    assert "不属于本单位职责" not in page  # the return reason is internal


def test_dissatisfied_rating_reopens_and_satisfied_rating_records(client, world):
    demand = bring_to(world, "resolved")
    client.post(reverse("web:rate"), {"number": demand.number, "phone_last4": "1234", "satisfaction": "dissatisfied",
                                      "solved": "unsolved",
                                      "comment": "井盖还是松的"})
    demand.refresh_from_db()
    assert demand.state == "dispatched" and demand.reopen_count == 1
    other = bring_to(world, "resolved")
    client.post(reverse("web:rate"), {"number": other.number, "phone_last4": "1234", "satisfaction": "satisfied",
                                      "solved": "solved"})
    other.refresh_from_db()
    assert other.state == "revisited" and other.satisfaction == "satisfied"


def test_rating_with_wrong_digits_changes_nothing(client, world):
    demand = bring_to(world, "resolved")
    response = client.post(reverse("web:rate"), {"number": demand.number, "phone_last4": "0000",
                                                 "satisfaction": "dissatisfied", "solved": "unsolved"})
    assert response.status_code == 404
    demand.refresh_from_db()
    assert demand.state == "resolved"


def test_staff_pages_need_a_login(client, world):
    response = client.get(reverse("web:queue"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_handler_queue_lists_their_units_work(login, world):
    mine = bring_to(world, "dispatched")
    other = bring_to(world, "pending_dispatch")
    page = login("handler_cg").get(reverse("web:queue")).content.decode()
    assert mine.number in page and other.number not in page


def test_dispatcher_queue_lists_what_needs_dispatching(login, world):
    waiting = bring_to(world, "pending_dispatch")
    page = login("dispatcher1").get(reverse("web:queue")).content.decode()
    assert waiting.number in page


def test_another_units_demand_is_a_404(login, world):
    demand = bring_to(world, "dispatched")
    assert login("handler_zj").get(reverse("web:demand", args=[demand.pk])).status_code == 404


def test_actions_shown_are_the_ones_the_user_may_take(login, world):
    demand = bring_to(world, "dispatched")
    page = login("handler_cg").get(reverse("web:demand", args=[demand.pk])).content.decode()
    assert 'id="action-accept"' in page and 'id="action-return"' in page
    assert 'id="action-dispatch"' not in page


def test_an_action_posts_through_the_service(login, world):
    demand = bring_to(world, "dispatched")
    client = login("handler_cg")
    response = client.post(reverse("web:act", args=[demand.pk, "accept"]), {"version": demand.version})
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.state == "in_progress" and demand.events.last().actor == world.users["handler_cg"]


def test_a_refused_action_shows_the_field_error_and_changes_nothing(login, world):
    demand = bring_to(world, "in_progress")
    response = login("handler_cg").post(reverse("web:act", args=[demand.pk, "resolve"]),
                                        {"version": demand.version, "result": "  "})
    assert response.status_code == 400 and "请填写办理结果" in response.content.decode()
    assert Demand.objects.get(pk=demand.pk).state == "in_progress"


def test_a_stale_form_gets_a_conflict(login, world):
    demand = bring_to(world, "dispatched")
    response = login("handler_cg").post(reverse("web:act", args=[demand.pk, "accept"]),
                                        {"version": demand.version - 1})
    assert response.status_code == 409 and "刷新" in response.content.decode()


def test_revealing_the_phone_is_logged(login, world):
    demand = bring_to(world, "dispatched")
    client = login("handler_cg")
    detail = client.get(reverse("web:demand", args=[demand.pk])).content.decode()
    assert "137****1234" in detail and "13700001234" not in detail
    revealed = client.post(reverse("web:reveal", args=[demand.pk])).content.decode()
    assert "13700001234" in revealed
    assert PersonalDataAccess.objects.filter(viewer=world.users["handler_cg"], resident=demand.reporter).exists()


def test_leader_cannot_reveal(login, world):
    demand = bring_to(world, "dispatched")
    assert login("leader").post(reverse("web:reveal", args=[demand.pk])).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_operator_intake_registers_and_can_resolve_on_the_spot(login, world):
    client = login("operator")
    data = _submit_data(channel="hotline", urgency="general", on_spot="on", on_spot_result="已当场解答。")
    data.pop("consent")
    response = client.post(reverse("web:intake"), data)
    assert response.status_code == 302
    demand = Demand.objects.get()
    assert demand.state == "resolved" and demand.registered_by == world.users["operator"]
    assert list(DemandEvent.objects.filter(demand=demand).values_list("action", flat=True)) == [
        "register", "resolve_on_spot"]


def test_operator_intake_records_the_callers_agreement_to_publish(login, world):
    client = login("operator")
    assert 'name="publish_consent"' in client.get(reverse("web:intake")).content.decode()
    agreed = random.random() < 0.5
    data = _submit_data(channel="hotline", urgency="general", **({"publish_consent": "on"} if agreed else {}))
    assert client.post(reverse("web:intake"), data).status_code == 302
    assert Demand.objects.get().publish_consent == agreed


def test_resident_lookup_shows_tags_and_history(login, world):
    bring_to(world, "registered", reporter=Resident.objects.get(phone="13900001111"))
    page = login("operator").get(reverse("web:resident_lookup"), {"phone": "139-0000-1111"}).content.decode()
    assert "李秀英" in page and "独居老人" in page and "139****1111" in page


def test_list_filters_and_paginates(login, world):
    for _ in range(3):
        bring_to(world, "registered")
    closed = bring_to(world, "closed")
    client = login("operator")
    page = client.get(reverse("web:demands"), {"state": "closed"}).content.decode()
    assert closed.number in page and len(re.findall(r'href="/work/demands/\d+/"', page)) == 1
    assert client.get(reverse("web:demands"), {"page": "999", "sort": "bogus"}).status_code == 200


def test_overview_counts_by_state(login, world):
    bring_to(world, "closed")
    page = login("leader").get(reverse("web:overview")).content.decode()
    assert "已结案" in page


def test_overview_lists_the_latest_escalations_the_viewer_may_see(login, world):
    mine = bring_to(world, "escalated", region="g1")
    others = [bring_to(world, "escalated", region="g1b") for _ in range(7)]  # newer, elsewhere
    # The grid worker's one escalation lies behind more of the others than a first page holds.
    events = selectors.latest_events_in_scope(world.user("gridworker"), "escalate", limit=1)
    assert [(e.demand.number, e.action) for e in events] == [(mine.number, "escalate")]
    scoped = selectors.events_in_scope(world.user("leader")).filter(action="escalate").order_by("-created_at", "-id")
    assert [e.pk for e in selectors.latest_events_in_scope(world.user("leader"), "escalate", limit=3)] == [
        e.pk for e in scoped[:3]]
    page = login("gridworker").get(reverse("web:overview")).content.decode()
    assert mine.number in page and not any(d.number in page for d in others)
    page = login("leader").get(reverse("web:overview")).content.decode()
    assert all(d.number in page for d in [mine, *others])


def test_english_is_available(client, world):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("web:submit")).content.decode()
    assert '<html lang="en">' in page


def test_intake_shows_possible_duplicates(login, world):
    earlier = bring_to(world, "dispatched")
    typed = {"title": "建设路井盖丢了", "description": "建设路和光明街路口井盖没了，晚上走路很危险。"}
    page = login("operator").get(reverse("web:intake_duplicates"), {"region": "g1b", **typed}).content.decode()
    assert earlier.number in page and "相邻网格" in page  # same community (玫瑰城), similar text, still open
    other = login("operator").get(reverse("web:intake_duplicates"), {"region": "g2", **typed}).content.decode()
    assert earlier.number not in other  # another community, no neighbouring grid


def test_grid_map_is_local_geojson(client, world):
    world.regions["g1"].boundary = [[[123.0, 41.0], [123.1, 41.0], [123.1, 41.1], [123.0, 41.1], [123.0, 41.0]]]
    world.regions["g1"].save()
    data = client.get(reverse("web:grids_geojson")).json()
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in data["features"]] == ["g1"]


def test_dispatch_form_suggests_the_catalogues_unit(login, world):
    demand = bring_to(world, "pending_dispatch")
    page = login("dispatcher1").get(reverse("web:demand", args=[demand.pk])).content.decode()
    assert f'<option value="{world.units["cg"].pk}" selected>' in page  # construction.roads → 区城管局


def test_intake_on_the_spot_without_a_result_registers_nothing(login, world):
    data = _submit_data(channel="hotline", urgency="general", on_spot="on", on_spot_result="")
    data.pop("consent")
    response = login("operator").post(reverse("web:intake"), data)
    assert response.status_code == 400 and "请填写办理结果" in response.content.decode()
    assert not Demand.objects.exists()  # no half-registered demand to be filed twice


def test_a_merged_demands_resident_follows_the_demand_it_joined(client, world):
    target = bring_to(world, "resolved", reporter=Resident.objects.get(phone="13900001111"))
    duplicate = bring_to(world, "registered")
    services.merge_demand(world.user("dispatcher1"), duplicate.pk, duplicate.version, into=target.pk)
    page = client.post(reverse("web:track"), {"number": duplicate.number, "phone_last4": "1234"}).content.decode()
    assert 'id="merged-progress"' in page and "已办结" in page and "已补装井盖" in page
    assert target.number not in page  # the other resident's demand is not identified


def test_guessing_the_phone_digits_is_stopped(client, world, settings):
    settings.MINSHENG_TRACK_MAX_FAILURES = 3
    demand = bring_to(world, "dispatched")
    for digits in ("0000", "0001", "0002"):
        assert client.post(reverse("web:track"), {"number": demand.number, "phone_last4": digits}).status_code == 404
    locked = client.post(reverse("web:track"), {"number": demand.number, "phone_last4": "1234"})
    assert locked.status_code == 429 and demand.title not in locked.content.decode()
    rate = client.post(reverse("web:rate"), {"number": demand.number, "phone_last4": "1234",
                                             "satisfaction": "dissatisfied", "solved": "unsolved"})
    assert rate.status_code == 429


def test_resident_lookup_is_for_intake_roles_and_names_only_residents_in_scope(login, world):
    assert login("handler_zj").get(reverse("web:resident_lookup"), {"phone": "13900001111"}).status_code == 404
    assert login("leader").get(reverse("web:resident_lookup"), {"phone": "13900001111"}).status_code == 404
    other_community = login("staff2").get(reverse("web:resident_lookup"), {"phone": "13900001111"})
    page = other_community.content.decode()
    assert "李秀英" not in page and "独居老人" not in page and "已有居民档案" in page
    own = login("staff1").get(reverse("web:resident_lookup"), {"phone": "13900001111"}).content.decode()
    assert "李秀英" in own and "独居老人" in own


def test_reveal_needs_a_right_on_this_demand_not_elsewhere(login, world):
    from minsheng.organisation.models import Membership

    Membership.objects.create(user=world.users["leader"], unit=world.units["cc1"], role="grid_worker",
                              region=world.regions["g1"])
    elsewhere = bring_to(world, "registered", region="g2")
    assert login("leader").post(reverse("web:reveal", args=[elsewhere.pk])).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_public_submissions_do_not_jump_the_queue_with_someone_elses_phone(client, world):
    client.post(reverse("web:submit"), _submit_data(phone="13900001111", name="冒名"))
    assert Demand.objects.get().vulnerable is False
