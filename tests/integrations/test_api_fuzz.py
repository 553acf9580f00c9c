"""schemathesis generates requests from the API's own OpenAPI document (a bounded number per
operation, deterministic) and checks every answer: never a 5xx, only documented statuses
and content types, and bodies that match the documented schemas."""

from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from minsheng.integrations.models import ApiKey
from minsheng.wsgi import application

from ..demands.helpers import bring_to

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 40
SEEN: Counter = Counter()
REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "schemathesis.txt"


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    if SEEN:
        REPORT.parent.mkdir(exist_ok=True)
        lines = [f"{operation} {status}: {n}" for (operation, status), n in sorted(SEEN.items())]
        REPORT.write_text(f"requests={sum(SEEN.values())}\n" + "\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def _keep_the_test_connection():
    """schemathesis calls the WSGI application directly, which closes the database connection
    after each request (Django's test client disconnects that, and so does this)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_key(_keep_the_test_connection, world, keys):
    ApiKey.objects.update(rate_per_minute=100_000)  # the limit is tested elsewhere; here it would hide answers
    return keys["operator_all"]


def _aim_at_real_records(case, number: str) -> None:
    """Every other example points at a real demand, region and catalogue entries, so that the
    success paths are fuzzed too and not only the refusals."""
    if SEEN.total() % 2:
        return
    if "number" in (case.path_parameters or {}):
        case.path_parameters["number"] = number
    if case.path.endswith("/actions/{action}") and isinstance(case.body, dict):
        case.body["version"] = 1  # the real demand's version
        case.headers.pop("If-Match", None)
    if case.method == "POST" and case.path == "/api/demands" and isinstance(case.body, dict):
        case.body.update({"region": "g1", "category": "construction.roads", "demand_type": "complaint",
                          "channel": "hotline", "urgency": "general"})


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_as_documented(case, world, fuzz_key):
    case.headers = {**(case.headers or {}), "X-API-Key": fuzz_key}
    _aim_at_real_records(case, bring_to(world, "registered").number)
    response = case.call_and_validate(checks=CHECKS)
    SEEN[(f"{case.method} {case.path}", response.status_code)] += 1
