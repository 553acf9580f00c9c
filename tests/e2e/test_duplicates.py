"""The intake's duplicates panel in a real browser (1440×900): a differently worded report of a leak
already open in the grid shows while the operator types, found by its word 漏水 through the
full-text index."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from minsheng.core import clock

from ..demands.helpers import register

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect
pytestmark = pytest.mark.django_db(transaction=True)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_the_operator_sees_an_open_leak_report_worded_differently_while_typing(site):
    world = site.world
    with time_machine.travel(clock.now() - timedelta(days=2), tick=False):
        leak = register(world, category="construction.property", title="卫生间天花板漏水",
                        description="卫生间天花板漏水，墙面发霉，楼上一直不管。")
    page = site.signed_in("operator")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/work/intake/")
    page.select_option("#id_region", "g1")
    page.fill("#id_title", "楼上漏水")
    page.locator("#id_description").press_sequentially("楼上漏水了，一晚上没停", delay=5)
    panel = page.locator("#duplicates")
    expect(panel.get_by_role("link", name=leak.number)).to_be_visible()
    expect(panel.get_by_text(re.compile("关键词吻合 \\d+%（[^）]*漏水"))).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "intake-duplicates-fts-1440.png"), full_page=True)
