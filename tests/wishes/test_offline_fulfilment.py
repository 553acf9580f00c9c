"""A volunteer's wish fulfilment queued offline on the phone (issue 26 item 6): sent later with its
idempotency key, recorded exactly once, refused with the same reasons as online."""

import json
import random
import uuid

import pytest
from django.urls import reverse

from minsheng.demands.models import DemandAttachment, DemandEvent
from minsheng.demands.workflow import State
from minsheng.integrations.models import IdempotencyRecord
from minsheng.wishes.models import WishClaim

from .helpers import act, party, wish_at

pytestmark = pytest.mark.django_db

MINE = "/wishes/mine/"


@pytest.fixture
def claimed(world):
    party(world)
    wish = wish_at(world, "claimed")
    return wish, WishClaim.objects.get(demand=wish)


def _form(wish, claim_row, **extra) -> dict:
    hours = f"{random.randint(1, 40) / 10:.1f}"
    return {"claim": claim_row.pk, "version": wish.version, "result": f"已上门送去助听器并调试好（{hours} 小时）",
            "hours": hours, **extra}


def test_a_queued_fulfilment_sent_twice_is_recorded_once(world, login, tiny_jpeg, claimed):
    wish, claim = claimed
    client = login("volunteer")
    key = str(uuid.uuid4())
    data = _form(wish, claim)
    first = client.post(MINE, {**data, "photos": tiny_jpeg()}, HTTP_IDEMPOTENCY_KEY=key,
                        HTTP_X_MINSHENG_ACCOUNT=str(world.users["volunteer"].pk))
    assert first.status_code == 201, first.content
    assert first.json()["number"] == wish.number and "等待居民确认" in first.json()["message"]
    # The answer was lost in a basement: the phone sends the same item again, photo and all.
    again = client.post(MINE, {**data, "photos": tiny_jpeg()}, HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    wish.refresh_from_db()
    claim.refresh_from_db()
    assert wish.state == State.RESOLVED and str(claim.hours) == data["hours"]
    assert DemandEvent.objects.filter(demand=wish, action="fulfil_wish").count() == 1
    assert DemandAttachment.objects.filter(demand=wish).count() == 1
    assert IdempotencyRecord.objects.filter(key=key).count() == 1
    # The page shown afresh says it once (the flash of the first answer only).
    page = client.get(MINE).content.decode()
    assert page.count("已记录心愿实现情况") == 1
    # A second fulfilment under another key is the same refusal as online.
    other = client.post(MINE, data, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert other.status_code == 409 and "已经提交过" in other.json()["error"]
    assert DemandEvent.objects.filter(demand=wish, action="fulfil_wish").count() == 1


def test_a_wish_given_back_meanwhile_is_refused_with_what_happened(world, login, claimed):
    wish, claim = claimed
    data = _form(wish, claim)
    act(world, "staff1", wish, "release_wish", reason="认领人长期联系不上")  # while the phone was offline
    client = login("volunteer")
    queued = client.post(MINE, data, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert queued.status_code == 409
    answer = queued.json()
    assert "退回心愿墙" in answer["error"] and "认领人长期联系不上" in answer["error"]
    assert not IdempotencyRecord.objects.exists()  # nothing stored: the phone keeps it, marked
    # Online, the form says the same.
    online = client.post(MINE, data)
    assert online.status_code == 409 and "认领人长期联系不上" in online.content.decode()
    wish.refresh_from_db()
    assert wish.state == State.PENDING_DISPATCH
    assert not DemandEvent.objects.filter(demand=wish, action="fulfil_wish").exists()


def test_a_queued_form_with_an_error_is_refused_as_json(world, login, claimed):
    wish, claim = claimed
    client = login("volunteer")
    bad = client.post(MINE, _form(wish, claim, hours="-1"), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert bad.status_code == 400 and "hours" in bad.json()["fields"]
    empty = client.post(MINE, _form(wish, claim, result=" "), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert empty.status_code == 400 and empty.json()["error"]
    unknown = client.post(MINE, _form(wish, claim, claim=claim.pk + 999), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert unknown.status_code == 404 and unknown.json()["error"]
    assert not IdempotencyRecord.objects.exists()


def test_an_item_of_another_account_is_kept_for_it(world, login, claimed):
    """The service worker sends every account's items (it does not know who is signed in): an item
    queued by another account is answered "retry" and recorded under nobody's name."""
    wish, claim = claimed
    client = login("volunteer")
    other = world.users["staff1"].pk
    kept = client.post(MINE, _form(wish, claim), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
                       HTTP_X_MINSHENG_ACCOUNT=str(other))
    assert kept.status_code == 409 and kept.json()["retry"] is True
    assert not DemandEvent.objects.filter(demand=wish, action="fulfil_wish").exists()
    assert not IdempotencyRecord.objects.exists()


def test_the_fulfil_form_is_queued_on_the_phone_and_the_page_kept_for_offline(world, login, claimed):
    _wish, claim = claimed
    body = login("volunteer").get(reverse("wishes:mine")).content.decode()
    form = body.split(f'id="claim-{claim.pk}"', 1)[1].split("</form>", 1)[0]
    assert "data-queue " in form and "data-queue-reload" in form and 'action="/wishes/mine/"' in form
    assert "required" in form.split('name="result"', 1)[1].split(">", 1)[0]
    config = json.loads(body.split('<script id="field-config" type="application/json">', 1)[1].split("</script>")[0])
    assert {"url": "/wishes/mine/", "list": False} in config["warm"]
    assert "web/outbox.js" in body.split("web/field.js", 1)[0]  # the shared queue, loaded first
