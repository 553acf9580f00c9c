"""The co-building pages: the residents' resource list and booking, a member unit's page with the
contact masked and its reveal logged, a department's activity form, bookings' actions, 双报到 and
the monthly list in Excel and PDF."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from minsheng.cobuild import services
from minsheng.cobuild.models import Booking
from minsheng.core import clock
from minsheng.ledger import services as ledger
from minsheng.party.models import PartyMember
from minsheng.people.models import PersonalDataAccess, Resident

from .helpers import alliance, at

pytestmark = pytest.mark.django_db


def _local(moment) -> str:

    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_residents_browse_the_shared_resources_with_the_contact_masked(world, client, login):
    setup = alliance(world)
    page = client.get("/cobuild/resources/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "学校礼堂" in text and "光明小学" in text and "136****4444" in text and "13633334444" not in text
    assert "登录后预约" in text
    other = client.get("/cobuild/resources/", {"kind": "venue"}).content.decode()
    assert "学校礼堂" in other and "折叠椅" not in other
    resident = login("resident")
    # The resident's own community is picked; the link is on the residents' navigation.
    page = resident.get("/cobuild/resources/")
    assert "（我的社区）" in page.content.decode() and 'href="/cobuild/resources/"' in page.content.decode()
    assert f"/cobuild/resources/{setup.hall.pk}/book/" in page.content.decode()


def test_a_resident_books_and_a_conflict_comes_back_on_the_form(world, login):
    setup = alliance(world)
    client = login("resident")
    form = {"community": world.regions["c1"].pk, "starts_at": _local(at(3, 9)), "ends_at": _local(at(3, 11)),
            "quantity": 1, "purpose": "老年合唱队排练"}
    done = client.post(f"/cobuild/resources/{setup.hall.pk}/book/", form)
    assert done.status_code == 302
    booking = Booking.objects.get()
    assert booking.booked_by == world.users["resident"] and booking.state == "pending"
    again = client.post(f"/cobuild/resources/{setup.hall.pk}/book/", {**form, "starts_at": _local(at(3, 10))})
    assert again.status_code == 400
    assert "该时段已被预约" in again.content.decode()
    mine = client.get("/cobuild/bookings/").content.decode()
    assert "老年合唱队排练" in mine and "待审批" in mine
    cancel = client.post(f"/cobuild/bookings/{booking.pk}/cancel/", {"next": "/cobuild/bookings/"})
    assert cancel.status_code == 302
    booking.refresh_from_db()
    assert booking.state == "cancelled"


def test_the_member_units_page_masks_the_contact_and_logs_a_reveal(world, login):
    setup = alliance(world)
    client = login("staff1")
    page = client.get(f"/work/cobuild/members/{setup.school.pk}/").content.decode()
    assert "136****4444" in page and "13633334444" not in page and "学校礼堂" in page
    assert client.post(f"/work/cobuild/members/{setup.school.pk}/reveal/").status_code == 302
    assert "13633334444" in client.get(f"/work/cobuild/members/{setup.school.pk}/").content.decode()
    access = PersonalDataAccess.objects.get()
    assert access.viewer == world.users["staff1"] and "光明小学" in access.subject
    # Out of scope: another community's staff find no such unit.
    assert login("staff2").get(f"/work/cobuild/members/{setup.school.pk}/").status_code == 404
    # A leader reaches no co-building page (no register of their own), and reveals nothing.
    assert login("leader").get(f"/work/cobuild/members/{setup.school.pk}/").status_code == 404


def test_a_department_handler_publishes_an_activity_from_its_page(world, login):
    setup = alliance(world)
    client = login("handler_cg")
    home = client.get("/work/cobuild/").content.decode()
    assert "区城管局" in home and "光明小学" not in home
    form = {"title": "门前三包宣传", "category": "environment", "region": world.regions["c1"].pk,
            "starts_at": _local(at(6, 9)), "ends_at": _local(at(6, 11)), "capacity": 20, "hours": "2"}
    bad = client.post(f"/work/cobuild/members/{setup.department.pk}/activities/new/",
                      {**form, "region": world.regions["c2"].pk})
    assert bad.status_code == 400  # 雷锋 is not among the unit's communities: not a choice
    done = client.post(f"/work/cobuild/members/{setup.department.pk}/activities/new/", form)
    assert done.status_code == 302
    page = client.get(done.url).content.decode()
    assert "门前三包宣传" in page and "组织单位：区城管局" in page
    assert client.get(f"/work/cobuild/members/{setup.school.pk}/activities/new/").status_code == 404


def test_the_units_contact_approves_from_the_bookings_list(world, login):
    setup = alliance(world)
    booking = services.book(world.user("resident"), setup.hall, community=world.regions["c1"], starts_at=at(3, 9),
                            ends_at=at(3, 11), purpose="讲座")
    refused = login("staff2").post(f"/cobuild/bookings/{booking.pk}/approve/")
    assert refused.status_code == 404
    client = login("teacher")
    listing = client.get("/work/cobuild/bookings/").content.decode()
    assert "讲座" in listing and f"/cobuild/bookings/{booking.pk}/approve/" in listing
    client.post(f"/cobuild/bookings/{booking.pk}/reject/", {"note": ""})
    booking.refresh_from_db()
    assert booking.state == "pending"
    client.post(f"/cobuild/bookings/{booking.pk}/approve/")
    booking.refresh_from_db()
    assert booking.state == "approved"


def test_the_monthly_list_downloads_as_excel_and_pdf(world, login):
    setup = alliance(world)
    resident = Resident.objects.create(name="冯在职", phone="13655550901", region=world.regions["g1"])
    member = PartyMember.objects.create(resident=resident, in_service=True, reporting_community=world.regions["c1"])
    client = login("staff1")
    form = {"member": member.pk, "community": world.regions["c1"].pk, "home_member": setup.school.pk}
    assert client.post("/work/cobuild/reports/new/", form).status_code == 302
    ledger.credit_service(resident.volunteer, "2.5", kind="activity_hours", memo="参加活动：义诊", reference="m:1")
    month = clock.today().strftime("%Y-%m")  # the month as the product reckons it
    page = client.get("/work/cobuild/reports/monthly/", {"month": month}).content.decode()
    assert "光明小学党支部" in page and "冯在职" in page and "2.50" in page
    sheet = client.get("/work/cobuild/reports/monthly/", {"month": month, "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(sheet.streaming_content))).active.values)
    assert rows[1][:2] == ("光明小学党支部", "冯在职") and float(rows[1][5]) == 2.5
    pdf = client.get("/work/cobuild/reports/monthly/", {"month": month, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # The school's contact downloads its own organisation's list; another community's staff see none.
    assert "冯在职" in login("teacher").get("/work/cobuild/reports/monthly/").content.decode()
    assert "冯在职" not in login("staff2").get("/work/cobuild/reports/monthly/").content.decode()
    bad = client.get("/work/cobuild/reports/monthly/", {"month": "2026-13"})
    assert bad.status_code == 400 and "格式不对" in bad.content.decode()


def test_an_in_service_member_reports_in_themself(world, login):
    from ..wishes.helpers import party

    p = party(world)  # the world's "volunteer" account is a party member of 玫瑰城
    client = login("volunteer")
    page = client.get("/cobuild/report/").content.decode()
    assert 'href="/cobuild/report/"' in page and 'name="home_organisation"' in page
    refused = client.post("/cobuild/report/", {"community": world.regions["c1"].pk})
    assert refused.status_code == 400 and "请填写所在单位党组织" in refused.content.decode()
    done = client.post("/cobuild/report/", {"community": world.regions["c1"].pk,
                                            "home_organisation": "区税务局机关党委"})
    assert done.status_code == 302
    report = p.member.dual_report
    assert report.community == world.regions["c1"] and report.home_organisation == "区税务局机关党委"
    assert "你已于" in client.get("/cobuild/report/").content.decode()
    assert "没有关联登记的党员" in login("resident").get("/cobuild/report/").content.decode()


def test_the_month_is_named_in_the_readers_language(world, login):
    alliance(world)

    client = login("staff1")
    today = timezone.localdate(clock.now())
    assert f"{today.year}年{today.month}月" in client.get("/work/cobuild/").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/work/cobuild/").content.decode()
    # "Co-building by community (2026年12月)" read half Chinese in English.
    assert f"{today:%B} {today.year}" in page and "年" not in page.split("<h2>")[1].split("</h2>")[0]
