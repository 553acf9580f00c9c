"""Activities record their beneficiaries (residents of the activity's area) and the people served
(服务人次); both are shown on the activity's page and summed in the activities' figures."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from minsheng.core.errors import InvalidTransition, OutOfScope, ValidationFailed
from minsheng.people.models import Resident
from minsheng.volunteers import selectors, services

pytestmark = pytest.mark.django_db


def _activity(world, starts=timedelta(days=-1)):
    start = timezone.now() + starts
    return services.create_activity(world.user("dispatcher1"), title="敬老院义诊", category="medical",
                                    region=world.regions["s1"], starts_at=start, ends_at=start + timedelta(hours=2),
                                    capacity=5, hours=Decimal("2"))


def test_beneficiaries_and_people_served_are_recorded_and_summed(world, login):
    activity = _activity(world)
    li, wang = Resident.objects.get(phone="13900001111"), Resident.objects.get(phone="13812341234")
    services.record_beneficiaries(world.user("dispatcher1"), activity.pk, [li.pk, wang.pk], "30")
    activity.refresh_from_db()
    assert set(activity.beneficiaries.all()) == {li, wang} and activity.people_served == 30
    second = _activity(world)
    services.record_beneficiaries(world.user("dispatcher1"), second.pk, [li.pk], 7)
    figures = selectors.served_figures(world.user("dispatcher1"))
    assert figures == {"activities": 2, "people_served": 37, "beneficiaries": 2}
    assert selectors.served_figures(world.user("dispatcher2"))["people_served"] == 0
    page = login("dispatcher1").get(f"/work/activities/{activity.pk}/").content.decode()
    assert "受益居民 2 人，服务人次 30" in page and "李秀英" in page
    assert "服务 37 人次" in login("dispatcher1").get("/work/activities/").content.decode()


def test_the_page_records_them_and_refuses_bad_counts(world, login):
    activity = _activity(world)
    li = Resident.objects.get(phone="13900001111")
    client = login("dispatcher1")
    assert f'value="{li.pk}"' in client.get(f"/work/activities/{activity.pk}/", {"q": "李秀英"}).content.decode()
    refused = client.post(f"/work/activities/{activity.pk}/beneficiaries/", {"beneficiary": [li.pk],
                                                                             "people_served": "0"})
    assert refused.status_code == 400 and "不能少于受益居民人数" in refused.content.decode()
    done = client.post(f"/work/activities/{activity.pk}/beneficiaries/", {"beneficiary": [li.pk],
                                                                          "people_served": "12"})
    assert done.status_code == 302 and activity.beneficiaries.get() == li


def test_refusals(world):
    activity = _activity(world)
    lei = Resident.objects.create(name="雷大爷", phone="13700002222", region=world.regions["g2"])
    with pytest.raises(ValidationFailed):  # 雷锋 lies in 和平, not in the activity's street
        services.record_beneficiaries(world.user("dispatcher1"), activity.pk, [lei.pk], 5)
    with pytest.raises(ValidationFailed):
        services.record_beneficiaries(world.user("dispatcher1"), activity.pk, [], -1)
    with pytest.raises(OutOfScope):
        services.record_beneficiaries(world.user("staff2"), activity.pk, [], 5)
    ahead = _activity(world, starts=timedelta(days=2))
    with pytest.raises(InvalidTransition):
        services.record_beneficiaries(world.user("dispatcher1"), ahead.pk, [], 5)
