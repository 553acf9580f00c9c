"""The admin is read-only for demands and scoped like every other view."""

import pytest
from django.contrib.auth.models import Permission

from .helpers import bring_to


@pytest.fixture
def staff_client(client, world):
    def login(name):
        user = world.users[name]
        user.is_staff = True
        user.save()
        user.user_permissions.add(*Permission.objects.filter(codename__in=["view_demand", "view_demandevent"]))
        client.force_login(user)
        return client

    return login


def test_a_community_sees_only_its_own_demands_in_the_admin(world, staff_client):
    mine = bring_to(world, "registered", region="g1")
    theirs = bring_to(world, "registered", region="g2")
    page = staff_client("staff1").get("/admin/demands/demand/").content.decode()
    assert mine.number in page and theirs.number not in page
    detail = staff_client("staff1").get(f"/admin/demands/demand/{mine.pk}/change/").content.decode()
    assert mine.title in detail and "register" in detail  # the event history is shown with the demand
    assert staff_client("staff2").get(f"/admin/demands/demand/{mine.pk}/change/").status_code == 302


def test_demands_cannot_be_edited_or_deleted_in_the_admin(world, staff_client):
    demand = bring_to(world, "dispatched")
    client = staff_client("dispatcher1")
    response = client.post(f"/admin/demands/demand/{demand.pk}/change/", {"title": "改掉标题"})
    assert response.status_code == 403
    assert client.post(f"/admin/demands/demand/{demand.pk}/delete/", {"post": "yes"}).status_code == 403
    demand.refresh_from_db()
    assert demand.title == "建设路井盖缺失" and demand.version == 3


def test_the_login_page_renders_with_the_production_settings(client):
    # No test settings for static files here: a fresh checkout must serve the admin as it is.
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert b'name="username"' in response.content and "民生".encode() in response.content
    assert client.get("/static/admin/css/base.css").status_code == 200


def test_the_admin_finds_a_demand_by_number_or_title_and_filters_events_by_action(world, staff_client):
    lift = bring_to(world, "dispatched", title="幸福里电梯坏了")
    road = bring_to(world, "registered")
    client = staff_client("staff1")
    by_number = client.get("/admin/demands/demand/", {"q": road.number}).content.decode()
    assert road.number in by_number and lift.number not in by_number
    by_title = client.get("/admin/demands/demand/", {"q": "电梯"}).content.decode()
    assert lift.number in by_title and road.number not in by_title
    since = client.get("/admin/demands/demand/", {"registered_at__gte": "2000-01-01 00:00:00+08:00"}).content.decode()
    assert lift.number in since and road.number in since
    events = client.get("/admin/demands/demandevent/", {"action": "dispatch"}).content.decode()
    assert lift.number in events and road.number not in events
