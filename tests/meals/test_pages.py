import io
from datetime import date, timedelta
from unittest import mock

from openpyxl import load_workbook

from minsheng.ledger.models import Account
from minsheng.meals import services
from minsheng.meals.models import Meal, SafetyCheck


def test_counter_takes_a_meal_by_card_and_masks_the_phone(login, canteens):
    client = login("staff1")
    c1 = canteens["c1"]
    page = client.get(f"/meals/canteens/{c1.pk}/counter/?card=ZC0002")
    assert page.status_code == 200 and 'value="ZC0002"' in page.content.decode()
    answer = client.post(f"/meals/canteens/{c1.pk}/counter/", {"code": "ZC0002", "sitting": "lunch"}, follow=True)
    body = answer.content.decode()
    meal = Meal.objects.get(diner=canteens["diners"]["li"])
    assert meal.way == "counter" and meal.elder == 3
    assert "李秀英" in body and "139****1111" in body and "13900001111" not in body
    again = client.post(f"/meals/canteens/{c1.pk}/counter/", {"code": "ZC0002", "sitting": "lunch"})
    assert again.status_code == 400 and "不能重复" in again.content.decode()


def test_counter_and_canteen_pages_follow_scope(login, canteens):
    c1 = canteens["c1"]
    assert login("staff2").get(f"/meals/canteens/{c1.pk}/counter/").status_code == 404
    assert login("staff2").get(f"/meals/canteens/{c1.pk}/").status_code == 404
    assert login("auditor").get(f"/meals/canteens/{c1.pk}/counter/").status_code == 404  # reads, no counter
    assert login("auditor").get(f"/meals/canteens/{c1.pk}/").status_code == 200
    assert login("resident").get("/meals/").status_code == 404
    home = login("staff1").get("/meals/").content.decode()
    assert c1.name in home and canteens["c2"].name not in home


def test_booking_a_delivery_and_the_volunteer_page(world, login, canteens, volunteer):
    c1, li = canteens["c1"], canteens["diners"]["li"]
    answer = login("staff1").post(f"/meals/canteens/{c1.pk}/book/", {
        "diner": li.pk, "day": date.today().isoformat(), "sitting": "dinner", "channel": "phone", "deliver": "on"})
    assert answer.status_code == 302
    delivery = Meal.objects.get(diner=li).delivery
    client = login("volunteer")
    page = client.get("/meals/deliveries/").content.decode()
    assert "李秀英" in page and "13900001111" not in page
    client.post(f"/meals/deliveries/{delivery.demand_id}/claim/", {"version": delivery.demand.version})
    delivery.demand.refresh_from_db()
    client.post(f"/meals/deliveries/{delivery.demand_id}/deliver/", {"version": delivery.demand.version,
                                                                    "note": "已送到"})
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert Account.objects.get(volunteer=volunteer, measure="hours").balance_cents == 50
    assert "已送达" in client.get("/meals/deliveries/").content.decode()
    assert login("staff1").get("/meals/deliveries/").status_code == 404


def test_booking_refusal_comes_back_on_the_form(login, canteens):
    c1 = canteens["c1"]
    answer = login("staff1").post(f"/meals/canteens/{c1.pk}/book/", {
        "diner": canteens["diners"]["wang"].pk, "day": (date.today() - timedelta(days=2)).isoformat(),
        "sitting": "lunch", "channel": "phone"})
    assert answer.status_code == 400 and "不能预订过去日期的用餐" in answer.content.decode()


def test_statement_page_excel_and_pdf(world, login, canteens):
    c1 = canteens["c1"]
    services.take_meal(world.user("staff1"), c1, code="ZC0001", sitting="lunch", day=date(2026, 4, 8))
    services.take_meal(world.user("staff1"), c1, code="ZC0002", sitting="lunch", day=date(2026, 4, 8))
    client = login("dispatcher1")
    page = client.get(f"/meals/canteens/{c1.pk}/statement/?month=2026-04&funder=collective").content.decode()
    assert "ZC0001" in page and "08午" in page and "3.00" in page  # 1.00 + 2.00 collective
    with mock.patch.object(Meal, "from_db", side_effect=AssertionError("a model per meal")):
        xlsx = client.get(f"/meals/canteens/{c1.pk}/statement/?month=2026-04&funder=collective&format=xlsx")
        body = b"".join(xlsx.streaming_content)
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(body)).active.values)
    assert rows[0][:6] == ("助餐卡号", "姓名", "价格档", "日期", "餐次", "方式")
    meals = {(m.diner.card_number, m.get_tier_display(), m.get_sitting_display(), m.get_way_display(),
              float(m.price), float(m.collective)) for m in Meal.objects.filter(canteen=c1)}
    assert {(r[0], r[2], r[4], r[5], r[6], r[7]) for r in rows[1:]} == meals and len(rows) == 3
    assert {r[3].date() for r in rows[1:]} == {date(2026, 4, 8)} and rows[1][1]
    pdf = client.get(f"/meals/canteens/{c1.pk}/statement/?month=2026-04&format=pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content if pdf.streaming else [pdf.content])[:4] == b"%PDF"
    client.post(f"/meals/canteens/{c1.pk}/statement/issue/?month=2026-04")
    assert c1.statements.get().meal_count == 2
    assert login("staff2").get(f"/meals/canteens/{c1.pk}/statement/").status_code == 404


def test_safety_check_needs_a_photo(login, canteens, tiny_jpeg):
    c1 = canteens["c1"]
    client = login("staff1")
    answer = client.post(f"/meals/canteens/{c1.pk}/safety/", {"on": date.today().isoformat(), "passed": "on",
                                                              "note": "后厨整洁，留样齐全"})
    assert answer.status_code == 400 and "至少一张" in answer.content.decode()
    answer = client.post(f"/meals/canteens/{c1.pk}/safety/", {"on": date.today().isoformat(), "passed": "on",
                                                              "note": "后厨整洁，留样齐全", "photos": [tiny_jpeg()]})
    assert answer.status_code == 302
    photo = SafetyCheck.objects.get().photos.get()
    assert client.get(f"/meals/safety-photos/{photo.pk}/").status_code == 200
    assert login("staff2").get(f"/meals/safety-photos/{photo.pk}/").status_code == 404


def test_an_unregistered_volunteer_is_told_why_nothing_can_be_claimed(world, login, canteens):
    services.book_meal(world.user("staff1"), canteens["diners"]["li"].pk, day=date.today(), sitting="lunch",
                       channel="phone", deliver=True)
    page = login("volunteer").get("/meals/deliveries/").content.decode()
    assert 'id="not-registered"' in page and "李秀英" not in page


def test_a_delivery_confirmed_offline_is_recorded_and_credited_once(world, login, canteens, volunteer):
    """The volunteer's phone queues 确认送达 at the door and sends it again when the signal returns
    (the answer of the first send may be lost): one delivery, one credit of hours."""
    import uuid

    from minsheng.demands.models import DemandEvent

    c1, li = canteens["c1"], canteens["diners"]["li"]
    login("staff1").post(f"/meals/canteens/{c1.pk}/book/", {
        "diner": li.pk, "day": date.today().isoformat(), "sitting": "dinner", "channel": "phone", "deliver": "on"})
    delivery = Meal.objects.get(diner=li).delivery
    client = login("volunteer")
    client.post(f"/meals/deliveries/{delivery.demand_id}/claim/", {"version": delivery.demand.version})
    delivery.demand.refresh_from_db()
    page = client.get("/meals/deliveries/").content.decode()
    assert "data-queue" in page.split(f'id="delivery-{delivery.demand_id}"', 1)[1].split("</article>", 1)[0]
    url, key = f"/meals/deliveries/{delivery.demand_id}/deliver/", str(uuid.uuid4())
    data = {"version": delivery.demand.version, "note": "放在门口，已电话告知"}
    first = client.post(url, data, HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(url, data, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201 and again.status_code == 200, first.content
    assert again["Idempotent-Replayed"] == "true" and first.json() == again.json()
    assert "送达" in first.json()["message"]
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert Account.objects.get(volunteer=volunteer, measure="hours").balance_cents == 50
    assert DemandEvent.objects.filter(demand_id=delivery.demand_id, action="deliver_meal").count() == 1
    # Another key for the same delivery is a second attempt: refused with the reason, as JSON.
    other = client.post(url, data, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert other.status_code in (400, 409) and other.json()["error"]


def test_the_volunteer_sees_what_they_carry_then_what_waits_then_the_record(world, login, canteens, volunteer):
    """A month of deliveries used to put dozens of delivered cards above the meals waiting for
    someone; now: what one carries, what waits to be claimed, and the record folded below."""
    c1, li = canteens["c1"], canteens["diners"]["li"]
    staff = login("staff1")
    for offset, sitting in ((0, "dinner"), (1, "lunch"), (1, "dinner")):
        staff.post(f"/meals/canteens/{c1.pk}/book/", {"diner": li.pk, "sitting": sitting, "channel": "phone",
                                                      "day": (date.today() + timedelta(days=offset)).isoformat(),
                                                      "deliver": "on"})
    first, carried, waiting = [m.delivery for m in Meal.objects.filter(diner=li).order_by("day", "sitting")]
    client = login("volunteer")
    for delivery in (first, carried):
        delivery.demand.refresh_from_db()
        client.post(f"/meals/deliveries/{delivery.demand_id}/claim/", {"version": delivery.demand.version})
    first.demand.refresh_from_db()
    client.post(f"/meals/deliveries/{first.demand_id}/deliver/", {"version": first.demand.version, "note": ""})
    page = client.get("/meals/deliveries/").content.decode()
    holding, claimable, record = (page.index('id="my-deliveries"'), page.index('id="claimable"'),
                                  page.index('id="delivered"'))
    assert holding < page.index(f'id="delivery-{carried.demand_id}"') < claimable
    assert claimable < page.index(f"/meals/deliveries/{waiting.demand_id}/claim/") < record
    assert record < page.index(f'id="delivery-{first.demand_id}"') and "已送达" in page[record:]
    assert "我正在送（1）" in page and "待认领的送餐（1）" in page
