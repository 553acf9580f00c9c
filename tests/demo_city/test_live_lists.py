"""The demo's face: the lists a printed login opens on are not empty, on whatever day the demo is
seeded (the year's turn included)."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from minsheng.projects import selectors as project_selectors


def test_this_years_secretary_projects_are_on_the_list_the_community_opens(demo, client):
    year = timezone.localdate().year
    for name in ("community", "secretary", "leader"):
        user = get_user_model().objects.get(username=name)
        projects = project_selectors.projects_visible_to(user).filter(year=year)
        assert projects.exists(), name
        client.force_login(user)
        page = client.get("/work/projects/").content.decode()  # the current year by default
        assert all(project.name in page for project in projects), name


def test_the_inboxes_open_on_the_last_weeks_messages_dated_as_they_happened(demo, client):
    """A year of history raised thousands of messages: they are in the inboxes, dated when
    raised, and those over a week old have been read — not "消息（900）" on a first sign-in."""
    from datetime import timedelta

    from django.db.models import Min

    from minsheng.notifications.demo import READ_AFTER
    from minsheng.notifications.models import InAppNotification, OutboxMessage

    now = timezone.now()
    assert not OutboxMessage.objects.filter(channel="in_app", status="pending").exists()
    handler = get_user_model().objects.get(username="handler")
    inbox = InAppNotification.objects.filter(recipient=handler)
    assert inbox.aggregate(first=Min("created_at"))["first"] < now - timedelta(days=90)
    assert inbox.filter(read_at__isnull=False).exists()
    unread = inbox.filter(read_at__isnull=True)
    assert not unread.filter(created_at__lt=now - READ_AFTER - timedelta(minutes=5)).exists()
    client.force_login(handler)
    page = client.get("/work/").content.decode()
    count = unread.count()
    assert (f"消息（{count}）" if count else ">消息<") in page


def test_the_printed_chiefs_are_residents_of_their_buildings(demo, client):
    """楼栋长 and 单元长 are residents: their logins open 我的诉求 on their own record, not on "no
    resident linked to this account", and may make a wish as any resident may."""
    from minsheng.web.homes import resident_of_account

    for name in ("chief", "unitchief"):
        user = get_user_model().objects.get(username=name)
        resident = resident_of_account(user)
        assert resident is not None and resident.name == user.first_name, name
        chief = user.chief_posts.get(active=True)
        assert resident.region.path.startswith(chief.region.path), name
        client.force_login(user)
        page = client.get("/me/").content.decode()
        assert "没有关联居民信息" not in page, name
        # A resident's role, as an appointment from the register gives: they may make a wish.
        assert reverse("wishes:new") in page, name
        assert client.get(reverse("wishes:new")).status_code == 200, name


def test_every_printed_staff_login_opens_on_work_that_waits_for_it(demo):
    """我的待办 lists only what its viewer can move on (each row names the step: 核实, 派单, 记录调解…,
    never a bare 查看 for a wish on the wall or a meal delivery waiting for a volunteer), and the
    printed dispatcher has residents' reports of today to dispatch."""
    from minsheng.demands import selectors as demand_selectors
    from minsheng.demo.history import AWAITING_DISPATCH

    for name in ("operator", "dispatcher", "city", "handler", "community", "grid", "agent", "careworker", "admin"):
        user = get_user_model().objects.get(username=name)
        steps = [demand_selectors.next_step(user, d) for d in demand_selectors.queue_for(user)]
        assert all(steps), (name, steps)
    dispatcher = get_user_model().objects.get(username="dispatcher")
    steps = [demand_selectors.next_step(dispatcher, d) for d in demand_selectors.queue_for(dispatcher)]
    assert steps.count("派单") >= AWAITING_DISPATCH, steps
