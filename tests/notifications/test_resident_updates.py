"""Updates pushed to the resident: receipt, dispatch, public progress notes and resolution, by SMS
(template key + parameters) and in-app for a resident with an account; an opt-out stops the SMS;
the inbox renders the stored key and parameters in the reader's language."""

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from minsheng.demands import services
from minsheng.demands.registrar import register_batch
from minsheng.notifications import delivery
from minsheng.notifications.models import InAppNotification, OutboxMessage, SmsOptOut
from minsheng.notifications.resident_updates import residents_to_update
from minsheng.notifications.services import set_sms_opt_out
from minsheng.notifications.sms import LocmemSmsBackend
from tests.demands.helpers import PATH, _do, bring_to, register

PHONE = "13700001234"  # the reporter of tests.demands.helpers.register
ACCOUNT_PHONE = "13812341234"  # the world's resident with an account (user "resident")


def _updates(demand, channel="sms") -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(source__startswith=f"update:{demand.pk}:", channel=channel)
                .order_by("pk"))


def test_receipt_dispatch_and_resolution_reach_the_reporter_by_sms(world, settings):
    settings.MINSHENG_PUBLIC_URL = "https://minsheng.example.cn/"
    demand = bring_to(world, "resolved")
    sms = _updates(demand)
    assert [m.key for m in sms] == ["demand.received", "demand.dispatched", "demand.resolved"]
    assert {m.address for m in sms} == {PHONE}
    link = f"https://minsheng.example.cn/track/?number={demand.number}"
    received, dispatched, resolved = sms
    assert received.params == {"number": demand.number, "link": link}
    assert dispatched.params["unit"] == demand.handling_unit.name
    assert dispatched.params["due"] == f"{timezone.localtime(demand.handle_due):%Y-%m-%d %H:%M}"
    assert resolved.params["result"] == "已补装井盖"
    # the stored text, for the record, is the Chinese rendering
    assert received.subject == f"您的诉求已受理：{demand.number}"

    settings.MINSHENG_SMS_BACKEND = "locmem"
    LocmemSmsBackend.sent.clear()
    delivery.deliver_batch()
    texts = [s.text for s in LocmemSmsBackend.sent]
    assert f"您的诉求已受理，编号{demand.number}，可凭编号和手机号后四位查询进度：{link}" in texts
    assert any(demand.handling_unit.name in text for text in texts)


def test_only_progress_notes_marked_for_the_resident_are_pushed(world):
    demand = bring_to(world, "in_progress")
    notes = [f"已联系施工单位，第{random.randint(1, 99)}次现场查看" for _ in range(2)]
    demand = services.record_progress(world.user("handler_cg"), demand.pk, demand.version, note=notes[0])
    services.record_progress(world.user("handler_cg"), demand.pk, demand.version, note=notes[1], public=True)
    progress = [m for m in _updates(demand) if m.key == "demand.progress"]
    assert [m.params["note"] for m in progress] == [notes[1]]


def test_a_resident_with_an_account_also_gets_them_in_app(world):
    demand = bring_to(world, "dispatched", reporter=services.ReporterInput(name="王奎", phone=ACCOUNT_PHONE))
    assert [m.key for m in _updates(demand, "in_app")] == ["demand.received", "demand.dispatched"]
    assert {m.recipient for m in _updates(demand, "in_app")} == {world.user("resident")}
    assert len(_updates(demand, "sms")) == 2


def test_an_opted_out_phone_gets_no_sms_but_keeps_the_inbox(world):
    set_sms_opt_out(ACCOUNT_PHONE, True)
    demand = bring_to(world, "resolved", reporter=services.ReporterInput(name="王奎", phone=ACCOUNT_PHONE))
    assert _updates(demand, "sms") == []
    assert len(_updates(demand, "in_app")) == 3
    set_sms_opt_out(ACCOUNT_PHONE, False)  # undone: the next update goes by SMS again
    other = register(world, reporter=services.ReporterInput(name="王奎", phone=ACCOUNT_PHONE))
    assert [m.key for m in _updates(other, "sms")] == ["demand.received"]


def test_anonymous_reports_get_their_updates_without_anyones_name(world):
    demand = bring_to(world, "dispatched", hide_name=True)
    messages = _updates(demand)
    assert [m.key for m in messages] == ["demand.received", "demand.dispatched"]
    assert not any("张伟" in m.subject + m.body + str(m.params) for m in messages)


def test_the_recipients_come_from_one_function(world):
    demand = bring_to(world, "registered")
    assert [r.phone for r in residents_to_update(demand)] == [PHONE]
    assert residents_to_update(register(world, reporter=None)) == []


def test_residents_who_joined_with_me_too_get_the_updates_after_they_joined(world):
    demand = bring_to(world, "registered")
    joiner = services.ReporterInput(name="邻居", phone="13900005678")
    demand, added = services.join_demand(demand.pk, reporter=joiner, consent=True)
    assert added
    assert [r.phone for r in residents_to_update(demand)] == [PHONE, "13900005678"]
    for actor, action, kwargs in PATH["dispatched"]:
        demand = _do(world, actor, demand, action, **kwargs)
    dispatched = [m for m in _updates(demand) if m.key == "demand.dispatched"]
    assert sorted(m.address for m in dispatched) == sorted([PHONE, "13900005678"])
    # the receipt went out before they joined: only the reporter had it
    assert [m.address for m in _updates(demand) if m.key == "demand.received"] == [PHONE]


def test_demands_registered_together_get_their_receipts(world):
    prepared = [services.prepare_registration(
        world.user("operator"), channel="hotline", demand_type="complaint", title="路灯不亮",
        description="小区东门路灯连续三晚不亮。", region=world.regions["g1"], category="construction.roads",
        reporter=services.ReporterInput(name=f"居民{i}", phone=f"1390000{i:04d}")) for i in range(3)]
    demands = register_batch(prepared)
    receipts = OutboxMessage.objects.filter(key="demand.received", channel="sms")
    assert sorted((m.address, m.params["number"]) for m in receipts) == sorted(
        (f"1390000{i:04d}", d.number) for i, d in enumerate(demands))


def test_the_inbox_renders_stored_messages_in_the_readers_language(world, login):
    demand = bring_to(world, "dispatched", reporter=services.ReporterInput(name="王奎", phone=ACCOUNT_PHONE))
    delivery.deliver_batch()
    client = login("resident")
    chinese = client.get(reverse("web:inbox")).content.decode()
    assert f"您的诉求 {demand.number} 已交 {demand.handling_unit.name} 办理" in chinese
    client.cookies["django_language"] = "en"
    english = client.get(reverse("web:inbox")).content.decode()
    assert f"Your demand {demand.number} was assigned to {demand.handling_unit.name}" in english
    assert "您的诉求" not in english
    grouped = client.get(reverse("web:inbox") + "?group=1")
    assert [row["subject"] for row in grouped.context["page"]] == [
        f"Your demand {demand.number} was assigned to {demand.handling_unit.name}"]


def test_a_message_stored_before_the_catalogue_keeps_its_text(world):
    old = InAppNotification.objects.create(delivery_id="00000000-0000-0000-0000-000000000001",
                                           recipient=world.user("staff1"), subject="旧消息", body="旧内容",
                                           created_at=timezone.now())
    assert (old.title, old.content) == ("旧消息", "旧内容")


@pytest.mark.parametrize("choice", ["off", "on"])
def test_a_resident_opts_out_of_sms_on_the_inbox_page(world, login, choice):
    if choice == "on":
        set_sms_opt_out(ACCOUNT_PHONE, True)
    client = login("resident")
    page = client.get(reverse("web:inbox")).content.decode()
    assert "138****1234" in page and ACCOUNT_PHONE not in page
    client.post(reverse("web:inbox_sms"), {"sms": choice})
    assert SmsOptOut.objects.filter(phone=ACCOUNT_PHONE).exists() is (choice == "off")


def test_an_opted_out_reporter_is_revisited_by_phone_not_by_sms(world):
    from minsheng.core.errors import ValidationFailed
    from minsheng.supervision import revisits

    demand = bring_to(world, "resolved")
    later = timezone.now() + timedelta(days=3)
    assert revisits.auto_link_due(later).filter(pk=demand.pk).exists()
    set_sms_opt_out(PHONE, True)
    with pytest.raises(ValidationFailed):
        revisits.send_revisit_link(world.user("operator"), demand.pk, demand.version)
    assert not revisits.auto_link_due(later).filter(pk=demand.pk).exists()


def test_a_caller_is_opted_out_by_an_administrator_in_any_notation(world, client):
    from django.contrib.auth.models import Permission

    admin_user = world.user("admin")
    admin_user.is_staff = True
    admin_user.save()
    admin_user.user_permissions.add(*Permission.objects.filter(codename__in=["add_smsoptout", "view_smsoptout"]))
    client.force_login(admin_user)
    client.post("/admin/notifications/smsoptout/add/", {"phone": "137-0000-1234"})
    assert list(SmsOptOut.objects.values_list("phone", flat=True)) == [PHONE]
    listing = client.get("/admin/notifications/smsoptout/").content.decode()
    assert "137****1234" in listing and PHONE not in listing
    assert _updates(register(world)) == []  # the caller's next demand sends no SMS


def test_an_invalid_demand_tells_its_residents_why(world):
    demand = bring_to(world, "invalid")
    invalid = [m for m in _updates(demand) if m.key == "demand.invalid"]
    assert len(invalid) == 1 and invalid[0].params["reason"] == "重复来电"
    assert invalid[0].subject == f"您的诉求 {demand.number} 经核实不予受理"


def test_a_merged_demand_tells_its_reporter_and_joiners_which_demand_carries_on(world):
    target = bring_to(world, "dispatched")
    merged = bring_to(world, "pending_dispatch", reporter=services.ReporterInput(name="钱七", phone="13700005678"))
    services.join_demand(merged.pk, reporter=services.ReporterInput(name="孙八", phone="13700009876"), consent=True)
    merged.refresh_from_db()
    services.merge_demand(world.user("dispatcher1"), merged.pk, merged.version, into=target.pk)
    sent = [m for m in _updates(merged) if m.key == "demand.merged"]
    assert {m.address for m in sent} == {"13700005678", "13700009876"}
    assert all(m.params["target"] == target.number for m in sent)
    assert not [m for m in _updates(target) if m.key == "demand.merged"]


def test_an_escalation_names_the_unit_now_handling_it_not_the_staffs_reason(world):
    demand = bring_to(world, "escalated")
    escalated = [m for m in _updates(demand) if m.key == "demand.escalated"]
    assert len(escalated) == 1 and escalated[0].params["unit"] == demand.handling_unit.name
    assert "需要区级协调" not in escalated[0].subject + escalated[0].body + str(escalated[0].params)
