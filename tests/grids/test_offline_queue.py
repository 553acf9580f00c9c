"""The patrol's forms as the phone's offline queue sends them: each with an Idempotency-Key, so a
replay (the answer lost, the phone sends again) records nothing twice."""

import random
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from minsheng.core import clock
from minsheng.demands.models import Demand
from minsheng.grids import services
from minsheng.grids.models import PatrolFinding
from minsheng.integrations.models import IdempotencyRecord

from .test_patrols import photo

pytestmark = pytest.mark.django_db


def _queued(client, url, data, key=None):
    return client.post(url, data, HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def test_queued_track_points_and_a_finding_are_recorded_once_however_often_sent(world, client):
    rng = random.Random()
    worker = world.user("gridworker")
    client.force_login(worker)
    with clock.frozen_at(timezone.now() - timedelta(hours=1)):
        patrol = services.start_patrol(worker, world.regions["g1"])
    points = [(round(39.9 + rng.random() / 100, 6), round(116.4 + rng.random() / 100, 6))
              for _ in range(rng.randint(2, 5))]
    keys = [str(uuid.uuid4()) for _ in points]
    taken = [timezone.now() - timedelta(minutes=50 - i) for i in range(len(points))]
    for _round in range(rng.randint(2, 3)):  # every item sent again: the first answers were "lost"
        for (lat, lng), key, at in zip(points, keys, taken, strict=True):
            response = _queued(client, f"/work/grids/patrol/{patrol.pk}/track/",
                               {"latitude": lat, "longitude": lng, "taken_at": at.isoformat()}, key)
            assert response.status_code in (200, 201) and response["Content-Type"] == "application/json"
            assert (response.status_code == 200) == (_round > 0)
    patrol.refresh_from_db()
    assert [p[:2] for p in patrol.track] == [list(p) for p in points]
    # each point keeps the time the phone took it, not the time it arrived
    assert [p[2] for p in patrol.track] == [at.isoformat() for at in taken]

    finding_key = str(uuid.uuid4())
    data = {"title": "井盖缺失", "description": "5号楼前井盖缺失。", "latitude": "39.905", "longitude": "116.405"}
    first = _queued(client, f"/work/grids/patrol/{patrol.pk}/finding/", {**data, "photos": [photo()]}, finding_key)
    again = _queued(client, f"/work/grids/patrol/{patrol.pk}/finding/", {**data, "photos": [photo()]}, finding_key)
    assert first.status_code == 201 and again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert first.json() == again.json() and first.json()["number"] == Demand.objects.get().number
    assert PatrolFinding.objects.count() == 1 and Demand.objects.get().attachments.count() == 1
    patrol.refresh_from_db()
    assert len(patrol.track) == len(points)  # the phone records the track itself
    assert IdempotencyRecord.objects.filter(owner=f"user:{worker.pk}").count() == len(points) + 1


def test_a_refused_queued_form_says_why_and_stores_nothing(world, client):
    worker = world.user("gridworker")
    client.force_login(worker)
    patrol = services.start_patrol(worker, world.regions["g1"])
    key = str(uuid.uuid4())
    response = _queued(client, f"/work/grids/patrol/{patrol.pk}/finding/", {"title": "", "description": "x"}, key)
    assert response.status_code == 400 and "title" in response.json()["fields"]
    assert not IdempotencyRecord.objects.exists() and not Demand.objects.exists()
    bad = _queued(client, f"/work/grids/patrol/{patrol.pk}/track/", {"latitude": "95", "longitude": "116.4"})
    assert bad.status_code == 400 and bad.json()["error"]
    # another worker's patrol: refused by the service, as JSON
    client.force_login(world.user("staff1"))
    other = _queued(client, f"/work/grids/patrol/{patrol.pk}/track/", {"latitude": "39.9", "longitude": "116.4"})
    assert other.status_code == 403 and other.json()["error"]
    patrol.refresh_from_db()
    assert patrol.track == []


def test_the_same_key_with_other_content_is_refused(world, client):
    worker = world.user("gridworker")
    client.force_login(worker)
    patrol = services.start_patrol(worker, world.regions["g1"])
    key = str(uuid.uuid4())
    url = f"/work/grids/patrol/{patrol.pk}/track/"
    assert _queued(client, url, {"latitude": "39.9", "longitude": "116.4"}, key).status_code == 201
    assert _queued(client, url, {"latitude": "39.8", "longitude": "116.4"}, key).status_code == 422
    patrol.refresh_from_db()
    assert len(patrol.track) == 1


def test_a_point_with_an_impossible_phone_time_gets_the_servers(world):
    worker = world.user("gridworker")
    patrol = services.start_patrol(worker, world.regions["g1"])
    future = clock.now() + timedelta(hours=3)
    before = patrol.started_at - timedelta(days=1)
    services.add_track_points(worker, patrol.pk, taken=[(39.9, 116.4, future), (39.9, 116.4, before)])
    patrol.refresh_from_db()
    times = [timezone.datetime.fromisoformat(p[2]) for p in patrol.track]
    assert all(patrol.started_at <= t <= clock.now() for t in times)


def test_a_queued_finish_ends_the_patrol_once(world, client):
    worker = world.user("gridworker")
    client.force_login(worker)
    patrol = services.start_patrol(worker, world.regions["g1"])
    point_key, key = str(uuid.uuid4()), str(uuid.uuid4())
    point = {"latitude": "39.9", "longitude": "116.4"}
    assert _queued(client, f"/work/grids/patrol/{patrol.pk}/track/", point, point_key).status_code == 201
    url = f"/work/grids/patrol/{patrol.pk}/finish/"
    assert _queued(client, url, {"note": "正常"}, key).status_code == 201
    # the point's answer was lost and it comes again after the finish: it arrived, it is not refused
    replay = _queued(client, f"/work/grids/patrol/{patrol.pk}/track/", point, point_key)
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert _queued(client, url, {"note": "正常"}, key).status_code == 200
    patrol.refresh_from_db()
    assert patrol.finished and patrol.note == "正常"
