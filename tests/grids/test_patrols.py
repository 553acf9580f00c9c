"""Patrols: started and finished on the phone with a track, a problem found becomes a demand in one
step, and a day with fewer patrols than the plan is flagged to the community."""

import io
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.demands.models import DemandAttachment
from minsheng.grids import selectors, services
from minsheng.grids.models import GridAssignment, MissedPatrol, PatrolFinding, PatrolPlan
from minsheng.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def at(day: int, hour: int) -> datetime:
    return timezone.make_aware(datetime(2026, 3, day, hour, 0))


def photo() -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(data, "JPEG")
    return SimpleUploadedFile("坑.jpg", data.getvalue(), content_type="image/jpeg")


def patrol_once(world, day: int, hour: int, worker="gridworker", grid="g1"):
    with clock.frozen_at(at(day, hour)):
        patrol = services.start_patrol(world.user(worker), world.regions[grid], track=[[39.9, 116.4]])
    with clock.frozen_at(at(day, hour + 1)):
        return services.finish_patrol(world.user(worker), patrol.pk, track=[[39.91, 116.41, "t"]])


def test_a_patrol_is_started_tracked_and_finished(world):
    worker = world.user("gridworker")
    with clock.frozen_at(at(2, 9)):
        patrol = services.start_patrol(worker, world.regions["g1"], track=[[39.9, 116.4]])
        with pytest.raises(InvalidTransition):
            services.start_patrol(worker, world.regions["g1"])  # one at a time
        services.add_track_points(worker, patrol.pk, [[39.901, 116.401], ["39.902", "116.402", "x"]])
        with pytest.raises(ValidationFailed):
            services.add_track_points(worker, patrol.pk, [[95, 116.4]])
        with pytest.raises(PermissionDenied):
            services.add_track_points(world.user("staff1"), patrol.pk, [[39.9, 116.4]])
    with clock.frozen_at(at(2, 10)):
        services.finish_patrol(worker, patrol.pk, note="一切正常")
    patrol.refresh_from_db()
    assert patrol.finished_at == at(2, 10) and len(patrol.track) == 3 and patrol.note == "一切正常"
    assert patrol.track[1][:2] == [39.901, 116.401]
    with pytest.raises(InvalidTransition):
        services.finish_patrol(worker, patrol.pk)
    with pytest.raises(OutOfScope):
        services.start_patrol(worker, world.regions["g2"])  # not their grid


def test_a_problem_found_on_patrol_becomes_a_demand_in_one_step(world):
    worker = world.user("gridworker")
    patrol = services.start_patrol(worker, world.regions["g1"])
    demand = services.report_finding(worker, patrol.pk, title="人行道塌陷",
                                     description="幸福里1号楼前人行道塌陷一个坑。",
                                     latitude="39.905", longitude="116.405", photos=[photo()], address="幸福里1号楼")
    assert demand.channel == "patrol" and demand.state == "registered" and demand.region == world.regions["g1"]
    assert (str(demand.latitude), str(demand.longitude)) == ("39.905000", "116.405000")
    assert demand.registered_by == world.users["gridworker"]
    assert DemandAttachment.objects.filter(demand=demand).count() == 1
    assert PatrolFinding.objects.get(demand=demand).patrol == patrol
    assert demand.events.get().action == "register"
    patrol.refresh_from_db()
    assert patrol.track[-1][:2] == [39.905, 116.405]
    # a refused demand leaves no finding behind
    with pytest.raises(ValidationFailed):
        services.report_finding(worker, patrol.pk, title="", description="没有标题")
    assert PatrolFinding.objects.count() == 1


def test_the_patrol_page_reports_a_problem(world, client):
    client.force_login(world.user("gridworker"))
    assert "开始巡查" in client.get("/work/grids/patrol/").content.decode()
    client.post("/work/grids/patrol/start/", {"grid": world.regions["g1"].pk})
    patrol = selectors.open_patrol_of(world.user("gridworker"))
    client.post(f"/work/grids/patrol/{patrol.pk}/track/", {"latitude": "39.9", "longitude": "116.4"})
    response = client.post(f"/work/grids/patrol/{patrol.pk}/finding/", {
        "title": "垃圾堆放", "description": "3号楼下垃圾堆放多日。", "photos": [photo()]}, follow=True)
    assert "已上报问题" in response.content.decode()
    client.post(f"/work/grids/patrol/{patrol.pk}/finish/", {"note": "完成"})
    patrol.refresh_from_db()
    assert patrol.finished and len(patrol.track) == 1 and patrol.findings.count() == 1


def test_a_missed_patrol_is_flagged_to_the_community_once(world):
    GridAssignment.objects.create(grid=world.regions["g1"], user=world.users["gridworker"], kind="full_time",
                                  since=at(2, 0).date())
    GridAssignment.objects.create(grid=world.regions["g2"], user=world.users["staff2"], kind="part_time",
                                  since=at(2, 0).date())
    PatrolPlan.objects.create(region=world.regions["c2"], per_day=1)  # 雷锋社区 patrols once a day
    patrol_once(world, 2, 8)  # g1: one of two on 2 March
    patrol_once(world, 2, 15, worker="staff2", grid="g2")  # g2: one of one
    with clock.frozen_at(at(2, 16)):
        services.start_patrol(world.user("gridworker"), world.regions["g1"])  # never finished: does not count
    with clock.frozen_at(at(3, 6)):
        assert services.flag_missed_patrols() == 1
        assert services.flag_missed_patrols() == 0  # once
    with clock.frozen_at(at(4, 6)):
        assert services.flag_missed_patrols() == 2  # 3 March: nobody patrolled either grid
    missed = MissedPatrol.objects.get(day="2026-03-02")
    assert (missed.grid, missed.day.isoformat(), missed.planned, missed.done) == (
        world.regions["g1"], "2026-03-02", 2, 1)
    notices = OutboxMessage.objects.filter(source="missed_patrol", channel="in_app", subject__contains="03-02")
    assert [m.recipient.username for m in notices] == ["staff1"]  # 玫瑰城's community staff
    assert "玫瑰城第一网格" in notices[0].subject and "1/2" in notices[0].subject


def test_a_grid_shows_who_answers_for_it(world, client):
    staff1 = world.user("staff1")
    services.assign_grid_worker(staff1, world.regions["g1"], world.users["gridworker"], "full_time",
                                phone="13800000001")
    services.assign_grid_worker(staff1, world.regions["g1"], world.users["volunteer"], "part_time")
    services.assign_grid_worker(staff1, world.regions["g1"], world.users["agent"], "full_time")  # replaces
    with pytest.raises(OutOfScope):
        services.assign_grid_worker(staff1, world.regions["g2"], world.users["agent"], "specialist")
    admin = world.user("admin")
    for grid in ("g1", "g1b", "g2"):
        services.assign_grid_worker(admin, world.regions[grid], world.users["handler_zj"], "specialist",
                                    speciality="消防")
    workers = selectors.assignments_of(world.regions["g1"])
    assert [(a.user.username, a.kind) for a in workers] == [
        ("agent", "full_time"), ("volunteer", "part_time"), ("handler_zj", "specialist")]
    assert GridAssignment.objects.filter(user=world.users["handler_zj"], active=True).count() == 3
    client.force_login(staff1)
    page = client.get(f"/work/grids/{world.regions['g1'].pk}/").content.decode()
    assert "专职网格员" in page and "agent" in page and "消防" in page
    assert "无人负责" not in page
    board = client.get("/work/grids/").content.decode()
    assert "玫瑰城第二网格" in board and "雷锋第一网格" not in board


def test_a_full_time_grid_worker_answers_for_one_grid_only(world):
    staff1, admin = world.user("staff1"), world.user("admin")
    services.assign_grid_worker(staff1, world.regions["g1"], world.users["gridworker"], "full_time")
    with pytest.raises(ValidationFailed) as refused:
        services.assign_grid_worker(admin, world.regions["g1b"], world.users["gridworker"], "full_time")
    message = refused.value.field_errors["user"][0]
    assert "一人一格" in message and world.regions["g1"].name in message
    assert GridAssignment.objects.filter(user=world.users["gridworker"], active=True).count() == 1
    # Part-time in another grid is allowed; so is moving after the first assignment ends.
    services.assign_grid_worker(admin, world.regions["g1b"], world.users["gridworker"], "part_time")
    first = GridAssignment.objects.get(user=world.users["gridworker"], kind="full_time", active=True)
    services.end_assignment(staff1, first.pk)
    services.assign_grid_worker(admin, world.regions["g2"], world.users["gridworker"], "full_time")
    assert GridAssignment.objects.get(user=world.users["gridworker"], kind="full_time", active=True).grid == \
        world.regions["g2"]


def test_the_database_refuses_a_second_full_time_grid_for_one_worker(world):
    from django.db import IntegrityError, transaction

    GridAssignment.objects.create(grid=world.regions["g1"], user=world.users["gridworker"], kind="full_time",
                                  since=timezone.localdate())
    with pytest.raises(IntegrityError), transaction.atomic():
        GridAssignment.objects.create(grid=world.regions["g2"], user=world.users["gridworker"], kind="full_time",
                                      since=timezone.localdate())


def test_the_admin_refuses_a_second_full_time_grid_with_a_clear_message(world, client):
    from django.utils import timezone

    GridAssignment.objects.create(grid=world.regions["g1"], user=world.users["gridworker"], kind="full_time",
                                  since=timezone.localdate())
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("grids-admin", password="x-Passw0rd-long"))
    response = client.post("/admin/grids/gridassignment/add/", {
        "grid": world.regions["g2"].pk, "user": world.users["gridworker"].pk, "kind": "full_time",
        "active": "on", "since": timezone.localdate().isoformat(), "phone": "", "speciality": ""})
    assert response.status_code == 200 and "专职网格员一人一格" in response.content.decode()
    assert GridAssignment.objects.filter(user=world.users["gridworker"]).count() == 1
