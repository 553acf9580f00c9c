"""The register's health data is revealed only to staff whose work needs it, in the elder's
community, and each reveal is written to the personal-data access log."""

import pytest

from minsheng.core.errors import PermissionDenied
from minsheng.homecare.privacy import may_see_health, reveal_health
from minsheng.people.models import PersonalDataAccess

pytestmark = pytest.mark.django_db


def test_staff_over_the_community_reveal_and_are_logged(care):
    elder = care.elder()
    data = reveal_health(care.user("staff1"), elder, purpose="复核")
    assert (data.condition, data.self_care, data.health, data.family) == ("独居", "部分自理", "高血压", "子女在外地")
    access = PersonalDataAccess.objects.get()
    assert (access.viewer, access.resident, access.purpose) == (care.user("staff1"), elder.resident, "复核")
    assert access.fields == "condition,self_care,health,family"


@pytest.mark.parametrize("viewer", ["staff2", "auditor", "worker1", "leader", "operator", "resident", "nobody"])
def test_others_are_refused_and_nothing_is_logged(care, viewer):
    elder = care.elder()
    assert not may_see_health(care.user(viewer), elder)
    with pytest.raises(PermissionDenied):
        reveal_health(care.user(viewer), elder, purpose="查看")
    assert not PersonalDataAccess.objects.exists()
