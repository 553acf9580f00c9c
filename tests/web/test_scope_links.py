"""Links follow the scope of the page they open: a list, the inbox or a project's page links only
to what its viewer may open, and names the rest without a link."""

from datetime import date

import pytest
from django.urls import reverse

from minsheng.demands import services
from minsheng.notifications.delivery import deliver_batch
from minsheng.projects import services as project_services

from ..demands.helpers import bring_to
from ..projects.conftest import make_party, make_project

pytestmark = pytest.mark.django_db


def test_inbox_keeps_a_notice_but_not_its_link_once_the_demand_left_the_unit(login, world):
    demand = bring_to(world, "returned")  # dispatched to 城管局, which returned it
    demand = services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version, unit="zj")
    while deliver_batch():
        pass
    page = login("handler_cg").get(reverse("web:inbox")).content.decode()
    assert demand.number in page
    assert reverse("web:demand", args=[demand.pk]) not in page
    assert login("handler_cg").get(reverse("web:demand", args=[demand.pk])).status_code == 404
    told = login("handler_zj").get(reverse("web:inbox")).content.decode()
    assert reverse("web:demand", args=[demand.pk]) in told


def test_secretary_sees_her_projects_meetings_without_links_she_cannot_open(client, world):
    party = make_party(world)
    project = make_project(world, party)
    meeting = project_services.record_meeting(
        world.user("staff1"), region=world.regions["c1"], kind="joint", held_on=date(2026, 2, 3),
        place="社区党群服务中心", agenda="1. 电梯", attendees="社区书记周红")
    project_services.record_decision(world.user("staff1"), meeting.pk, text="电梯加装纳入书记项目",
                                     owner_label="社区书记周红", due=date(2026, 12, 31), became="project",
                                     project=project.pk)
    client.force_login(world.users["secretary1"])
    page = client.get(reverse("projects:project", args=[project.pk])).content.decode()
    assert "电梯加装纳入书记项目" in page
    assert reverse("projects:meeting", args=[meeting.pk]) not in page
    assert client.get(reverse("projects:meeting", args=[meeting.pk])).status_code == 404
    staff_page = client.force_login(world.users["staff1"]) or client.get(reverse("projects:project", args=[project.pk]))
    assert reverse("projects:meeting", args=[meeting.pk]) in staff_page.content.decode()
