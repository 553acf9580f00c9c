"""Extensions have an upper bound set by configuration (issue #24, item 7)."""

from datetime import timedelta

import pytest

from minsheng.core import clock
from minsheng.core.errors import ValidationFailed
from minsheng.demands import services
from minsheng.demands.models import Demand

from ..demands.helpers import bring_to


def _ask(world, demand, until):
    return services.request_extension(world.user("handler_cg"), demand.pk, demand.version, until=until,
                                      reason="需要协调施工单位")


def test_an_extension_past_the_configured_days_is_refused_and_nothing_is_written(world, settings):
    settings.MINSHENG_EXTENSION_MAX_DAYS = 30
    demand = bring_to(world, "in_progress")
    with pytest.raises(ValidationFailed) as refused:
        _ask(world, demand, demand.handle_due + timedelta(days=31))
    assert "until" in refused.value.field_errors
    assert Demand.objects.get(pk=demand.pk).version == demand.version
    asked = _ask(world, demand, demand.handle_due + timedelta(days=30))
    assert asked.pending_request["kind"] == "extension"


def test_by_default_a_deadline_in_2100_is_refused(world):
    demand = bring_to(world, "in_progress")
    with pytest.raises(ValidationFailed):
        _ask(world, demand, clock.now().replace(year=2099))


def test_the_policy_multiple_bounds_an_extension_by_the_policys_own_limit(world, settings):
    settings.MINSHENG_EXTENSION_POLICY_MULTIPLE = 1
    demand = bring_to(world, "in_progress")
    bound = services.extension_bound(demand)
    assert demand.handle_due < bound < demand.handle_due + timedelta(days=90)
    with pytest.raises(ValidationFailed):
        _ask(world, demand, bound + timedelta(minutes=1))
    assert _ask(world, demand, bound).pending_request["kind"] == "extension"


def test_a_pending_request_past_the_bound_cannot_be_approved(world, settings):
    demand = bring_to(world, "in_progress")
    demand = _ask(world, demand, demand.handle_due + timedelta(days=60))
    settings.MINSHENG_EXTENSION_MAX_DAYS = 10  # the rule tightened while the request waited
    with pytest.raises(ValidationFailed):
        services.approve_extension(world.user("dispatcher1"), demand.pk, demand.version)
    services.deny_extension(world.user("dispatcher1"), demand.pk, demand.version, reason="超过可延期期限")
