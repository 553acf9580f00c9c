"""Dates out of any sensible range are a clear 400 refusal, never a server error; server errors
are logged with a request id (issue #24, item 5)."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from minsheng.core.errors import ValidationFailed
from minsheng.demands import services as demand_services
from minsheng.supervision import services as supervision_services

from ..demands.helpers import bring_to
from ..stations.conftest import stations  # noqa: F401

FAR = datetime(9999, 12, 31, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize("url", [
    "/work/dashboard/?month=0001-01",
    "/work/dashboard/?month=9999-12",
    "/work/assessment/?month=9999-12",
    "/work/assessment/report/?month=9999-12",
    "/work/practical/?year=0",
    "/work/wishes/quotas/?year=0",
    "/work/wishes/quotas/?year=99999",
    "/work/stations/ranking/?year=0",
    "/work/stations/ranking/?year=10000",
])
def test_out_of_range_dates_on_pages_are_400(world, stations, url):  # noqa: F811
    client = Client(raise_request_exception=False)
    client.force_login(world.users["admin"])
    answer = client.get(url)
    assert answer.status_code == 400, (url, answer.status_code)


def test_a_record_book_of_year_zero_is_400(world, stations):  # noqa: F811
    client = Client(raise_request_exception=False)
    client.force_login(world.users["admin"])
    answer = client.get(f"/work/stations/agents/{stations['agent'].pk}/0/")
    assert answer.status_code == 400


@pytest.mark.parametrize("url", [
    "/api/demands?registered_before=0001-01-01",
    "/api/demands?registered_after=9999-12-31T23:59:59",
])
def test_out_of_range_dates_on_the_api_are_400(world, keys, url):
    client = Client(raise_request_exception=False)
    answer = client.get(url, HTTP_X_API_KEY=keys["hotline"])
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("param", ["start_date=9999-12-31T00:00:00Z", "end_date=0001-01-01",
                                   "start_date=0001-01-01T00:00:00Z"])
def test_out_of_range_dates_on_open311_are_400(world, param):
    client = Client(raise_request_exception=False)
    answer = client.get(f"/open311/v2/requests.json?{param}")
    assert answer.status_code == 400


def test_an_extension_until_the_year_9999_is_refused(world):
    demand = bring_to(world, "in_progress")
    with pytest.raises(ValidationFailed) as refused:
        demand_services.request_extension(world.user("handler_cg"), demand.pk, demand.version, until=FAR,
                                          reason="需要协调")
    assert "until" in refused.value.field_errors


def test_a_supervision_reply_by_the_year_9999_is_refused(world):
    demand = bring_to(world, "in_progress")
    with pytest.raises(ValidationFailed) as refused:
        supervision_services.order_supervision(world.user("leader"), demand.pk, demand.version,
                                               instruction="请说明进展", reply_by=FAR)
    assert "reply_by" in refused.value.field_errors


def test_a_server_error_is_logged_with_a_request_id_and_no_query(world, settings, caplog):
    settings.ROOT_URLCONF = "tests.security.urls_boom"
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        answer = client.get("/boom/?phone=13812341234")
    assert answer.status_code == 500
    request_id = answer["X-Request-ID"]
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.request_id == request_id for r in records)
    logged = "\n".join(logging.Formatter("%(message)s").format(r) for r in records)
    assert "13812341234" not in logged and "/boom/" in logged
    handlers = settings.LOGGING["loggers"]["django.request"]["handlers"]
    assert handlers  # written somewhere in production too, not only under DEBUG
