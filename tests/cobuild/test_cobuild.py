"""Co-building: registration, bookings with conflicts and approval, joint activities by a
department, 双报到 with the monthly list of hours from the ledger, and the scope of every list."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from minsheng.cobuild import selectors, services
from minsheng.cobuild.models import Booking, DualReport, JointActivity
from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.ledger import services as ledger
from minsheng.ledger.models import Entry
from minsheng.party.models import PartyMember
from minsheng.people.models import Resident
from minsheng.volunteers import services as volunteers
from minsheng.volunteers.models import Activity, SignUp

from .helpers import alliance, at, today

pytestmark = pytest.mark.django_db


def _register(world, setup, **changes):
    fields = {"alliance": setup.alliance, "name": "光明医院", "kind": "hospital", "communities": [world.regions["c1"]],
              "contact_name": "林医生", "contact_phone": "13655556666", "agreement_start": today(),
              "agreement_end": today() + timedelta(days=365)}
    fields.update(changes)
    actor = fields.pop("actor", world.user("staff1"))
    return services.register_member(actor, **fields)


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"name": "  "}, "name", "单位名称"),
    ({"kind": "bank"}, "kind", "单位类型"),
    ({"contact_phone": "12345"}, "contact_phone", "不是有效的"),
    ({"agreement_end": "past"}, "agreement_end", "不能早于"),
    ({"agreement_start": "long ago", "agreement_end": "expired"}, "agreement_end", "到期"),
    ({"communities": []}, "communities", "至少选择"),
    ({"communities": "other street"}, "communities", "不是光明街道党建联盟所在区域的社区"),
    ({"name": "光明小学"}, "name", "已是光明街道党建联盟的成员单位"),
])
def test_registration_refuses_bad_input_with_the_field_and_reason(world, changes, field, words):
    setup = alliance(world)
    values = dict(changes)
    if values.get("agreement_end") == "past":
        values["agreement_end"] = today() - timedelta(days=1)
    if values.get("agreement_end") == "expired":
        values["agreement_start"], values["agreement_end"] = today() - timedelta(days=400), today() - timedelta(days=3)
    if values.get("communities") == "other street":
        values["communities"] = [world.regions["c2"]]
    with pytest.raises(ValidationFailed) as err:
        _register(world, setup, **values)
    assert field in err.value.field_errors and words in err.value.field_errors[field][0]


def test_registration_by_someone_outside_the_alliances_territory_is_refused(world):
    setup = alliance(world)
    with pytest.raises(OutOfScope):
        _register(world, setup, actor=world.user("staff2"))
    with pytest.raises(PermissionDenied, match="只有社区、街道工作人员"):
        _register(world, setup, actor=world.user("handler_cg"))
    member = _register(world, setup, actor=world.user("dispatcher1"))
    assert member.contact_phone == "13655556666" and member.masked_phone != member.contact_phone


def test_overlapping_booking_of_a_venue_is_refused_with_the_taken_slot(world):
    setup = alliance(world)
    staff = world.user("staff1")
    services.book(staff, setup.hall, community=world.regions["c1"], starts_at=at(3, 9), ends_at=at(3, 11),
                  purpose="合唱队排练")
    with pytest.raises(InvalidTransition) as err:
        services.book(staff, setup.hall, community=world.regions["c1"], starts_at=at(3, 10), ends_at=at(3, 12),
                      purpose="议事会")
    assert "学校礼堂" in err.value.message and "09:00–11:00" in err.value.message
    assert "starts_at" in err.value.field_errors
    # Back to back is no conflict.
    services.book(staff, setup.hall, community=world.regions["c1"], starts_at=at(3, 11), ends_at=at(3, 12),
                  purpose="议事会")


def test_equipment_is_shared_up_to_its_quantity(world):
    setup = alliance(world)
    staff = world.user("staff1")
    rng = random.Random()
    first = rng.randint(1, 2)
    services.book(staff, setup.chairs, community=world.regions["c1"], starts_at=at(2, 14), ends_at=at(2, 16),
                  purpose="讲座", quantity=first)
    services.book(staff, setup.chairs, community=world.regions["c1"], starts_at=at(2, 15), ends_at=at(2, 17),
                  purpose="讲座", quantity=3 - first)
    with pytest.raises(InvalidTransition, match="已被预约"):
        services.book(staff, setup.chairs, community=world.regions["c1"], starts_at=at(2, 15), ends_at=at(2, 16),
                      purpose="讲座", quantity=1)
    with pytest.raises(ValidationFailed, match="共有3组"):
        services.book(staff, setup.chairs, community=world.regions["c1"], starts_at=at(5, 15), ends_at=at(5, 16),
                      purpose="讲座", quantity=4)


def test_booking_refusals_say_why(world):
    setup = alliance(world)
    staff, resident = world.user("staff1"), world.user("resident")
    c1 = world.regions["c1"]
    with pytest.raises(ValidationFailed, match="结束时间必须晚于开始时间"):
        services.book(staff, setup.hall, community=c1, starts_at=at(3, 12), ends_at=at(3, 9), purpose="x")
    with pytest.raises(ValidationFailed, match="开始时间已过"):
        services.book(staff, setup.hall, community=c1, starts_at=at(-1, 9), ends_at=at(-1, 10), purpose="x")
    with pytest.raises(ValidationFailed, match="请填写用途"):
        services.book(staff, setup.hall, community=c1, starts_at=at(3, 9), ends_at=at(3, 10), purpose=" ")
    with pytest.raises(ValidationFailed, match="协议有效期"):
        services.book(staff, setup.hall, community=c1, starts_at=at(400, 9), ends_at=at(400, 10), purpose="x")
    # A resident books for their own community only; the school does not serve 雷锋.
    with pytest.raises(OutOfScope, match="本人所在社区"):
        services.book(resident, setup.hall, community=world.regions["c2"], starts_at=at(3, 9), ends_at=at(3, 10),
                      purpose="x")
    setup.school.communities.add(world.regions["c2"])
    setup.school.communities.remove(c1)
    with pytest.raises(OutOfScope, match="未与玫瑰城社区共建"):
        services.book(staff, setup.hall, community=c1, starts_at=at(3, 9), ends_at=at(3, 10), purpose="x")


def test_approval_by_the_units_contact_or_the_communitys_staff_only(world):
    setup = alliance(world)
    booking = services.book(world.user("resident"), setup.hall, community=world.regions["c1"], starts_at=at(4, 9),
                            ends_at=at(4, 11), purpose="家庭教育讲座")
    assert booking.state == Booking.State.PENDING
    for outsider in ("staff2", "handler_cg", "resident"):
        with pytest.raises(PermissionDenied, match="光明小学的联系人或玫瑰城社区的工作人员"):
            services.decide(world.user(outsider), booking.pk, "approve")
    with pytest.raises(ValidationFailed, match="写明原因"):
        services.decide(world.user("teacher"), booking.pk, "reject")
    booking = services.decide(world.user("teacher"), booking.pk, "approve")
    assert booking.state == Booking.State.APPROVED and booking.decided_by == world.users["teacher"]
    with pytest.raises(InvalidTransition, match="已是“已批准”"):
        services.decide(world.user("staff1"), booking.pk, "approve")
    with pytest.raises(InvalidTransition, match="时间还没到"):
        services.decide(world.user("staff1"), booking.pk, "use")
    with pytest.raises(PermissionDenied, match="预约人"):
        services.decide(world.user("staff2"), booking.pk, "cancel")
    assert services.decide(world.user("resident"), booking.pk, "cancel").state == Booking.State.CANCELLED
    # The slot is free again; a staff booking approved by the community's staff, used after it starts.
    again = services.book(world.user("staff1"), setup.hall, community=world.regions["c1"], starts_at=at(4, 9),
                          ends_at=at(4, 11), purpose="议事会")
    services.decide(world.user("staff1"), again.pk, "approve")
    with clock.frozen_at(at(4, 10)):
        assert services.decide(world.user("teacher"), again.pk, "use").state == Booking.State.USED
    assert selectors.member_counts(setup.school) == {"booked": 1, "used": 1, "pending": 0}


def test_a_department_organises_an_activity_in_a_community_it_serves(world):
    setup = alliance(world)
    handler = world.user("handler_cg")
    fields = {"title": "垃圾分类宣传", "category": "environment", "starts_at": at(5, 9), "ends_at": at(5, 11),
              "capacity": 10, "hours": "2", "place": "玫瑰城广场"}
    # The volunteers' own rule still refuses a department; the co-building rule lets it organise.
    with pytest.raises(PermissionDenied):
        volunteers.create_activity(handler, region=world.regions["c1"], **fields)
    activity = services.create_joint_activity(handler, setup.department, community=world.regions["c1"], **fields)
    assert isinstance(activity, Activity) and activity.organiser == world.users["handler_cg"]
    assert JointActivity.objects.get(activity=activity).member == setup.department
    with pytest.raises(OutOfScope, match="未与雷锋社区共建"):
        services.create_joint_activity(handler, setup.department, community=world.regions["c2"], **fields)
    with pytest.raises(PermissionDenied, match="只有区城管局的联系人"):
        services.create_joint_activity(world.user("handler_zj"), setup.department, community=world.regions["c1"],
                                       **fields)
    # Volunteers sign up as for any activity; the department confirms and the hours reach the ledger.
    member = _in_service(world, "周在职", "13655550444")
    report = services.report_in(world.user("staff1"), member, community=world.regions["c1"],
                                home_member=setup.department)
    volunteer = member.resident.volunteer
    volunteers.sign_up(volunteer, activity.pk)
    with clock.frozen_at(at(5, 12)):
        with pytest.raises(PermissionDenied):
            services.confirm_joint_attendance(world.user("handler_zj"), activity.pk, [volunteer.pk])
        services.confirm_joint_attendance(handler, activity.pk, [volunteer.pk])
    assert SignUp.objects.get(activity=activity).attended is True
    assert report.home_organisation == "区城管局机关党委"


def _in_service(world, name, phone, region="g1") -> PartyMember:
    resident = Resident.objects.create(name=name, phone=phone, region=world.regions[region])
    return PartyMember.objects.create(resident=resident, in_service=True, workplace="",
                                      reporting_community=world.regions["c1"])


def test_reporting_in_is_for_the_member_or_the_communitys_staff_and_only_once(world):
    setup = alliance(world)
    member = _in_service(world, "吴在职", "13655550555")
    with pytest.raises(PermissionDenied, match="只有本人或玫瑰城社区的工作人员"):
        services.report_in(world.user("staff2"), member, community=world.regions["c1"], home_organisation="某单位")
    with pytest.raises(ValidationFailed, match="所在单位党组织"):
        services.report_in(world.user("staff1"), member, community=world.regions["c1"])
    report = services.report_in(world.user("staff1"), member, community=world.regions["c1"],
                                home_member=setup.school)
    member.refresh_from_db()
    assert member.in_service and member.reporting_community == world.regions["c1"] and member.workplace == "光明小学"
    assert report.home_organisation == "光明小学党支部" and member.resident.volunteer.region == world.regions["c1"]
    with pytest.raises(ValidationFailed, match=r"已于.*到玫瑰城社区报到"):
        services.report_in(world.user("staff1"), member, community=world.regions["c1"], home_organisation="x")


def test_the_monthly_list_holds_exactly_the_ledger_rows_of_the_month(world):
    setup = alliance(world)
    rng = random.Random()
    staff = world.user("staff1")
    month = today().replace(day=1)
    inside = clock.now().replace(day=1, hour=10) if today().day > 1 else clock.now()
    before = inside - timedelta(days=40)
    expected: dict[str, Decimal] = {}
    for index in range(3):
        member = _in_service(world, f"党员{index}", f"1365555070{index}")
        home = setup.school if index < 2 else setup.department
        services.report_in(staff, member, community=world.regions["c1"], home_member=home)
        volunteer = member.resident.volunteer
        total = Decimal("0")
        for n in range(rng.randint(0, 4)):
            hours = Decimal(rng.randint(1, 40)) / 10
            with clock.frozen_at(inside + timedelta(minutes=n)):
                ledger.credit_service(volunteer, hours, kind="activity_hours", memo=f"服务{n}",
                                      reference=f"t:{index}:{n}")
            total += hours
        with clock.frozen_at(before):  # last month's hours are not this month's
            ledger.credit_service(volunteer, "5", kind="activity_hours", memo="上月", reference=f"old:{index}")
        expected[member.resident.name] = total
    lists = selectors.monthly_lists(selectors.dual_reports_visible_to(staff), month)
    assert [ol.organisation for ol in lists] == ["光明小学党支部", "区城管局机关党委"]
    got = {m.report.member.resident.name: m.hours for ol in lists for m in ol.members}
    assert got == {k: v.quantize(Decimal("0.01")) for k, v in expected.items()}
    for ol in lists:
        for m in ol.members:
            rows = Entry.objects.filter(pk__in=[e.pk for e in m.entries])
            assert sum(e.amount for e in rows) == m.hours
            assert all(e.account.volunteer.resident_id == m.report.member.resident_id for e in rows)
    assert lists[0].hours == sum((expected[f"党员{i}"] for i in range(2)), Decimal("0"))


def test_each_list_keeps_to_its_scope(world):
    setup = alliance(world)
    staff1, staff2, teacher = world.user("staff1"), world.user("staff2"), world.user("teacher")
    services.book(world.user("resident"), setup.hall, community=world.regions["c1"], starts_at=at(3, 9),
                  ends_at=at(3, 10), purpose="讲座")
    member = _in_service(world, "郑在职", "13655550888")
    services.report_in(staff1, member, community=world.regions["c1"], home_member=setup.school)
    assert set(selectors.members_visible_to(staff1)) == {setup.department, setup.school}
    assert not selectors.members_visible_to(staff2).exists()
    assert set(selectors.members_visible_to(world.user("handler_cg"))) == {setup.department}
    assert set(selectors.members_visible_to(teacher)) == {setup.school}
    assert selectors.bookings_visible_to(staff1).count() == 1 and selectors.bookings_visible_to(teacher).count() == 1
    assert not selectors.bookings_visible_to(staff2).exists()
    assert not selectors.bookings_visible_to(world.user("handler_cg")).exists()
    assert selectors.bookings_visible_to(world.user("resident")).count() == 1
    assert selectors.dual_reports_visible_to(teacher).count() == 1
    assert not selectors.dual_reports_visible_to(world.user("handler_cg")).exists()
    assert not selectors.dual_reports_visible_to(staff2).exists()
    assert [f.community for f in selectors.figures(staff2, today().replace(day=1))] == [world.regions["c2"]]
    row = selectors.figures(staff1, today().replace(day=1))[0]
    assert (row.members, row.resources, row.bookings, row.reported) == (2, 2, 1, 1)
    assert DualReport.objects.count() == 1


def test_the_figures_ask_as_many_queries_for_many_communities_as_for_few(world):
    """The register's home shows a row per community: read with one grouped query per figure, not
    seven queries a community (115 for the demo city)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minsheng.organisation.models import Region

    setup = alliance(world)
    dispatcher, month = world.user("dispatcher1"), today().replace(day=1)
    services.book(world.user("resident"), setup.hall, community=world.regions["c1"], starts_at=at(3, 9),
                  ends_at=at(3, 10), purpose="讲座")

    def queries() -> tuple[int, list]:
        with CaptureQueriesContext(connection) as captured:
            rows = selectors.figures(world.user("dispatcher1"), month)
        return len(captured), rows

    few, rows = queries()
    assert [(r.community, r.members, r.resources, r.bookings) for r in rows] == [(world.regions["c1"], 2, 2, 1)]
    rng = random.Random(26)
    served = {}
    for i in range(3):
        community = Region.objects.create(kind="community", name=f"新建社区{i}", code=f"nc{i}",
                                          parent=world.regions["s1"])
        served[community.pk] = rng.randint(1, 3)
        for j in range(served[community.pk]):
            services.register_member(
                dispatcher, alliance=setup.alliance, name=f"共建单位{i}-{j}", kind="company",
                communities=[community, world.regions["c1"]], contact_name="联系人", contact_phone="13611112222",
                agreement_start=today() - timedelta(days=1), agreement_end=today() + timedelta(days=30))
    many, rows = queries()
    assert many == few
    by_community = {r.community.pk: r for r in rows}
    assert {pk: by_community[pk].members for pk in served} == served
    assert by_community[world.regions["c1"].pk].members == 2 + sum(served.values())
    assert by_community[world.regions["c1"].pk].bookings == 1 and all(by_community[pk].bookings == 0 for pk in served)
