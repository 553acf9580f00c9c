"""The residents' tracking page, like a parcel's: the handling unit, the deadline, every note the
handler meant for the resident, the photos labelled 反映时 / 办理后, the result and the rating."""

import io
import random
import re

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from minsheng.demands import services
from minsheng.demands.models import DemandAttachment
from minsheng.people.models import Resident
from minsheng.web.views import public

from ..demands.helpers import bring_to, register


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo(name: str, colour: str = "red") -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(data, "JPEG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/jpeg")


def _track(client, demand, digits="1234") -> str:
    response = client.post(reverse("web:track"), {"number": demand.number, "phone_last4": digits})
    assert response.status_code == 200
    return response.content.decode()


def _in_progress_with_photos(world, before: int, after: int = 0):
    demand = bring_to(world, "in_progress", photos=[photo(f"b{i}.jpg") for i in range(before)])
    if after:
        demand = services.resolve_demand(world.user("handler_cg"), demand.pk, demand.version, result="已补装井盖",
                                         photos=[photo(f"a{i}.jpg", "green") for i in range(after)])
    return demand


def test_tracking_shows_the_handling_unit_and_the_deadline(client, world):
    demand = bring_to(world, "in_progress")
    page = _track(client, demand)
    unit = re.search(r'id="handling-unit">(.*?)</dd>', page, re.S).group(1)
    assert "区城管局" in unit
    deadline = re.search(r'id="deadline"[^>]*>(.*?)</dd>', page, re.S).group(1)
    assert demand.handle_due.astimezone().strftime("%Y-%m-%d %H:%M") in deadline


def test_tracking_before_dispatch_says_no_unit_yet(client, world):
    page = _track(client, bring_to(world, "registered"))
    assert "尚未派单" in page and 'id="deadline"' not in page


def test_tracking_shows_the_notes_marked_for_the_resident_and_no_others(client, world):
    demand = bring_to(world, "in_progress")
    handler = world.user("handler_cg")
    demand = services.record_progress(handler, demand.pk, demand.version, note="已联系施工队，周三到场", public=True)
    demand = services.record_progress(handler, demand.pk, demand.version, note="施工队报价偏高，内部协调中")
    page = _track(client, demand)
    assert "已联系施工队，周三到场" in page
    assert "内部协调中" not in page


def test_tracking_labels_each_photo_by_the_step_that_added_it(client, world):
    before, after = random.randint(1, 3), random.randint(1, 3)
    demand = _in_progress_with_photos(world, before, after)
    page = _track(client, demand)
    assert page.count("photo-before") == before and page.count("photo-after") == after
    assert page.count("stage-before") == before and page.count("stage-after") == after
    # Who added them: the handler's role and unit, never the reporter's name.
    assert "部门承办人 · 区城管局" in page and "张伟" not in page
    assert 'id="result"' in page and "已补装井盖" in page
    links = re.findall(r'<img src="(/track/photos/[^"]+)"', page)
    assert len(links) == before + after
    for link in links:
        response = client.get(link)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_a_photo_link_cannot_be_forged_or_used_long_after(client, world, monkeypatch):
    demand = _in_progress_with_photos(world, 1)
    item = DemandAttachment.objects.get(demand=demand)
    assert client.get(reverse("web:track_photo", args=[str(item.pk)])).status_code == 404
    forged = signing.dumps(item.pk, salt="another-salt")
    assert client.get(reverse("web:track_photo", args=[forged])).status_code == 404
    good = signing.dumps(item.pk, salt=public.TRACK_PHOTO_SALT)
    assert client.get(reverse("web:track_photo", args=[good])).status_code == 200
    monkeypatch.setattr(public, "TRACK_PHOTO_MAX_AGE", -1)
    assert client.get(reverse("web:track_photo", args=[good])).status_code == 404


def test_a_merged_demands_resident_sees_the_result_photos_not_the_other_reporters(client, world):
    target = register(world, reporter=Resident.objects.get(phone="13900001111"), photos=[photo("other.jpg")])
    for actor, action, kwargs in [("staff1", "verify", {}), ("dispatcher1", "dispatch", {}),
                                  ("handler_cg", "accept", {})]:
        target = services.SERVICE_FOR_ACTION[action](world.user(actor), target.pk, target.version, **kwargs)
    target = services.resolve_demand(world.user("handler_cg"), target.pk, target.version, result="已补装井盖",
                                     photos=[photo("done.jpg", "green")])
    duplicate = bring_to(world, "registered")
    services.merge_demand(world.user("dispatcher1"), duplicate.pk, duplicate.version, into=target.pk)
    page = _track(client, duplicate)
    merged = page[page.index('id="merged-progress"'):]
    assert merged.count("photo-after") == 1 and "photo-before" not in merged


def test_the_resolved_demand_asks_the_two_questions(client, world):
    page = _track(client, bring_to(world, "resolved"))
    form = page[page.index('id="rating"'):]
    assert 'name="solved"' in form and 'name="satisfaction"' in form
    assert "问题是否解决" in form and "满意度" in form


def test_the_rating_given_is_shown_afterwards(client, world):
    demand = bring_to(world, "revisited_dissatisfied")
    page = _track(client, demand)
    assert "未解决" in page and "不满意" in page and 'id="rating"' not in page
