"""A visit recorded on the worker's phone: check-in and check-out times and positions from the
phone, the signature as a PNG image on the record, sent by the offline queue once per key."""

import io
import random
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from minsheng.core.errors import ValidationFailed
from minsheng.homecare import records
from minsheng.homecare.models import ServiceRecord

from .conftest import NOW
from .test_pages import _client, resident_elder  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def signature_png(*, ink: bool = True, size=(600, 300), extra: int = 0) -> SimpleUploadedFile:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if ink:
        rng = random.Random()
        draw = ImageDraw.Draw(image)
        draw.line([(rng.randint(0, 200), rng.randint(0, 290)) for _ in range(8)], fill=(0, 0, 0, 255), width=3)
    data = io.BytesIO()
    image.save(data, "PNG")
    return SimpleUploadedFile("signature.png", data.getvalue() + b"\0" * extra, content_type="image/png")


def _visit(task, *, key=None, signature=None, **extra):
    start = NOW - timedelta(hours=3)
    return {"version": task.demand.version, "started_at": start.isoformat(),
            "ended_at": (start + timedelta(minutes=90)).isoformat(), "confirmed_by": "王奎",
            "check_in_latitude": "39.905100", "check_in_longitude": "116.405200",
            "check_out_latitude": "39.905150", "check_out_longitude": "116.405250",
            "signature": signature or signature_png(), **extra}


def test_a_queued_visit_with_a_signature_is_recorded_once(care, resident_elder):  # noqa: F811
    task = care.claimed(resident_elder, day=NOW.date(), hours="2")
    client = _client(care, "worker1")
    key = str(uuid.uuid4())
    url = f"/care/worker/tasks/{task.pk}/record/"
    data = _visit(task)
    signature_bytes = data["signature"].read()
    data["signature"].seek(0)
    first = client.post(url, data, HTTP_IDEMPOTENCY_KEY=key)
    data["signature"] = SimpleUploadedFile("signature.png", signature_bytes, content_type="image/png")
    again = client.post(url, data, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201 and again.status_code == 200, first.content
    assert first.json() == again.json()
    record = ServiceRecord.objects.get()
    assert record.hours == records.hours_between(record.started_at, record.ended_at) == Decimal("1.50")
    assert (str(record.check_in_latitude), str(record.check_out_longitude)) == ("39.905100", "116.405250")
    with record.signature.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "PNG" and image.size == (600, 300)


@pytest.mark.parametrize(("upload", "message"), [
    (lambda: signature_png(ink=False), "空白"),
    (lambda: signature_png(extra=210 * 1024), "200 KB"),
    (lambda: SimpleUploadedFile("signature.png", b"GIF89a not a png", content_type="image/png"), "PNG"),
    (lambda: signature_png(size=(2400, 300)), "过大"),
])
def test_a_bad_signature_is_refused_and_nothing_is_recorded(care, resident_elder, upload, message):  # noqa: F811
    task = care.claimed(resident_elder, day=NOW.date(), hours="2")
    response = _client(care, "worker1").post(f"/care/worker/tasks/{task.pk}/record/",
                                              _visit(task, signature=upload()), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 400 and message in response.json()["error"]
    assert "signature" in response.json()["fields"]
    assert not ServiceRecord.objects.exists()


def test_a_phone_clock_a_little_ahead_checks_out_now(care, resident_elder):  # noqa: F811
    task = care.claimed(resident_elder, day=NOW.date(), hours="2")
    record = records.record_visit(care.user("worker1"), task.demand_id, task.demand.version,
                                  started_at=NOW - timedelta(hours=1), ended_at=NOW + timedelta(minutes=2),
                                  confirmed_by="王奎", device_times=True, check_in=("39.9", "116.4"))
    assert record.ended_at == NOW and record.check_out_latitude is None
    with pytest.raises(ValidationFailed):
        records.clean_signature(signature_png(ink=False))


def test_the_auditor_sees_the_signature_and_others_do_not(care, resident_elder):  # noqa: F811
    task = care.claimed(resident_elder, day=NOW.date(), hours="2")
    record = records.record_visit(care.user("worker1"), task.demand_id, task.demand.version,
                                  started_at=NOW - timedelta(hours=2), ended_at=NOW - timedelta(hours=1),
                                  confirmed_by="王奎", signature=signature_png(), check_in=("39.9", "116.4"))
    page = _client(care, "auditor").get("/care/audit/?month=2026-03").content.decode()
    assert f"/care/records/{record.pk}/signature.png" in page and "签到位置 39.900000, 116.400000" in page
    image = _client(care, "auditor").get(f"/care/records/{record.pk}/signature.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert _client(care, "worker2").get(f"/care/records/{record.pk}/signature.png").status_code == 404
