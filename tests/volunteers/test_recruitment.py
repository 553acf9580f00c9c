"""Volunteer applications (issue #32 item 6): a resident applies or recommends a neighbour, the
community approves (a Volunteer appears in the register) or refuses with a reason; duplicates and
out-of-scope decisions are refused; the lists follow scope."""

import random

import pytest

from minsheng.core.errors import InvalidTransition, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.notifications.models import OutboxMessage
from minsheng.people.models import Resident
from minsheng.volunteers import recruitment, selectors
from minsheng.volunteers.models import ServiceCategory, Volunteer, VolunteerApplication

pytestmark = pytest.mark.django_db


def me(world) -> Resident:
    return Resident.objects.get(user=world.users["resident"])


def apply_self(world, **extra) -> VolunteerApplication:
    fields = {"applicant": me(world), "region": world.regions["c1"], "categories": ["general", "environment"],
              "skills": "水电维修", "availability": "周末上午", "consent": True}
    fields.update(extra)
    return recruitment.apply(world.user("resident"), **fields)


def test_application_approved_puts_the_resident_in_the_register_and_tells_them(world):
    categories = random.sample(ServiceCategory.values, k=random.randint(1, 4))
    application = apply_self(world, categories=categories)
    assert application.state == "pending" and application.recommender is None
    assert not Volunteer.objects.filter(resident=me(world)).exists()

    recruitment.approve(world.user("staff1"), application.pk)
    application.refresh_from_db()
    volunteer = Volunteer.objects.get(resident=me(world))
    assert application.state == "approved" and application.volunteer == volunteer
    assert application.decided_by == world.users["staff1"]
    assert volunteer.categories == list(dict.fromkeys(categories)) and volunteer.skills == "水电维修"
    assert volunteer in selectors.volunteers_visible_to(world.user("staff1"))
    message = OutboxMessage.objects.get(recipient=world.users["resident"], channel="in_app")
    assert message.key == "volunteers.application_approved"
    assert message.params["card"] == volunteer.card_number


def test_a_recommendation_records_the_recommender_and_registers_the_neighbour(world):
    application = apply_self(world, recommended={"name": "周热心", "phone": "13566667777"})
    neighbour = Resident.objects.get(phone="13566667777")
    assert application.applicant == neighbour and application.recommender == me(world)
    assert application.submitted_by == world.users["resident"]
    recruitment.approve(world.user("staff1"), application.pk)
    assert Volunteer.objects.get(resident=neighbour).region == world.regions["c1"]
    # recommending oneself under the recommendation form is refused with a pointer
    with pytest.raises(ValidationFailed) as err:
        apply_self(world, recommended={"name": "王奎", "phone": "13812341234"})
    assert "phone" in err.value.field_errors


def test_duplicates_are_refused_with_a_clear_message(world):
    apply_self(world)
    with pytest.raises(ValidationFailed, match="请勿重复提交"):
        apply_self(world)
    with pytest.raises(ValidationFailed, match="该居民已有一份待社区审核"):
        recruitment.apply(world.user("staff1"), applicant=Resident.objects.get(phone="13900001111"),
                          region=world.regions["c1"], categories=["general"], consent=True,
                          recommended={"name": "王奎", "phone": "13812341234"})
    recruitment.approve(world.user("staff1"), VolunteerApplication.objects.get().pk)
    with pytest.raises(ValidationFailed, match="你已是注册志愿者"):
        apply_self(world)
    assert VolunteerApplication.objects.count() == 1


def test_consent_and_categories_are_required(world):
    with pytest.raises(ValidationFailed) as err:
        apply_self(world, consent=False)
    assert "consent" in err.value.field_errors
    with pytest.raises(ValidationFailed) as err:
        apply_self(world, categories=[])
    assert "categories" in err.value.field_errors
    assert not VolunteerApplication.objects.exists()


def test_refusal_needs_a_reason_is_final_and_is_notified(world):
    application = apply_self(world)
    with pytest.raises(ValidationFailed):
        recruitment.refuse(world.user("staff1"), application.pk, reason=" ")
    recruitment.refuse(world.user("staff1"), application.pk, reason="暂不需要该类别的志愿者")
    application.refresh_from_db()
    assert application.state == "refused" and application.reason == "暂不需要该类别的志愿者"
    assert not Volunteer.objects.filter(resident=me(world)).exists()
    assert OutboxMessage.objects.get(recipient=world.users["resident"]).key == "volunteers.application_refused"
    with pytest.raises(InvalidTransition):
        recruitment.approve(world.user("staff1"), application.pk)
    apply_self(world)  # a refused applicant may apply again


def test_decisions_follow_the_organisers_scope_and_roles(world):
    application = apply_self(world)
    with pytest.raises(OutOfScope):
        recruitment.approve(world.user("staff2"), application.pk)
    with pytest.raises(PermissionDenied):
        recruitment.approve(world.user("handler_cg"), application.pk)
    assert list(selectors.applications_visible_to(world.user("staff1"))) == [application]
    assert list(selectors.applications_visible_to(world.user("dispatcher1"))) == [application]
    assert not selectors.applications_visible_to(world.user("staff2")).exists()
    assert not selectors.applications_visible_to(world.user("handler_cg")).exists()
    assert list(selectors.applications_of(world.user("resident"))) == [application]
    assert not selectors.applications_of(world.user("staff2")).exists()


def test_the_pages_apply_list_and_approve(world, login):
    client = login("resident")
    assert client.get("/volunteers/apply/").status_code == 200
    response = client.post("/volunteers/apply/", {"who": "self", "region": world.regions["c1"].pk,
                                                  "categories": ["medical"], "skills": "护理", "consent": "on"})
    assert response.status_code == 302
    application = VolunteerApplication.objects.get()
    again = client.post("/volunteers/apply/", {"who": "self", "region": world.regions["c1"].pk,
                                               "categories": ["medical"], "consent": "on"})
    assert again.status_code == 400 and "请勿重复提交" in again.content.decode()

    staff = login("staff2")
    assert staff.get(f"/work/volunteers/applications/{application.pk}/").status_code == 404
    staff = login("staff1")
    page = staff.get("/work/volunteers/applications/").content.decode()
    assert "王奎" in page
    assert staff.post(f"/work/volunteers/applications/{application.pk}/", {"decision": "approve"}).status_code == 302
    assert Volunteer.objects.filter(resident__user=world.users["resident"]).exists()


def test_a_recommendation_does_not_show_back_the_name_registered_for_a_phone(world, login):
    client = login("resident")
    response = client.post("/volunteers/apply/", {"who": "recommend", "name": "随便写", "phone": "13900001111",
                                                  "region": world.regions["c1"].pk, "categories": ["general"],
                                                  "consent": "on"})
    assert response.status_code == 302
    page = client.get("/volunteers/apply/").content.decode()
    assert "李秀英" not in page and "李**" in page
    # the community sees whom the phone belongs to
    assert "李秀英" in login("staff1").get("/work/volunteers/applications/").content.decode()
