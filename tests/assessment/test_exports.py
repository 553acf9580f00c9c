"""The staff demand list to Excel: every row, in the list's order, only what the user may see."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from minsheng.catalogue.models import DemandType, TimeLimitPolicy
from minsheng.core import clock
from minsheng.demands.models import Demand
from minsheng.search import index as search_index

pytestmark = pytest.mark.django_db

ROWS = 3000


def _many_demands(world, n: int) -> None:
    """Rows for the export only (the export reads the list; the workflow is not under test here)."""
    kind, urgency, now = DemandType.objects.get(code="complaint"), TimeLimitPolicy.objects.get(code="general"), \
        clock.now()
    Demand.objects.bulk_create([
        Demand(number=f"X{i:08d}", channel="hotline", demand_type=kind, urgency=urgency, state="registered",
               title=f"=HYPERLINK(\"x\") 第{i}件" if i == 7 else f"诉求第{i}件",
               description="内容", region=world.regions["g1" if i % 3 else "g2"],
               registered_at=now - timedelta(minutes=i), updated_at=now)
        for i in range(n)], batch_size=500)
    search_index.rebuild()  # rows written past the services: the search index learns of them here


def _sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)


def test_the_staff_list_exports_every_row_in_order(client, world):
    _many_demands(world, ROWS)
    client.force_login(world.users["admin"])
    rows = _sheet(client.get(reverse("web:demands_export")))
    assert rows[0][:3] == ("工单编号", "标题", "状态")
    assert len(rows) == ROWS + 1
    assert [r[0] for r in rows[1:4]] == ["X00000000", "X00000001", "X00000002"]  # newest first, as listed
    assert rows[1][2] == "已登记"
    assert rows[8][1] == '\'=HYPERLINK("x") 第7件'  # text stays text, neutralised (core.exports)


def test_the_export_follows_the_filters_and_the_scope(client, world):
    _many_demands(world, 30)
    client.force_login(world.users["dispatcher1"])  # 光明街道: g1 only
    rows = _sheet(client.get(reverse("web:demands_export"), {"sort": "oldest"}))
    assert len(rows) - 1 == len([i for i in range(30) if i % 3])
    assert rows[1][0] == "X00000029"
    assert {r[5] for r in rows[1:]} == {"玫瑰城第一网格"}
    filtered = _sheet(client.get(reverse("web:demands_export"), {"q": "诉求第4件"}))
    assert [r[0] for r in filtered[1:]] == ["X00000004"]
