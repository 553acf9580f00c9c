"""The dispatcher applies a leaf suggestion with one click (issue #33 item 1), at 1440×900."""

from pathlib import Path

import pytest

from minsheng.demands.models import Demand
from minsheng.demands.workflow import State
from minsheng.routing import registry
from minsheng.routing.classifier import Router, file_sha256

from ..demands.helpers import bring_to
from ..routing.test_leaf_suggestions import GARBAGE, two_level_file  # noqa: F401  (module fixture)

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dispatcher_applies_a_leaf_suggestion_with_one_click(site, two_level_file, screenshot_dir: Path):  # noqa: F811
    registry.register(Router.load(two_level_file), two_level_file, file_sha256(two_level_file), activate=True)
    demand = bring_to(site.world, "pending_dispatch", **GARBAGE)
    page = site.login("dispatcher1")
    page.goto(f"/work/demands/{demand.pk}/")
    card = page.locator("#suggestions")
    card.scroll_into_view_if_needed()
    first = card.locator("li").first
    assert "置信度" in first.inner_text() and "派单目录：" in first.inner_text()
    page.screenshot(path=str(screenshot_dir / "dispatch-suggestion-1440.png"), full_page=True)
    first.locator("button").click()
    page.wait_for_load_state()
    demand = Demand.objects.get(pk=demand.pk)
    assert demand.state == State.DISPATCHED and demand.category.code.startswith("environment.")
    page.screenshot(path=str(screenshot_dir / "dispatch-suggestion-applied-1440.png"), full_page=True)
