"""Searching by phone cannot rebuild a masked number: it takes the whole number (or the last four
digits with the name), only roles that may see personal data may do it, and it is logged
(issue #24, item 1)."""

import pytest

from minsheng.core.errors import PermissionDenied, ValidationFailed
from minsheng.grids import registers
from minsheng.people.models import PersonalDataAccess
from minsheng.volunteers.selectors import residents_to_register

REGISTERS = "/work/grids/registers/"


def test_a_leader_cannot_rebuild_a_number_from_its_last_digits(world, login):
    client = login("leader")
    for q in ["1234", "41234", "13812341234"]:
        answer = client.get(REGISTERS, {"entity": "resident", "q": q})
        assert answer.status_code == (403 if len(q) == 11 else 400), q
        assert "138****1234" not in answer.content.decode()


def test_part_of_a_number_is_refused_even_for_a_role_that_may_see_it(world, login):
    client = login("gridworker")
    for q in ["1234", "41234", "2341234"]:
        answer = client.get(REGISTERS, {"entity": "resident", "q": q})
        assert answer.status_code == 400, q
        assert "138****1234" not in answer.content.decode()
    with pytest.raises(ValidationFailed):
        registers.search_register(world.user("gridworker"), "house", "13812341")


def test_a_whole_number_or_the_name_with_four_digits_finds_and_is_logged(world, login):
    gridworker = world.user("gridworker")
    assert [r.name for r in registers.search_register(gridworker, "resident", "138 1234 1234")] == ["王奎"]
    assert [r.name for r in registers.search_register(gridworker, "resident", "王奎1234")] == ["王奎"]
    assert not registers.search_register(gridworker, "resident", "李秀英1234").exists()
    logged = list(PersonalDataAccess.objects.order_by("pk"))
    assert len(logged) == 3 and all(a.viewer_id == gridworker.pk and a.fields == "phone" for a in logged)
    assert [a.resident.name if a.resident else None for a in logged] == ["王奎", "王奎", None]
    assert "13812341234" not in " ".join(a.subject for a in logged)  # the log keeps no number
    page = login("gridworker").get(REGISTERS, {"entity": "resident", "q": "13812341234"})
    assert page.status_code == 200 and "王奎" in page.content.decode()


def test_a_name_search_is_not_logged_and_the_leader_still_searches_names(world, login):
    assert [r.name for r in registers.search_register(world.user("leader"), "resident", "王奎")] == ["王奎"]
    assert not PersonalDataAccess.objects.exists()


def test_the_volunteers_resident_search_takes_the_whole_number_and_logs_it(world):
    admin = world.user("admin")
    with pytest.raises(ValidationFailed):
        residents_to_register(admin, "1234")
    with pytest.raises(ValidationFailed):
        residents_to_register(admin, "38123412")
    assert [r.name for r in residents_to_register(admin, "13812341234")] == ["王奎"]
    assert PersonalDataAccess.objects.filter(viewer=admin, resident__name="王奎", fields="phone").count() == 1


def test_the_volunteers_search_by_phone_needs_a_role_that_may_see_personal_data(world):
    with pytest.raises(PermissionDenied):
        residents_to_register(world.user("leader"), "13812341234")


def test_the_intake_lookup_of_a_whole_number_is_logged_when_it_names_the_resident(world, login):
    from django.urls import reverse

    page = login("staff1").get(reverse("web:resident_lookup"), {"phone": "13900001111"})
    assert "李秀英" in page.content.decode()
    logged = PersonalDataAccess.objects.get()
    assert logged.viewer_id == world.users["staff1"].pk and logged.resident.name == "李秀英"
    login("staff2").get(reverse("web:resident_lookup"), {"phone": "13900001111"})  # not named: nothing shown
    assert PersonalDataAccess.objects.count() == 1
