"""Residents: one per phone number, and their full phone and ID number shown only to the
roles that need them, with every unmasked view written to the access log."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from stdnum.cn import ric

from minsheng.core.errors import PermissionDenied, ValidationFailed
from minsheng.people.models import PersonalDataAccess, Resident
from minsheng.people.services import find_or_register_resident, may_see_personal_data, reveal_personal_data


def valid_id(body: str = "11010119900307123") -> str:
    return body + ric.calc_check_digit(body + "?")


@pytest.fixture
def wang(world) -> Resident:
    return Resident.objects.get(phone="13812341234")


# --- find_or_register_resident --------------------------------------------------------

def test_new_phone_registers_a_new_resident(world):
    resident = find_or_register_resident(name=" 张伟 ", phone="137-0000-1234", address="光明街1号",
                                         region=world.regions["g1"])
    assert resident.pk is not None
    stored = Resident.objects.get(pk=resident.pk)
    assert (stored.name, stored.phone, stored.address, stored.region) == (
        "张伟", "13700001234", "光明街1号", world.regions["g1"])


def test_the_same_phone_in_another_format_finds_the_same_resident(world, wang):
    before = Resident.objects.count()
    found = find_or_register_resident(name="王奎", phone="+86 138-1234-1234")
    assert found.pk == wang.pk
    assert Resident.objects.count() == before


def test_known_resident_gets_gaps_filled_and_keeps_existing_values(world, wang):
    number = valid_id()
    found = find_or_register_resident(name="王小奎", phone="138 1234 1234", id_number=number,
                                      address="玫瑰城5号楼", region=world.regions["g2"])
    stored = Resident.objects.get(pk=wang.pk)
    assert found.pk == wang.pk
    assert stored.id_number == number  # was empty: filled
    assert stored.address == "玫瑰城5号楼"  # was empty: filled
    assert stored.name == "王奎"  # kept
    assert stored.region == world.regions["g1"]  # kept, not moved to g2


def test_a_known_id_number_is_not_overwritten_by_another(world, wang):
    first, second = valid_id("11010119900307123"), valid_id("11010119851111456")
    find_or_register_resident(name="王奎", phone="13812341234", id_number=first)
    find_or_register_resident(name="王奎", phone="13812341234", id_number=second)
    assert Resident.objects.get(pk=wang.pk).id_number == first


def test_tags_are_added_to_existing_ones(world):
    resident = find_or_register_resident(name="李秀英", phone="139-0000-1111", tag_codes=["dibao"])
    assert set(resident.tags.values_list("code", flat=True)) == {"elderly_alone", "dibao"}


def test_tags_on_a_new_resident(world):
    resident = find_or_register_resident(name="赵敏", phone="13600002222", tag_codes=["disabled", "no-such-tag"])
    assert list(resident.tags.values_list("code", flat=True)) == ["disabled"]


def test_blank_name_registers_an_anonymous_resident(world):
    resident = find_or_register_resident(name="  ", phone="13600003333")
    assert resident.name == "匿名居民"


def test_invalid_phone_or_id_number_registers_nobody(world):
    before = Resident.objects.count()
    with pytest.raises(ValidationFailed) as info:
        find_or_register_resident(name="张三", phone="12345678901")
    assert list(info.value.field_errors) == ["phone"]
    with pytest.raises(ValidationFailed) as info:
        find_or_register_resident(name="张三", phone="13600004444", id_number="110101199003071230")
    assert list(info.value.field_errors) == ["id_number"]
    assert Resident.objects.count() == before


def test_id_number_already_on_file_for_another_phone_is_refused_clearly(world, wang):
    number = valid_id()
    find_or_register_resident(name="王奎", phone="13812341234", id_number=number)
    with pytest.raises(ValidationFailed) as info:
        find_or_register_resident(name="王奎", phone="13700009999", id_number=number)
    assert list(info.value.field_errors) == ["id_number"]


# --- reveal_personal_data -------------------------------------------------------------

def test_hotline_operator_sees_full_data_and_the_view_is_logged(world, wang):
    number = valid_id()
    Resident.objects.filter(pk=wang.pk).update(id_number=number)
    wang.refresh_from_db()
    operator = world.user("operator")

    revealed = reveal_personal_data(operator, wang, "回访核实身份")

    assert (revealed.phone, revealed.id_number) == ("13812341234", number)
    log = PersonalDataAccess.objects.get()
    assert (log.viewer, log.resident, log.fields, log.purpose) == (operator, wang, "phone,id_number", "回访核实身份")


def test_revealing_only_the_phone_keeps_the_id_number_masked_and_logs_one_field(world, wang):
    number = valid_id()
    Resident.objects.filter(pk=wang.pk).update(id_number=number)
    wang.refresh_from_db()

    revealed = reveal_personal_data(world.user("staff1"), wang, "电话回访", fields=("phone",))

    assert revealed.phone == "13812341234"
    assert revealed.id_number == number[:6] + "********" + number[-4:]
    assert PersonalDataAccess.objects.get().fields == "phone"


def test_every_reveal_is_logged(world, wang):
    operator = world.user("operator")
    reveal_personal_data(operator, wang, "第一次")
    reveal_personal_data(operator, wang, "第二次")
    assert sorted(PersonalDataAccess.objects.values_list("purpose", flat=True)) == ["第一次", "第二次"]


@pytest.mark.parametrize("who", ["leader", "auditor", "volunteer", "nobody"])
def test_roles_without_need_are_refused_and_nothing_is_logged(world, wang, who):
    viewer = world.user(who)
    assert not may_see_personal_data(viewer)
    with pytest.raises(PermissionDenied) as info:
        reveal_personal_data(viewer, wang, "好奇")
    assert "无权查看" in info.value.message
    assert not PersonalDataAccess.objects.exists()


def test_an_inactive_membership_gives_no_access(world, wang):
    operator = world.user("operator")
    operator.memberships.update(active=False)
    with pytest.raises(PermissionDenied):
        reveal_personal_data(world.user("operator"), wang, "回访")
    assert not PersonalDataAccess.objects.exists()


def test_anonymous_viewer_is_refused(world, wang):
    with pytest.raises(PermissionDenied):
        reveal_personal_data(None, wang, "回访")
    assert not PersonalDataAccess.objects.exists()


# --- the admin ------------------------------------------------------------------------

@pytest.fixture
def admin_client(world, client):
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "pw-root")
    client.force_login(superuser)
    client.superuser = superuser
    return client


def test_admin_list_of_residents_shows_masked_phones_only(admin_client, wang):
    response = admin_client.get(reverse("admin:people_resident_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "王奎" in page
    assert "138****1234" in page
    assert "139****1111" in page
    assert "13812341234" not in page
    assert "13900001111" not in page
    assert not PersonalDataAccess.objects.exists()  # the list reveals nothing


def test_opening_a_resident_in_the_admin_shows_full_data_and_logs_it(admin_client, wang):
    response = admin_client.get(reverse("admin:people_resident_change", args=[wang.pk]))
    assert response.status_code == 200
    assert "13812341234" in response.content.decode()
    log = PersonalDataAccess.objects.get()
    assert log.viewer == admin_client.superuser
    assert log.resident == wang
    assert set(log.fields.split(",")) == {"phone", "id_number"}
    assert log.purpose


def test_admin_access_log_cannot_be_edited(admin_client, wang):
    admin_client.get(reverse("admin:people_resident_change", args=[wang.pk]))
    log = PersonalDataAccess.objects.get()
    response = admin_client.post(reverse("admin:people_personaldataaccess_change", args=[log.pk]),
                                 {"purpose": "改掉"})
    assert response.status_code == 403
    assert PersonalDataAccess.objects.get().purpose == log.purpose
    assert admin_client.get(reverse("admin:people_personaldataaccess_add")).status_code == 403
