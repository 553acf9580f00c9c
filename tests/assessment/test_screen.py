"""The service centre's large screen: the dashboard's own figures (every rate 0–100 %), the open
demands on the map without title or person, the overdue list, and its live part for htmx."""

import json
import random
import re
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from minsheng.assessment import selectors
from minsheng.core import clock

from ..demands.helpers import bring_to


def _live_json(page: str) -> dict:
    found = re.search(r'<script id="screen-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_the_screen_shows_the_dashboards_figures_and_pins_without_titles(login, world):
    stops = random.choices(["registered", "dispatched", "in_progress", "resolved", "revisited"], k=random.randint(3, 7))
    for i, stop in enumerate(stops):
        bring_to(world, stop, latitude=Decimal("39.90") + Decimal(i) / 1000, longitude=Decimal("116.40"),
                 title=f"王大妈家门口{i}号井盖")
    page = login("leader").get(reverse("web:screen")).content.decode()
    today = timezone.localdate(clock.now())
    start, end = selectors.month_bounds(today)
    day = selectors.figures(world.user("leader"), today, today)
    month = selectors.figures(world.user("leader"), start, end)
    assert f"<span>受理量</span><strong>{day.registered}</strong>" in page
    for name in selectors.RATES:
        value = month.rate(name)
        shown = "—" if value is None else f"{value}%"
        assert f"<span>{selectors.RATE_LABELS[name]}</span><strong>{shown}</strong>" in page
        assert value is None or 0 <= value <= 100
    data = _live_json(page)
    open_count = sum(stop not in ("resolved", "revisited") for stop in stops)
    assert len(data["points"]) == open_count and f'id="screen-open">{open_count}<' in page
    assert "井盖" not in json.dumps(data, ensure_ascii=False) and "王大妈" not in page
    assert len(data["trend"]["labels"]) == 30 and data["trend"]["registered"][-1] == day.registered


def test_overdue_demands_are_listed_and_flagged_on_the_map(login, world):
    late = bring_to(world, "in_progress", latitude=Decimal("39.9"), longitude=Decimal("116.4"))
    with clock.frozen_at(late.handle_due + timedelta(hours=5)):
        page = login("leader").get(reverse("web:screen")).content.decode()
    assert late.number in page and 'id="screen-overdue-count">1<' in page
    assert _live_json(page)["points"][0]["overdue"] is True


def test_the_live_part_comes_alone_for_htmx(login, world):
    response = login("leader").get(reverse("web:screen"), {"part": "live"})
    text = response.content.decode()
    assert response.status_code == 200 and text.startswith('<div id="screen-live"') and "<html" not in text
    assert 'hx-trigger="every 60s"' in text


def test_only_those_who_see_the_figures_open_the_screen(login, world):
    assert login("handler_cg").get(reverse("web:screen")).status_code == 404
    assert reverse("web:screen") in login("leader").get(reverse("web:dashboard")).content.decode()


def test_each_pin_is_labelled_by_its_category_place_and_state_in_the_readers_language(login, world, client):
    from minsheng.demands.models import Demand

    bring_to(world, "dispatched", latitude=Decimal("39.9"), longitude=Decimal("116.4"))
    demand = Demand.objects.get()
    expected = {"zh-hans": f"{demand.category} · {demand.region.name} · {demand.get_state_display()}"}
    signed_in = login("leader")
    points = _live_json(signed_in.get(reverse("web:screen")).content.decode())["points"]
    assert [p["label"] for p in points] == [expected["zh-hans"]] and "已派单" in expected["zh-hans"]
    signed_in.cookies["django_language"] = "en"
    english = _live_json(signed_in.get(reverse("web:screen")).content.decode())["points"][0]["label"]
    assert english.endswith(" · Dispatched") and "已派单" not in english, english
