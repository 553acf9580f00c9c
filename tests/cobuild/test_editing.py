"""Editing a member unit's particulars, its resources and its services after registration: by the
staff who keep its communities (the particulars) or by the unit itself (resources and services),
each refusal under its field, what is booked honoured, and every change in the configuration
history with the contact's phone masked."""

import random
from datetime import timedelta

import pytest

from minsheng.audit.models import AuditEntry
from minsheng.cobuild import services
from minsheng.cobuild.models import MemberUnit, Offer, Resource
from minsheng.core.errors import OutOfScope, PermissionDenied, ValidationFailed

from .helpers import alliance, at, today

pytestmark = pytest.mark.django_db


def _member_data(member: MemberUnit, **changes) -> dict:
    data = {"name": member.name, "kind": member.kind, "communities": list(member.communities.all()),
            "contact_name": member.contact_name, "contact_phone": "", "agreement_start": member.agreement_start,
            "agreement_end": member.agreement_end, "party_organisation": member.party_organisation,
            "email": member.email, "active": member.active}
    data.update(changes)
    return data


def _changes(obj) -> dict[str, tuple[str, str]]:
    entries = AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action="修改")
    return {c["field"]: (c["before"], c["after"]) for e in entries for c in (e.changes or [])}


def test_staff_edit_a_units_particulars_and_the_history_shows_it_masked(world, login):
    setup = alliance(world)
    school = setup.school
    client = login("staff1")
    page = client.get(f"/work/cobuild/members/{school.pk}/edit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "136****4444" in text and "13633334444" not in text  # never shown whole on the form
    end = today() + timedelta(days=random.randint(400, 900))
    form = {"name": "光明实验小学", "kind": "school", "communities": [world.regions["c1"].pk],
            "contact_name": "陈老师", "contact_phone": "", "agreement_start": school.agreement_start.isoformat(),
            "agreement_end": end.isoformat(), "party_organisation": "光明实验小学党支部", "email": "",
            "active": "on"}
    assert client.post(f"/work/cobuild/members/{school.pk}/edit/", form).status_code == 302
    school.refresh_from_db()
    assert (school.name, school.agreement_end, school.contact_phone) == ("光明实验小学", end, "13633334444")
    # A new phone: saved whole, masked in the history.
    client.post(f"/work/cobuild/members/{school.pk}/edit/", {**form, "contact_phone": "13677778888"})
    school.refresh_from_db()
    assert school.contact_phone == "13677778888"
    changes = _changes(school)
    assert changes["name"] == ("光明小学", "光明实验小学")
    assert changes["agreement_end"][1] == end.isoformat()
    assert changes["contact_phone"] == ("136****4444", "136****8888")
    assert not AuditEntry.objects.filter(detail__contains="13677778888").exists()
    assert not AuditEntry.objects.filter(detail__contains="13633334444").exists()
    member_page = client.get(f"/work/cobuild/members/{school.pk}/").content.decode()
    assert 'id="history"' in member_page and "光明实验小学党支部" in member_page
    assert member_page.count('id="history"') == 1  # once, in the page's body, not in its <title>
    title = member_page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "变更记录" not in title
    assert "13677778888" not in member_page


def test_editing_particulars_refuses_with_the_field_and_reason(world):
    setup = alliance(world)
    staff = world.user("staff1")
    department = setup.department
    with pytest.raises(ValidationFailed) as err:
        services.update_member(staff, department, **_member_data(department, name="光明小学"))
    assert "已是光明街道党建联盟的成员单位" in err.value.field_errors["name"][0]
    with pytest.raises(ValidationFailed) as err:
        services.update_member(staff, department, **_member_data(
            department, agreement_end=department.agreement_start - timedelta(days=1)))
    assert "不能早于" in err.value.field_errors["agreement_end"][0]
    with pytest.raises(ValidationFailed) as err:
        services.update_member(staff, department, **_member_data(department, contact_phone="12345"))
    assert "contact_phone" in err.value.field_errors
    with pytest.raises(ValidationFailed) as err:
        services.update_member(staff, department, **_member_data(department, communities=[]))
    assert "至少选择" in err.value.field_errors["communities"][0]
    # Another street's community is not this staff's to add.
    with pytest.raises(ValidationFailed):
        services.update_member(staff, department, **_member_data(
            department, communities=[world.regions["c1"], world.regions["c2"]]))
    # The unit's own handler keeps its resources, not its registration; another community's staff
    # cannot reach it.
    with pytest.raises(PermissionDenied):
        services.update_member(world.user("handler_cg"), department, **_member_data(department))
    with pytest.raises(OutOfScope):
        services.update_member(world.user("staff2"), department, **_member_data(department))
    department.refresh_from_db()
    assert department.name == "区城管局"


def test_the_unit_edits_its_resource_and_what_is_booked_is_honoured(world, login):
    setup = alliance(world)
    booked = random.randint(2, 3)
    services.book(world.user("staff1"), setup.chairs, community=world.regions["c1"], starts_at=at(2, 9),
                  ends_at=at(2, 12), purpose="议事会", quantity=booked)
    client = login("teacher")
    url = f"/work/cobuild/members/{setup.school.pk}/resources/{setup.chairs.pk}/edit/"
    assert client.get(url).status_code == 200
    form = {"kind": "equipment", "name": "折叠椅", "quantity": booked - 1, "measure": "组", "availability": "",
            "description": "", "bookable": "on", "active": "on"}
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert f"已预约{booked}组，数量不能少于{booked}" in refused.content.decode()
    refused = client.post(url, {**form, "quantity": booked, "active": ""})
    assert refused.status_code == 400 and "请先处理这些预约再停用" in refused.content.decode()
    assert client.post(url, {**form, "quantity": booked + 5, "availability": "周末"}).status_code == 302
    setup.chairs.refresh_from_db()
    assert (setup.chairs.quantity, setup.chairs.availability) == (booked + 5, "周末")
    assert _changes(setup.chairs)["quantity"] == ("3", str(booked + 5))
    # Another community's staff cannot touch it.
    with pytest.raises(PermissionDenied):
        services.update_resource(world.user("staff2"), setup.chairs, kind="equipment", name="x", quantity=9)
    assert login("staff2").get(url).status_code == 404


def test_a_service_is_edited_and_stopped_and_the_page_shows_it(world, login):
    setup = alliance(world)
    offer = services.add_offer(world.user("teacher"), setup.school, category="education", name="课业辅导",
                               schedule="周三下午")
    client = login("staff1")
    url = f"/work/cobuild/members/{setup.school.pk}/offers/{offer.pk}/edit/"
    refused = client.post(url, {"category": "", "name": "课业辅导"})
    assert refused.status_code == 400 and "服务类别" in refused.content.decode()
    done = client.post(url, {"category": "education", "name": "课后托管", "schedule": "周一至周五 16:00",
                             "description": ""})
    assert done.status_code == 302
    offer.refresh_from_db()
    assert (offer.name, offer.active) == ("课后托管", False)
    assert _changes(offer)["name"] == ("课业辅导", "课后托管")
    page = client.get(f"/work/cobuild/members/{setup.school.pk}/").content.decode()
    assert "课后托管（已停用）" in page and url in page
    assert Offer.objects.count() == 1 and Resource.objects.count() == 2
