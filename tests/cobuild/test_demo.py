"""The demo's 党建联盟: member units with resources and services, bookings in every state, joint
activities with confirmed hours, about 40 in-service members reported, and a monthly list whose
hours are the ledger's; seeding again adds nothing."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from minsheng.cobuild import selectors
from minsheng.cobuild.models import Booking, DualReport, JointActivity, MemberUnit, Offer, Resource
from minsheng.volunteers.models import SignUp

from ..web.crawl import crawl


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_demo_alliance_is_live_and_seeded_once(fast_hashing, migration_data):
    out = io.StringIO()
    call_command("seed_demo", "--demands", "0", "--residents", "300", "--parts", "party,cobuild", stdout=out)
    assert MemberUnit.objects.count() == 15
    assert {"department", "school", "hospital", "state_company", "property"} <= set(
        MemberUnit.objects.values_list("kind", flat=True))
    assert Resource.objects.count() >= 15 and Offer.objects.count() >= 15
    states = set(Booking.objects.values_list("state", flat=True))
    assert {"pending", "approved", "used"} <= states, states
    assert JointActivity.objects.filter(member__kind="department").exists()
    assert SignUp.objects.filter(attended=True, activity__joint__isnull=False).exists()
    assert 35 <= DualReport.objects.count() <= 40
    from minsheng.audit.models import AuditEntry

    renewed = MemberUnit.objects.get(name="光明小学")
    assert AuditEntry.objects.filter(object_type="cobuild.memberunit", object_id=str(renewed.pk), action="修改",
                                     changes__icontains="agreement_end").exists()
    now = timezone.localdate()
    hours = sum(ol.hours for month in (now.replace(day=1), (now.replace(day=1) - timedelta(days=1)).replace(day=1))
                 for ol in selectors.monthly_lists(DualReport.objects.all(), month))
    assert hours > 0
    call_command("seed_demo", "--demands", "0", "--residents", "300", "--parts", "party,cobuild", stdout=out)
    assert MemberUnit.objects.count() == 15 and "cobuild: already seeded" in out.getvalue()
    # Reachable by links: the community's staff and the department's handler reach the units, their
    # activities and the monthly list; the resident reaches the resource list and a booking form.
    wanted = {"community": ["/work/cobuild/members/", "/work/cobuild/activities/", "/work/cobuild/reports/monthly/"],
              "handler": ["/work/cobuild/members/", "/work/cobuild/activities/"],
              "resident": ["/cobuild/resources/", "/book/"]}
    for username, paths in wanted.items():
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        result = crawl(client, "/", limit=120)
        assert not result.broken, (username, result.broken)
        for path in paths:
            assert any(path in visited for visited in result.visited), (username, path)
