"""The aid pages: scope of every list, masking and the logged reveal, searching that never gets
round the mask, the forms' refusals, and the exports' totals."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from minsheng.aid import services
from minsheng.aid.models import Gift
from minsheng.people.models import PersonalDataAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def gifts(world, aid):
    staff = world.user("staff1")
    common = {"given_on": aid["day"], "campaign": aid["campaign"]}
    rows = [services.record_gift(staff, giver=aid["office"], recipient=aid["wang"], kind="money", value="800",
                                 **common),
            services.record_gift(staff, giver=aid["company"], recipient=aid["wang"], kind="goods", item="大米",
                                 unit="袋", quantity="2", **common),
            services.record_gift(staff, giver=aid["office"], recipient=aid["li"], kind="money", value="300.25",
                                 health_related=True, note="住院慰问", **common)]
    services.record_gift(world.user("staff2"), giver=aid["other"], recipient=aid["lei"], kind="money", value="999",
                         given_on=aid["day"])
    return rows


def test_the_overview_and_the_campaign_show_their_totals(login, aid, gifts):
    page = login("dispatcher1").get("/work/aid/")
    body = page.content.decode()
    assert page.status_code == 200 and "春节慰问" in body and "1220.25" in body  # 800 + 120 + 300.25
    page = login("dispatcher1").get(f"/work/aid/campaigns/{aid['campaign'].pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "5600.00" in body and "4379.75" in body  # received 5600, balance left


def test_every_list_keeps_to_its_scope(login, aid, gifts):
    other = login("staff2").get("/work/aid/recipients/").content.decode()
    assert "雷大爷" in other and "王奎" not in other
    assert login("staff2").get(f"/work/aid/campaigns/{aid['campaign'].pk}/").status_code == 404
    assert login("staff2").get(f"/work/aid/recipients/{aid['wang'].pk}/").status_code == 404
    mine = login("staff1").get("/work/aid/recipients/").content.decode()
    assert "王奎" in mine and "雷大爷" not in mine and "多方慰问" in mine  # 王奎: the office and the company
    assert login("resident").get("/work/aid/").status_code == 404
    assert login("handler_cg").get("/work/aid/recipients/").status_code == 404


def test_sensitive_aid_is_masked_for_leaders_and_not_found_by_name(login, aid, gifts):
    page = login("leader").get("/work/aid/recipients/").content.decode()
    assert "李**" in page and "李秀英" not in page and "139****1111" in page
    by_name = login("leader").get("/work/aid/recipients/", {"q": "李秀英"}).content.decode()
    assert "李**" not in by_name and "没有符合条件的慰问记录" in by_name
    assert "住院" not in login("leader").get(f"/work/aid/recipients/{aid['li'].pk}/").content.decode()
    refused = login("leader").get("/work/aid/recipients/?q=13900001111")  # a phone search: not for a leader
    assert refused.status_code == 400 and "李秀英" not in refused.content.decode()
    assert "李秀英" in login("staff1").get("/work/aid/recipients/").content.decode()


def test_a_reveal_is_logged_and_a_phone_search_too(login, aid, gifts):
    client = login("staff1")
    page = client.get(f"/work/aid/recipients/{aid['wang'].pk}/").content.decode()
    assert "138****1234" in page and "13812341234" not in page
    revealed = client.post(f"/work/aid/recipients/{aid['wang'].pk}/").content.decode()
    assert "13812341234" in revealed
    assert PersonalDataAccess.objects.filter(resident=aid["wang"], fields="phone,id_number").count() == 1
    assert login("leader").post(f"/work/aid/recipients/{aid['wang'].pk}/").status_code == 200
    assert PersonalDataAccess.objects.filter(resident=aid["wang"]).count() == 1  # the leader was refused
    client = login("staff1")  # the fixture's one client, signed in again
    found = client.get("/work/aid/recipients/", {"q": "王奎1234"}).content.decode()
    assert "王奎" in found and PersonalDataAccess.objects.filter(subject="王奎 ****1234").exists()
    assert client.get("/work/aid/recipients/?q=1234").status_code == 400  # part of a number alone


def test_the_gift_form_records_and_refuses_on_its_fields(login, world, aid):
    client = login("staff1")
    url = f"/work/aid/campaigns/{aid['campaign'].pk}/gifts/"
    form = {"recipient": aid["li"].pk, "giver": aid["office"].pk, "given_on": aid["day"].isoformat(),
            "kind": "goods", "item": "大米", "unit": "袋", "quantity": "11"}
    refused = client.post(url, form)
    assert refused.status_code == 400 and "结余不足" in refused.content.decode()
    form["quantity"] = "-1"
    assert "数量必须大于零" in client.post(url, form).content.decode()
    form["quantity"] = "3"
    assert client.post(url, form).status_code == 302
    assert Gift.objects.get().value == Decimal("180.00")
    form["recipient"] = aid["lei"].pk  # outside the campaign and the recorder's territory
    assert client.post(url, form).status_code == 400 and Gift.objects.count() == 1
    # With no search the form offers the people in difficulty not yet visited in the campaign (李秀英
    # now was); a search finds anyone of the area.
    page = client.get(f"/work/aid/campaigns/{aid['campaign'].pk}/").content.decode()
    assert f'name="recipient" value="{aid["li"].pk}"' not in page and "没有尚未慰问的困难群众" in page
    page = client.get(f"/work/aid/campaigns/{aid['campaign'].pk}/", {"q": "王奎"}).content.decode()
    assert f'name="recipient" value="{aid["wang"].pk}"' in page


def test_the_campaign_exports_carry_its_totals(login, aid, gifts):
    response = login("dispatcher1").get(f"/work/aid/campaigns/{aid['campaign'].pk}/?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sum(Decimal(str(r[7])) for r in rows[:-1]) == Decimal(str(rows[-1][7])) == Decimal("1220.25")
    assert rows[-1][1] == "合计" and len(rows) == 4
    pdf = login("dispatcher1").get(f"/work/aid/campaigns/{aid['campaign'].pk}/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    response = login("leader").get("/work/aid/recipients/?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[-1][4] == float(Decimal("2219.25")) or Decimal(str(rows[-1][4])) == Decimal("2219.25")
    assert sum(Decimal(str(r[4])) for r in rows[:-1]) == Decimal("2219.25")
    assert "李**" in [r[0] for r in rows] and "13812341234" not in str(rows)


def test_voiding_from_the_page(login, aid, gifts):
    gift = gifts[0]
    assert login("staff1").post(f"/work/aid/gift/{gift.pk}/void/", {"reason": "重复"}).status_code == 302
    gift.refresh_from_db()
    assert gift.status == "void"
    assert login("staff2").post(f"/work/aid/gift/{gifts[1].pk}/void/", {"reason": "x"}).status_code == 404


def test_a_sensitive_gifts_photo_is_neither_linked_nor_served_to_a_leader(login, world, aid):
    import io as _io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = _io.BytesIO()
    Image.new("RGB", (40, 30), (200, 50, 50)).save(buffer, format="JPEG")
    gift = services.record_gift(world.user("staff1"), giver=aid["office"], recipient=aid["li"], kind="money",
                                value="100", given_on=aid["day"], campaign=aid["campaign"], health_related=True,
                                photo=SimpleUploadedFile("a.jpg", buffer.getvalue(), content_type="image/jpeg"))
    photo = f"/work/aid/gifts/{gift.pk}/photo/"
    assert photo in login("staff1").get(f"/work/aid/campaigns/{aid['campaign'].pk}/").content.decode()
    assert login("staff1").get(photo).status_code == 200
    assert photo not in login("leader").get(f"/work/aid/campaigns/{aid['campaign'].pk}/").content.decode()
    assert login("leader").get(photo).status_code == 404
