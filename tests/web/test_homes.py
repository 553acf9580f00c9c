"""Every account lands after signing in on the page it works from, never on a 404."""

import pytest
from django.urls import reverse

from minsheng.demands import services
from minsheng.organisation.models import Membership, Unit
from minsheng.organisation.roles import Role

from ..demands.helpers import register
from ..projects.conftest import make_party

pytestmark = pytest.mark.django_db

HOMES = {
    "admin": "/work/setup/admin/", "operator": "/work/intake/", "dispatcher1": "/work/", "handler_cg": "/work/",
    "staff1": "/work/", "gridworker": "/work/grids/patrol/", "agent": "/work/stations/cases/",
    "leader": "/work/dashboard/", "auditor": "/care/audit/", "volunteer": "/volunteer/", "resident": "/me/",
    "nobody": "/me/",
}


def _sign_in(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": "pw-" + username}, follow=True)


@pytest.mark.parametrize(("username", "home"), HOMES.items())
def test_each_role_lands_on_its_home(client, world, username, home):
    response = _sign_in(client, username)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == home
    assert client.get("/", follow=True).request["PATH_INFO"] == home  # the brand link leads back there


def test_a_secretary_without_a_staff_role_lands_on_her_projects(client, world):
    make_party(world)
    response = _sign_in(client, "secretary1")
    assert response.status_code == 200 and response.request["PATH_INFO"] == reverse("projects:projects")


def test_a_care_workers_home_is_todays_tasks(client, world):
    provider = Unit.objects.create(kind=Unit.Kind.CARE_PROVIDER, name="安康养老服务中心", code="ak",
                                   region=world.regions["d"])
    Membership.objects.create(user=world.users["nobody"], unit=provider, role=Role.DEPARTMENT_HANDLER)
    response = _sign_in(client, "nobody")
    assert response.status_code == 200 and response.request["PATH_INFO"] == reverse("homecare:worker")


def test_residents_home_lists_their_own_demands_and_wishes_only(login, world):
    own = register(world, reporter=services.ReporterInput(name="王奎", phone="13812341234"), title="楼道灯不亮")
    other = register(world, title="别人反映的井盖")
    page = login("resident").get(reverse("web:mine")).content.decode()
    assert own.number in page and "楼道灯不亮" in page
    assert other.number not in page
    assert reverse("wishes:new") in page


def test_an_account_without_a_resident_record_is_told_why_its_list_is_empty(login, world):
    response = login("nobody").get(reverse("web:mine"))
    assert response.status_code == 200 and 'id="no-resident"' in response.content.decode()
    assert reverse("wishes:new") not in response.content.decode()


def test_a_volunteer_account_not_yet_registered_gets_a_clear_empty_state(login, world):
    client = login("volunteer")
    for name in ("web:volunteer_home", "volunteers:open_activities", "ledger:card"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert 'id="not-registered"' in response.content.decode(), name


def test_a_secretarys_own_demands_are_found_through_her_party_membership(client, world):
    party = make_party(world)
    filed = register(world, reporter=services.ReporterInput(name="周红", phone=party.secretary1.resident.phone),
                     title="党群服务中心门前积水")
    client.force_login(world.users["secretary1"])
    page = client.get(reverse("web:mine")).content.decode()
    assert filed.number in page and 'id="no-resident"' not in page
    assert reverse("wishes:new") not in page  # making wishes online is the resident role's


def test_one_navigation_item_is_marked_as_the_current_page(login, world):
    page = login("gridworker").get(reverse("grids:patrol")).content.decode()
    assert page.count('class="active"') == 1
    assert f'<a href="{reverse("grids:patrol")}" class="active" aria-current="page">' in page


def test_a_volunteer_who_is_a_party_member_lands_on_activities_and_wishes(client, world):
    from datetime import timedelta

    from minsheng.core import clock
    from minsheng.volunteers import services as volunteering

    from ..wishes.helpers import party, wish_at

    wishes_party = party(world)  # the world's "volunteer" is a party member of 玫瑰城, not a secretary
    volunteering.volunteer_for_party_member(wishes_party.member)
    start = clock.now() + timedelta(days=3)
    volunteering.create_activity(world.user("staff1"), title="社区义诊", category="general",
                                 region=world.regions["c1"], starts_at=start, ends_at=start + timedelta(hours=2),
                                 capacity=10, hours="2", place="党群服务中心")
    wish = wish_at(world, "published")
    response = _sign_in(client, "volunteer")
    page = response.content.decode()
    assert response.request["PATH_INFO"] == reverse("web:volunteer_home")
    assert "社区义诊" in page and wish.title in page and reverse("wishes:claim", args=[wish.pk]) in page
    assert 'id="not-registered"' not in page
    assert client.get(reverse("wishes:claim", args=[wish.pk])).status_code == 200


def test_navigation_has_at_most_seven_entries_home_first_and_admin_for_administrators(login, world):
    from minsheng.web.homes import home_url

    for name in ("operator", "dispatcher", "dispatcher1", "handler_cg", "staff1", "gridworker", "agent", "leader",
                 "auditor", "admin"):
        client = login(name)
        response = client.get(home_url(world.user(name)), follow=True)
        nav = response.context["navigation"]
        assert len(nav) <= 7, (name, [entry["label"] for entry in nav])
        assert nav[0].get("url") == home_url(world.user(name)), (name, nav[0])
        page = response.content.decode()
        assert ('href="/admin/"' in page) == (name == "admin"), name
        # Everything the role had before is still reachable, in a menu at worst.
        assert reverse("web:supervision") in page and reverse("web:inbox") in page


def test_residents_volunteers_and_visitors_get_at_most_seven_entries_too(client, login, world):
    """The accounts without a staff role (and a visitor) have as many pages as a dispatcher: the
    first stay on the bar, the inbox ends it, the rest is in 更多 — nothing dropped."""
    from minsheng.web import navigation as module

    def entries(response) -> list[dict]:
        return response.context["navigation"]

    for name in ("resident", "volunteer", None):
        if name is None:
            client.logout()
        response = (client if name is None else login(name)).get(reverse("web:submit"))
        nav = entries(response)
        assert len(nav) <= 7, (name, [entry["label"] for entry in nav])
        flat = [link["url"] for entry in nav for link in entry.get("links", [entry])]
        assert len(flat) == len(set(flat)), name
        if name is not None:
            assert nav[-1]["url"] == reverse("web:inbox"), name
            assert reverse("web:mine") in flat, name
        else:
            assert reverse("login") in flat and reverse("web:track") in flat
        page = response.content.decode()
        assert all(f'href="{url}"' in page for url in flat), name
    # More pages than fit: the first six stay, in their order, then the menu, then the inbox.
    items = [(f"/p{i}/", f"p{i}") for i in range(9)] + [(reverse("web:inbox"), "消息")]
    folded = module._folded(items)
    assert [entry.get("url") for entry in folded[:5]] == ["/p0/", "/p1/", "/p2/", "/p3/", "/p4/"]
    assert [link["url"] for link in folded[5]["links"]] == ["/p5/", "/p6/", "/p7/", "/p8/"]
    assert folded[6]["url"] == reverse("web:inbox") and len(folded) == 7
    assert module._folded(items[:7]) == [{"url": url, "label": label} for url, label in items[:7]]


def test_party_work_of_the_regions_is_not_offered_to_a_department_handler(login):
    """书记项目 and 实事清单 list a region's party work: a department's handler, with no region in
    scope, would only ever find them empty; the community's staff and the grid worker have them."""
    def offered(name: str) -> set[str]:
        nav = login(name).get(reverse("web:queue")).context["navigation"]
        return {link["url"] for entry in nav for link in entry.get("links", [entry])}

    party_work = {reverse("projects:projects"), reverse("projects:practical")}
    assert not offered("handler_cg") & party_work
    assert party_work <= offered("staff1") and party_work <= offered("gridworker")
