"""Notices to residents: targeting, refusal outside scope, delivery and read counts, replies and a
reply turned into a demand (docs/estates.md)."""

import random

import pytest

from minsheng.core.errors import OutOfScope, PermissionDenied, ValidationFailed
from minsheng.notifications import notices
from minsheng.notifications.delivery import deliver_batch
from minsheng.notifications.models import InAppNotification, NoticeRecipient, OutboxMessage
from minsheng.people.models import Resident, VulnerableTag
from tests.grids.estate_world import build_estate, make_chief, resident_account


@pytest.fixture
def ew(world):
    return build_estate(world)


def _send(user, region, **extra):
    return notices.send_notice(user, region=region, title="停水通知", body="明天 9 点至 12 点停水，请提前储水。",
                               **extra)


def test_counts_equal_recipients_by_region_and_group(world, ew):
    alone = VulnerableTag.objects.get(code="elderly_alone")
    rng = random.Random()
    extra = [Resident.objects.create(name=f"居民{i}", phone=f"1360000{i:04d}", house=rng.choice(ew.houses),
                                     region=ew.building) for i in range(rng.randint(1, 6))]
    tagged = [r for r in extra if rng.random() < 0.5]
    for r in tagged:
        r.tags.add(alone)
    notice = _send(world.user("staff1"), ew.building)
    assert notices.counts(notice).recipients == len(ew.residents) + len(extra)
    to_elders = _send(world.user("staff1"), ew.building, tag=alone)
    expected = {ew.residents[0].pk, ew.residents[2].pk, *(r.pk for r in tagged)}
    assert set(to_elders.recipients.values_list("resident_id", flat=True)) == expected
    unit = _send(world.user("staff1"), ew.entrances[1])
    assert set(unit.recipients.values_list("resident_id", flat=True)) == {ew.residents[3].pk} | {
        r.pk for r in extra if r.house == ew.houses[2]}
    # the grid reaches the estate's residents and those registered on the grid itself
    grid = _send(world.user("gridworker"), world.regions["g1"])
    assert grid.recipients.count() == Resident.objects.filter(
        pk__in=[*(r.pk for r in ew.residents), *(r.pk for r in extra)]).count() + 2


def test_refused_outside_scope_with_a_clear_message(world, ew, login):
    with pytest.raises(OutOfScope, match="不在你的管辖范围内"):
        _send(world.user("staff2"), ew.building)
    chief = make_chief(world, ew, kind="entrance", region=ew.entrances[0])
    with pytest.raises(OutOfScope):
        _send(chief.user, ew.entrances[1])
    with pytest.raises(PermissionDenied):
        _send(world.user("handler_cg"), ew.building)
    response = login("staff2").post("/work/notices/new/", {"region": ew.building.pk, "title": "t", "body": "b"})
    assert response.status_code == 200 and "不在你的管辖范围内" in response.content.decode()
    assert not NoticeRecipient.objects.exists()


def test_chief_sends_to_own_building(world, ew):
    chief = make_chief(world, ew)
    notice = _send(chief.user, ew.building)
    assert notice.recipients.count() == len(ew.residents)
    assert notices.sender_name(chief.user, ew.building) == "玫瑰园1号楼楼栋长"


def test_delivery_and_read_counts(world, ew, client):
    users = [resident_account(r, f"r{i}") for i, r in enumerate(ew.residents[:3])]
    notice = _send(world.user("staff1"), ew.building, by_sms=True, by_letter=True)
    counts = notices.counts(notice)
    assert (counts.recipients, counts.in_app, counts.sms_sent, counts.read) == (4, 0, 4, 0)
    assert counts.letters == 3  # three households
    while deliver_batch():
        pass
    counts = notices.counts(notice)
    assert counts.in_app == 3 and counts.sms_delivered == 4
    client.force_login(users[0])
    page = client.get(f"/my/notices/{notice.pk}/").content.decode()
    assert "明天 9 点至 12 点停水" in page
    client.get(f"/my/notices/{notice.pk}/")  # read twice: counted once
    assert notices.counts(notice).read == 1
    assert InAppNotification.objects.get(recipient=users[0], link=notices.notice_link(notice)).read_at is not None
    other = _send(world.user("staff1"), ew.entrances[1])
    assert client.get(f"/my/notices/{other.pk}/").status_code == 404  # not this resident's
    assert OutboxMessage.objects.filter(channel="sms", status="delivered").count() == 4


def test_reply_becomes_a_demand_once(world, ew, client, login):
    user = resident_account(ew.residents[2], "r2")
    notice = _send(world.user("staff1"), ew.building)
    client.force_login(user)
    client.post(f"/my/notices/{notice.pk}/", {"body": "我家水管漏水，停水时能来修一下吗？"})
    answer = notice.recipients.get(resident=ew.residents[2]).replies.get()
    with pytest.raises(PermissionDenied):
        notices.reply_to_demand(world.user("staff2"), answer.pk)  # another community registers nothing here
    response = login("staff1").post(f"/work/notices/replies/{answer.pk}/demand/")
    answer.refresh_from_db()
    demand = answer.demand
    assert response.status_code == 302 and demand is not None
    assert demand.reporter == ew.residents[2] and demand.region == ew.entrances[0]
    assert demand.description == "我家水管漏水，停水时能来修一下吗？"
    with pytest.raises(ValidationFailed, match="已转为诉求"):
        notices.reply_to_demand(world.user("staff1"), answer.pk)


def test_letter_pdf_one_page_per_household(world, ew, login):
    notice = _send(world.user("staff1"), ew.building, by_letter=True)
    response = login("staff1").get(f"/work/notices/{notice.pk}/letter.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string("grids/notice_letter.html", {"notice": notice, "pages": notices.letter_pages(notice),
                                                         "sender": "玫瑰城社区居委会"})
    assert len(HTML(string=html).render().pages) == 3 == notices.counts(notice).letters  # three households


def test_replies_stay_with_staff_and_the_sender(world, ew, client, login):
    user = resident_account(ew.residents[3], "r3")
    chief = make_chief(world, ew)
    by_staff = _send(world.user("staff1"), ew.building)
    by_chief = _send(chief.user, ew.building)
    for notice in (by_staff, by_chief):
        notices.reply(user, notice.pk, f"回复{notice.pk}")
    notices.reply_to_demand(world.user("staff1"), by_staff.recipients.get(resident=ew.residents[3]).replies.get().pk)
    client.force_login(chief.user)
    page = client.get(f"/work/notices/{by_staff.pk}/").content.decode()
    assert f"回复{by_staff.pk}" not in page and "/work/demands/" not in page
    assert f"回复{by_chief.pk}" in client.get(f"/work/notices/{by_chief.pk}/").content.decode()
    staff_page = login("staff1").get(f"/work/notices/{by_staff.pk}/").content.decode()
    assert f"回复{by_staff.pk}" in staff_page and "/work/demands/" in staff_page
