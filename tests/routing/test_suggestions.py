"""Category suggestions on the dispatcher's page, automatic dispatch above the threshold, and
dispatchers' corrections."""

from minsheng.demands.workflow import State
from minsheng.organisation.scope import SYSTEM_ROLE
from minsheng.routing.models import Correction, Suggestion

from ..demands.helpers import bring_to, register

GARBAGE = {"title": "小区垃圾堆放多日无人清运",
           "description": "我们小区3号楼旁边的垃圾桶已经满了好几天，垃圾堆在地上没人清运，天热臭味很大，"
                          "还招来很多苍蝇，希望尽快安排清运。",
           "category": None}


def test_no_model_no_suggestions_and_nothing_breaks(world, client):
    demand = bring_to(world, "pending_dispatch", **GARBAGE)
    client.force_login(world.users["dispatcher1"])
    page = client.get(f"/work/demands/{demand.pk}/")
    assert page.status_code == 200 and "智能分类建议" not in page.content.decode()
    assert not Suggestion.objects.exists()


def test_a_registered_demand_gets_suggestions_that_the_dispatcher_sees_with_confidence(world, client, active_model):
    demand = bring_to(world, "pending_dispatch", **GARBAGE)
    suggestion = Suggestion.objects.get(demand=demand)
    assert suggestion.model_version == active_model.version
    assert suggestion.best[0] == "environment" and len(suggestion.top) == 3
    assert [p for _c, p in suggestion.top] == sorted((p for _c, p in suggestion.top), reverse=True)

    client.force_login(world.users["dispatcher1"])
    html = client.get(f"/work/demands/{demand.pk}/").content.decode()
    assert "智能分类建议" in html and "环境保护" in html and f"置信度 {round(suggestion.best[1] * 100)}%" in html
    # The dispatch form offers the first suggestion as the category.
    assert '<option value="environment" selected>' in html


def test_auto_dispatch_is_off_by_default(world, active_model):
    demand = bring_to(world, "pending_dispatch", **GARBAGE)
    assert demand.state == State.PENDING_DISPATCH


def test_above_the_threshold_the_system_dispatches_through_the_catalogue_and_says_why(world, settings, active_model):
    probe = register(world, **GARBAGE)
    score = Suggestion.objects.get(demand=probe).best[1]
    settings.MINSHENG_AUTO_DISPATCH_THRESHOLD = score - 0.001
    demand = bring_to(world, "pending_dispatch", **GARBAGE)
    assert demand.state == State.DISPATCHED
    assert demand.handling_unit == world.units["cc1"]  # the catalogue: environment in 玫瑰城 → its committee
    assert demand.category.code == "environment"
    event = demand.events.get(action="dispatch")
    assert event.actor is None and event.actor_role == SYSTEM_ROLE
    assert event.payload["routing"]["model_version"] == active_model.version
    assert abs(event.payload["routing"]["score"] - score) < 1e-3
    assert f"模型 {active_model.version}" in event.note  # the history says why


def test_below_the_threshold_a_dispatcher_decides(world, settings, active_model):
    probe = register(world, **GARBAGE)
    settings.MINSHENG_AUTO_DISPATCH_THRESHOLD = Suggestion.objects.get(demand=probe).best[1] + 0.001
    demand = bring_to(world, "pending_dispatch", **GARBAGE)
    assert demand.state == State.PENDING_DISPATCH and not demand.events.filter(action="dispatch").exists()


def test_no_automatic_dispatch_when_intake_chose_another_category(world, settings, active_model):
    settings.MINSHENG_AUTO_DISPATCH_THRESHOLD = 0.0
    demand = bring_to(world, "pending_dispatch", **{**GARBAGE, "category": "construction.roads"})
    assert demand.state == State.PENDING_DISPATCH


def test_a_dispatcher_choosing_another_category_is_stored_as_a_correction(world, client, active_model):
    demand = bring_to(world, "pending_dispatch", **GARBAGE)
    client.force_login(world.users["dispatcher1"])
    response = client.post(f"/work/demands/{demand.pk}/dispatch/",
                           {"version": demand.version, "category": "construction.property", "unit": "", "urgency": ""})
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.state == State.DISPATCHED and demand.category.code == "construction.property"
    correction = Correction.objects.get(demand=demand)
    assert (correction.suggested, correction.chosen.code) == ("environment", "construction.property")
    assert correction.actor == world.users["dispatcher1"] and "垃圾" in correction.text


def test_taking_the_suggestion_is_no_correction(world, active_model):
    from minsheng.demands import services

    demand = bring_to(world, "pending_dispatch", **GARBAGE)
    services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version, category="environment.waste")
    assert not Correction.objects.exists()
