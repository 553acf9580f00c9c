"""Photos are checked and stripped of metadata before they are stored."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from minsheng.core.errors import ValidationFailed
from minsheng.core.images import clean_photo, clean_photos
from minsheng.demands.models import Demand, DemandAttachment

from ..demands.helpers import bring_to


def _jpeg_with_gps(name="p.jpg", size=(64, 48)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (41.0, 52.0, 30.0)}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_metadata_is_removed():
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original.read())).getexif()
    original.seek(0)
    cleaned = Image.open(io.BytesIO(clean_photo(original).read()))
    assert cleaned.format == "JPEG" and not cleaned.getexif() and cleaned.size == (64, 48)


def test_not_an_image_is_refused_with_its_name():
    fake = SimpleUploadedFile("report.pdf", b"%PDF-1.4 not an image", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as exc:
        clean_photo(fake)
    assert "report.pdf" in exc.value.message and "photos" in exc.value.field_errors


def test_too_large_and_too_many_are_refused(settings):
    settings.MINSHENG_MAX_PHOTO_BYTES = 100
    with pytest.raises(ValidationFailed, match="超过"):
        clean_photo(_jpeg_with_gps())
    settings.MINSHENG_MAX_PHOTO_BYTES = 8 * 1024 * 1024
    with pytest.raises(ValidationFailed, match="最多上传 6 张"):
        clean_photos([_jpeg_with_gps() for _ in range(7)])


def test_resident_photos_are_stored_clean_and_shown_only_to_staff_in_scope(client, world):
    data = {"demand_type": "complaint", "category": "construction.roads", "title": "井盖破损",
            "description": "5号楼门口井盖破损，已经有人摔倒。", "address": "玫瑰城第一网格5号楼", "name": "刘芳",
            "phone": "13600002222", "consent": "on", "photos": [_jpeg_with_gps("a.jpg"), _jpeg_with_gps("b.jpg")]}
    assert client.post(reverse("web:submit"), data).status_code == 302
    demand = Demand.objects.get()
    photos = list(DemandAttachment.objects.filter(demand=demand))
    assert len(photos) == 2 and all(not Image.open(p.file.path).getexif() for p in photos)
    assert client.get(reverse("web:attachment", args=[photos[0].pk])).status_code == 302  # login first
    client.force_login(world.users["staff1"])
    assert client.get(reverse("web:attachment", args=[photos[0].pk])).status_code == 200
    client.force_login(world.users["staff2"])
    assert client.get(reverse("web:attachment", args=[photos[0].pk])).status_code == 404


def test_a_bad_photo_loses_nothing_else_typed(client, world):
    data = {"demand_type": "complaint", "category": "construction.roads", "title": "井盖破损",
            "description": "5号楼门口井盖破损。", "address": "玫瑰城第一网格5号楼", "name": "刘芳",
            "phone": "13600002222",
            "consent": "on", "photos": [SimpleUploadedFile("x.txt", b"hello", content_type="text/plain")]}
    response = client.post(reverse("web:submit"), data)
    assert response.status_code == 400 and "x.txt" in response.content.decode()
    assert "5号楼门口井盖破损" in response.content.decode()
    assert not Demand.objects.exists()


def test_handler_resolves_with_a_photo(client, world):
    demand = bring_to(world, "in_progress")
    client.force_login(world.users["handler_cg"])
    response = client.post(reverse("web:act", args=[demand.pk, "resolve"]),
                           {"version": demand.version, "result": "已更换井盖", "photos": [_jpeg_with_gps()]})
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.state == "resolved"
    assert DemandAttachment.objects.get(demand=demand).event_seq == demand.version
