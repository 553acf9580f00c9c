"""The queue says what to do next: per role, most urgent first, without what no longer needs the user."""

import random
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minsheng.core import clock
from minsheng.demands import selectors, services
from minsheng.demands.models import Demand
from minsheng.meals import services as meals
from minsheng.meals.models import Diner
from minsheng.people.models import Resident
from minsheng.web.models import SavedView

from ..demands.helpers import bring_to, register
from ..meals.conftest import add_policy, make_canteen
from ..mediation.conftest import agree, open_case, with_session
from ..wishes.helpers import party, register_wish, wish_at
from .test_pages import _submit_data


def test_a_new_resident_report_appears_in_the_dispatchers_queue(client, login, world):
    client.post(reverse("web:submit"), _submit_data(), follow=True)
    demand = Demand.objects.get(channel="web")
    page = login("dispatcher1").get(reverse("web:queue")).content.decode()
    assert demand.number in page and "核实" in page
    # …but not in the other street's dispatcher's
    assert demand.number not in login("dispatcher2").get(reverse("web:queue")).content.decode()


def test_an_api_report_reaches_the_dispatcher_but_a_hotline_intake_stays_with_its_operator(world):
    api = register(world, channel="api")
    hotline = register(world)  # registered by the operator, who verifies it
    queue = set(selectors.queue_for(world.user("dispatcher1")).values_list("pk", flat=True))
    assert api.pk in queue and hotline.pk not in queue
    assert hotline.pk in set(selectors.queue_for(world.user("operator")).values_list("pk", flat=True))


def test_resolved_items_older_than_the_revisit_window_leave_the_queue(login, world, settings):
    settings.MINSHENG_AUTO_CLOSE_DAYS = 7
    settings.MINSHENG_REVISIT_LINK_DAYS = 7
    with clock.frozen_at(clock.now() - timedelta(days=30)):
        old = bring_to(world, "resolved")
    recent = bring_to(world, "resolved")
    page = login("operator").get(reverse("web:queue")).content.decode()
    assert recent.number in page and old.number not in page
    revisits = login("operator").get(reverse("web:revisits")).content.decode()
    assert recent.number in revisits and old.number not in revisits


def test_closed_items_and_others_intake_leave_the_queue(world):
    closed = bring_to(world, "closed")
    by_staff = register(world, actor="staff1")
    queue = set(selectors.queue_for(world.user("operator")).values_list("pk", flat=True))
    assert closed.pk not in queue and by_staff.pk not in queue
    assert by_staff.pk in set(selectors.queue_for(world.user("staff1")).values_list("pk", flat=True))


def test_work_assigned_to_another_person_leaves_the_handlers_queue(world):
    demand = bring_to(world, "in_progress")
    Demand.objects.filter(pk=demand.pk).update(assignee=world.user("admin"))
    assert demand.pk not in set(selectors.queue_for(world.user("handler_cg")).values_list("pk", flat=True))
    assert list(selectors.held_by_colleagues(world.user("handler_cg"))) == [demand]
    # …until it runs overdue: then it is back for everyone of the unit.
    Demand.objects.filter(pk=demand.pk).update(handle_due=clock.now() - timedelta(hours=1))
    assert demand.pk in set(selectors.queue_for(world.user("handler_cg")).values_list("pk", flat=True))


def test_overdue_first_then_due_soon_vulnerable_first_within_each(world):
    now = clock.now()
    later = bring_to(world, "in_progress")
    soon = bring_to(world, "in_progress")
    soon_vulnerable = bring_to(world, "in_progress", reporter=services.ReporterInput(name="李秀英",
                                                                                     phone="13900001111"))
    overdue = bring_to(world, "in_progress")
    assert Demand.objects.get(pk=soon_vulnerable.pk).vulnerable
    Demand.objects.filter(pk=later.pk).update(handle_due=now + timedelta(days=5))
    Demand.objects.filter(pk__in=[soon.pk, soon_vulnerable.pk]).update(handle_due=now + timedelta(hours=20))
    Demand.objects.filter(pk=soon.pk).update(handle_due=now + timedelta(hours=10))
    Demand.objects.filter(pk=overdue.pk).update(handle_due=now - timedelta(hours=1))
    order = list(selectors.queue_for(world.user("handler_cg")).values_list("pk", flat=True))
    assert order == [overdue.pk, soon_vulnerable.pk, soon.pk, later.pk]


def test_each_row_names_the_next_step(login, world):
    bring_to(world, "dispatched")
    page = login("handler_cg").get(reverse("web:queue")).content.decode()
    assert 'class="next-step"' in page and "签收" in page


def test_a_saved_view_is_pinned_to_the_queue_page_and_removed(login, world):
    client = login("dispatcher1")
    response = client.post(reverse("web:saved_view_create"),
                           {"name": "超期待办", "query": "state=in_progress&overdue=1&page=3&evil=x"})
    assert response.status_code == 302
    view = SavedView.objects.get(user=world.user("dispatcher1"))
    assert view.query == "state=in_progress&overdue=1"
    page = client.get(reverse("web:queue")).content.decode()
    assert "超期待办" in page and "state=in_progress&amp;overdue=1" in page
    # Another user cannot remove it.
    assert login("dispatcher2").post(reverse("web:saved_view_delete", args=[view.pk])).status_code == 404
    assert login("dispatcher1").post(reverse("web:saved_view_delete", args=[view.pk])).status_code == 302
    assert not SavedView.objects.exists()


def test_the_list_offers_to_save_its_filter(login, world):
    page = login("dispatcher1").get(reverse("web:demands") + "?state=dispatched").content.decode()
    assert "保存为视图" in page and 'value="state=dispatched"' in page


def _queue_queries(client) -> int:
    client.get(reverse("web:queue"))  # the process's copies (core.versioned) and the session, loaded once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("web:queue")).status_code == 200
    return len(queries)


def test_the_queue_asks_as_many_queries_for_many_rows_as_for_few(login, world):
    # Each row's actions depend on its supervision orders and summoned units: read for the whole
    # page at once, not per row (three queries a row before: 25 rows cost 75 more).
    for stop in ("supervised", "summoned", "dispatched"):
        bring_to(world, stop)
    client = login("handler_cg")
    few = _queue_queries(client)
    for stop in ("supervised", "summoned", "in_progress", "supervised", "dispatched"):
        bring_to(world, stop)
    assert selectors.queue_for(world.user("handler_cg")).count() == 8
    assert _queue_queries(client) == few


def test_the_actions_read_for_a_whole_page_are_those_read_one_demand_at_a_time(world):
    demands = [bring_to(world, stop) for stop in ("supervised", "summoned", "summoned_revisited", "in_progress")]
    services.SERVICE_FOR_ACTION["reply_supervision"](world.user("handler_cg"), demands[0].pk, demands[0].version,
                                                     reply="已安排施工")
    demands.append(bring_to(world, "supervised"))
    for name in ("handler_cg", "handler_zj", "dispatcher1", "leader", "admin"):
        user = world.user(name)
        one_by_one = [[spec.action for spec in selectors.available_actions(user, Demand.objects.get(pk=d.pk))]
                      for d in demands]
        page = list(Demand.objects.filter(pk__in=[d.pk for d in demands]).order_by("pk"))
        selectors.prepare_for_actions(page)
        assert [[spec.action for spec in selectors.available_actions(user, d)] for d in page] == one_by_one, name
    # The facts differ between the rows, so the comparison above means something.
    zj = world.user("handler_zj")
    assert ["report_in" in [s.action for s in selectors.available_actions(zj, d)] for d in page] == [
        False, True, False, False, False]
    cg = world.user("handler_cg")
    assert ["reply_supervision" in [s.action for s in selectors.available_actions(cg, d)] for d in page] == [
        False, False, False, False, True]


def test_a_long_queue_is_counted_up_to_the_cap(login, world, monkeypatch):
    """The heading counts the queue as the list counts its matches: exactly up to the cap, then
    "cap+" (a hotline's revisits run to thousands a week; counting them all cost each visit)."""
    from minsheng.web.views import staff

    for _ in range(3):
        register(world, channel="api")
    client = login("dispatcher1")
    assert "(3)" in client.get(reverse("web:queue")).content.decode()
    monkeypatch.setattr(staff, "LIST_COUNT_CAP", 2)
    page = client.get(reverse("web:queue")).content.decode()
    assert "(2+)" in page and "(3)" not in page


def test_the_queue_pages_sort_the_keys_alone_and_keep_the_queues_order(login, world, monkeypatch):
    """A page of the queue reads its keys in the queue's order, then those rows: over keys alone the
    database bounds the sort to the page (PostgreSQL sorted each match of the hotline's queue with
    every joined column, on disk: 2.3 s at 1M).  Page after page, the rows are the queue's own."""
    import re

    from minsheng.web.views import staff

    monkeypatch.setattr(staff, "PAGE_SIZE", random.randint(2, 3))
    made = [bring_to(world, "dispatched") for _ in range(random.randint(3, 4))]
    made += [register(world, channel="api") for _ in range(random.randint(1, 2))]
    for demand in made:
        Demand.objects.filter(pk=demand.pk).update(vulnerable=random.random() < 0.5)
    admin = world.user("admin")
    expected = list(selectors.queue_for(admin).values_list("number", flat=True))
    assert sorted(expected) == sorted(d.number for d in made)
    client, shown = login("admin"), []
    for number in range(1, -(-len(made) // staff.PAGE_SIZE) + 1):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("web:queue"), {"page": number}).content.decode()
        shown += re.findall(r'href="/work/demands/\d+/">(\d+)<', page)
        ordered = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]
                   and 'FROM "demands_demand"' in q["sql"]]
        assert ordered and all(re.match(r'SELECT "demands_demand"\."id"( AS "pk")? FROM', sql) for sql in ordered), \
            ordered
    assert shown == expected


def _queue_in_its_old_order(user, now) -> list[int]:
    """The oracle: the queue's matches sorted all at once, in the order ``queue_for`` had before its
    pages were read run by run (kept here as it was, not taken from the selector)."""
    from django.db.models import Case, F, Q, Value, When

    running = Q(state__in=["dispatched", "in_progress"])
    old_due = Case(When(running & Q(handle_due__lt=now), then=Value(0)),
                   When(running & Q(handle_due__lt=now + selectors.DUE_SOON), then=Value(1)), default=Value(2))
    old_urgency = Case(*[When(urgency__code=code, then=Value(i))
                         for i, code in enumerate(["danger", "utilities", "general", "complex"])], default=Value(4))
    return list(selectors.queue_for(user, now).order_by().annotate(old_due=old_due, old_urgency=old_urgency)
                .order_by("old_due", "-vulnerable", "old_urgency", F("handle_due").asc(nulls_last=True),
                          "registered_at", "pk").values_list("pk", flat=True))


def _random_open_work(world, rng: random.Random, now) -> None:
    """A dozen demands of the administrator's and the hotline operator's queues with drawn states,
    deadlines (overdue, due soon, later, none), vulnerability, urgency, registration and resolution
    times; ties on purpose."""
    from minsheng.catalogue.models import TimeLimitPolicy

    policies = list(TimeLimitPolicy.objects.all())
    dues = [now - timedelta(hours=5), now - timedelta(minutes=1), now + timedelta(hours=3), now + timedelta(hours=23),
            now + timedelta(days=3), None]
    states = ["dispatched", "in_progress", "in_progress", "suspended", "pending_dispatch", "escalated", "returned",
              "registered", "resolved", "revisited"]
    for _ in range(rng.randint(12, 16)):
        demand = register(world, channel=rng.choice(["api", "hotline"]))
        state = rng.choice(states)
        Demand.objects.filter(pk=demand.pk).update(
            state=state, handle_due=rng.choice(dues), vulnerable=rng.random() < 0.4,
            urgency=rng.choice(policies), registered_at=now - timedelta(hours=rng.choice([1, 2, 2, 30])),
            resolved_at=now - timedelta(hours=rng.choice([1, 5, 5])) if state in ("resolved", "revisited") else None)


def test_a_long_queue_read_run_by_run_has_the_rows_and_the_order_of_the_whole_sort(world):
    """Past the cap the queue's pages are read run by run (overdue vulnerable, overdue, due soon …,
    the rest); page after page they hold the rows of the old single sort, in its order."""
    from minsheng.web.pagination import CappedPaginator

    rng = random.Random()
    now = clock.now()
    # Drawn until both queues hold a few rows (a draw may leave the hotline's queue almost empty).
    while min(len(_queue_in_its_old_order(world.user(name), now)) for name in ("admin", "operator")) < 3:
        _random_open_work(world, rng, now)
    for name in ("admin", "operator"):
        user = world.user(name)
        expected = _queue_in_its_old_order(user, now)
        assert len(expected) >= 3, name
        queued = selectors.queue_for(user, now)
        # The runs hold every row of the queue once, each run a stretch of the order.
        assert [pk for run in selectors.queue_runs(user, now) for pk in run.values_list("pk", flat=True)] == expected, \
            name
        per_page = rng.randint(1, 3)
        paginator = CappedPaginator(queued, per_page, len(expected) - 1, keys_first=True,
                                    runs=lambda user=user: selectors.queue_runs(user, now))
        assert paginator.capped
        shown = [d.pk for number in paginator.page_range for d in paginator.page(number).object_list]
        assert shown == expected[:len(expected) - 1], name


def test_the_first_page_of_a_long_queue_sorts_only_its_first_run(login, world, monkeypatch):
    """When the overdue work of vulnerable residents fills the first page, that page's keys come
    from that run alone: the other matches (23,900 open demands for an administrator at 1M) are
    not sorted."""
    import re

    from minsheng.web.views import staff

    now = clock.now()
    overdue = [bring_to(world, "in_progress") for _ in range(3)]
    Demand.objects.filter(pk__in=[d.pk for d in overdue]).update(handle_due=now - timedelta(hours=2), vulnerable=True)
    for _ in range(2):
        register(world, channel="api")
    monkeypatch.setattr(staff, "PAGE_SIZE", 2)
    monkeypatch.setattr(staff, "LIST_COUNT_CAP", 3)
    with CaptureQueriesContext(connection) as queries:
        page = login("admin").get(reverse("web:queue")).content.decode()
    ordered = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]
               and 'FROM "demands_demand"' in q["sql"]]
    assert len(ordered) == 1 and '"vulnerable"' in ordered[0].split("ORDER BY")[0], ordered
    assert re.findall(r'href="/work/demands/\d+/">(\d+)<', page) == [
        Demand.objects.get(pk=pk).number for pk in _queue_in_its_old_order(world.user("admin"), now)[:2]]
    assert "(3+)" in page


def test_work_held_by_colleagues_is_counted_up_to_the_cap(login, world, monkeypatch):
    from minsheng.web.views import staff

    held = [bring_to(world, "in_progress") for _ in range(2)]
    Demand.objects.filter(pk__in=[d.pk for d in held]).update(assignee=world.user("admin"),
                                                             handle_due=clock.now() + timedelta(days=3))
    client = login("handler_cg")
    assert "本单位另有 2 件由同事签收" in client.get(reverse("web:queue")).content.decode()
    monkeypatch.setattr(staff, "LIST_COUNT_CAP", 1)
    page = client.get(reverse("web:queue")).content.decode()
    assert "本单位另有超过 1 件由同事签收" in page and "另有 2 件" not in page


def test_a_queue_within_the_cap_is_sorted_in_one_query_without_building_its_runs(login, world, monkeypatch):
    """Building a run's queryset costs milliseconds of Python (six of them cost the street
    dispatcher's page 15 ms at 1M): a queue the count saw whole never builds them."""
    def no_runs(user, now):
        raise AssertionError("a queue within the cap built its runs")

    register(world, channel="api")
    monkeypatch.setattr(selectors, "queue_runs", no_runs)
    page = login("dispatcher1").get(reverse("web:queue")).content.decode()
    assert "(1)" in page


def test_the_saved_views_label_reads_in_english_without_a_chinese_colon(login, world):
    client = login("dispatcher1")
    assert "<strong>我的视图：</strong>" in client.get(reverse("web:queue")).content.decode()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("web:queue")).content.decode()
    assert "<strong>My views:</strong>" in page and 'aria-label="My views"' in page


def _queue_of(world, name) -> dict[int, str]:
    user = world.user(name)
    return {d.pk: selectors.next_step(user, d) for d in selectors.queue_for(user)}


STAFF = ("operator", "dispatcher1", "staff1", "gridworker", "agent", "handler_cg", "admin")


def test_a_wish_on_the_wall_and_a_meal_delivery_wait_for_volunteers_in_no_staff_queue(world):
    """Before: the dispatcher's queue was mostly wishes on the wall and meal deliveries, each row
    saying only 查看 — nothing a dispatcher could do."""
    on_the_wall = wish_at(world, "published")
    registered_wish = register_wish(world, actor="resident", channel="wechat", consent=True)
    canteen = make_canteen(world, "meiguicheng", "c1")
    add_policy(canteen, "standard", date(2026, 1, 1), "1.00", "1.00", "5.00")
    diner = Diner.objects.create(resident=Resident.objects.get(phone="13900001111"), canteen=canteen,
                                 card_number="ZC0002", tier="standard", delivery=True, since=date(2026, 1, 1))
    delivery = meals.book_meal(world.user("staff1"), diner.pk, day=date.today(), sitting="lunch", channel="group",
                               deliver=True).delivery.demand
    assert delivery.state == "registered" and delivery.channel == "wechat"
    for name in STAFF:
        queue = _queue_of(world, name)
        assert on_the_wall.pk not in queue and delivery.pk not in queue, name
    # A registered wish waits for its routing by the community or the street, named as that step;
    # a grid worker or an agent does not route wishes.
    assert _queue_of(world, "staff1")[registered_wish.pk] == "发布到心愿墙"
    assert _queue_of(world, "dispatcher1")[registered_wish.pk] == "发布到心愿墙"
    assert registered_wish.pk not in _queue_of(world, "gridworker")
    assert registered_wish.pk not in _queue_of(world, "agent")


def test_a_mediation_case_names_its_session_then_its_follow_up(world):
    case = open_case(world)
    assert _queue_of(world, "staff1")[case.demand_id] == "记录调解"
    case = with_session(world, case)
    assert _queue_of(world, "staff1")[case.demand_id] == "记录调解"
    agree(world, case)
    assert _queue_of(world, "staff1")[case.demand_id] == "协议履行回访"


def test_every_row_of_every_staff_queue_names_a_step_its_viewer_may_take(world):
    """Random work of every kind: whatever a staff queue lists waits for its viewer (the row's 下一步
    is a step of the case's kind open to them, never a bare 查看)."""
    rng = random.Random()
    party(world)  # the world's volunteer, a party member, claims and fulfils
    stops = ["registered", "pending_dispatch", "dispatched", "in_progress", "returned", "escalated",
             "extension_requested", "suspension_requested", "suspended", "resolved", "revisited"]
    for _ in range(12):
        bring_to(world, rng.choice(stops), channel=rng.choice(["hotline", "web", "wechat", "station"]), consent=True)
    for _ in range(4):
        wish_at(world, rng.choice(["published", "claimed", "fulfilled"]))
        register_wish(world, actor="resident", channel="wechat", consent=True)
    for _ in range(3):
        case = open_case(world)
        if rng.random() < 0.5:
            agree(world, case)
    for name in STAFF:
        user = world.user(name)
        for demand in selectors.queue_for(user):
            step = selectors.next_step(user, demand)
            assert step, (name, demand.kind, demand.state)
