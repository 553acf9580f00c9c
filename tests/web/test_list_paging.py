"""The demand list counts only up to a cap, so that its first page stays fast on a large database."""

import re

from django.urls import reverse

from minsheng.web.views import staff

from ..demands.helpers import bring_to


def _numbers(page: str) -> list[str]:
    return re.findall(r'href="/work/demands/\d+/">(\d+)<', page)


def test_below_the_cap_the_list_shows_the_exact_count(login, world):
    for _ in range(3):
        bring_to(world, "registered")
    page = login("operator").get(reverse("web:demands")).content.decode()
    assert "共 3 件" in page and "超过" not in page


def test_beyond_the_cap_it_says_more_and_pages_through_the_counted_rows(login, world, monkeypatch):
    monkeypatch.setattr(staff, "PAGE_SIZE", 2)
    monkeypatch.setattr(staff, "LIST_COUNT_CAP", 4)
    made = [bring_to(world, "registered") for _ in range(5)]
    client = login("operator")
    first = client.get(reverse("web:demands")).content.decode()
    assert "超过 4 件" in first and "第 1 / 2 页" in first
    second = client.get(reverse("web:demands"), {"page": "2"}).content.decode()
    newest_first = [d.number for d in sorted(made, key=lambda d: (d.registered_at, d.pk), reverse=True)]
    assert _numbers(first) + _numbers(second) == newest_first[:4]
    filtered = client.get(reverse("web:demands"), {"state": "closed"}).content.decode()
    assert "共 0 件" in filtered


def test_the_deadline_sort_puts_the_nearest_deadline_first_and_undispatched_demands_last(login, world):
    waiting = bring_to(world, "registered")
    sooner = bring_to(world, "dispatched")
    later = bring_to(world, "dispatched")
    assert sooner.handle_due <= later.handle_due
    page = login("admin").get(reverse("web:demands"), {"sort": "deadline"}).content.decode()
    assert _numbers(page) == [sooner.number, later.number, waiting.number]
    oldest = login("admin").get(reverse("web:demands"), {"sort": "oldest"}).content.decode()
    assert _numbers(oldest) == [waiting.number, sooner.number, later.number]


def test_a_number_typed_in_the_search_finds_that_demand_and_words_search_the_titles(login, world):
    one, other = bring_to(world, "registered"), bring_to(world, "registered", title="幸福里电梯坏了")
    client = login("admin")
    assert _numbers(client.get(reverse("web:demands"), {"q": one.number}).content.decode()) == [one.number]
    assert _numbers(client.get(reverse("web:demands"), {"q": "电梯"}).content.decode()) == [other.number]
