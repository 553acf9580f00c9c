"""The admin of the apps holding personal or regional data is scoped like the pages
(``core.admin.ScopedAdminMixin`` on ``organisation.scope``): a street's staff with admin access
see their street's rows only; superusers see every row."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission

from minsheng.care.models import CarePerson
from minsheng.grids.models import Enterprise
from minsheng.homecare import eligibility
from minsheng.people.models import Resident

pytestmark = pytest.mark.django_db

MODELS = ["elder", "careperson", "enterprise", "resident"]


@pytest.fixture
def admin_client(client, world):
    def login(name, *, superuser=False):
        user = world.users[name]
        user.is_staff, user.is_superuser = True, superuser
        user.save()
        user.user_permissions.add(*Permission.objects.filter(codename__in=[f"view_{m}" for m in MODELS]))
        client.force_login(user)
        return client

    return login


@pytest.fixture
def rows(world):
    """One row of each kind in 光明街道 (s1) and one in 和平街道 (s2)."""
    made = {}
    for street, grid, community, staff, phone in (("s1", "g1", "c1", "staff1", "1361111"),
                                                   ("s2", "g2", "c2", "staff2", "1362222")):
        elder = eligibility.apply(world.user(staff), name=f"老人{street}", phone=f"{phone}0001",
                                  community=world.regions[community], birth_year=1940, support="tekun",
                                  condition="alone", self_care="partial", channel="station")
        person = Resident.objects.create(name=f"关爱{street}", phone=f"{phone}0002", region=world.regions[grid])
        CarePerson.objects.create(resident=person, region=world.regions[grid], category="elderly_alone",
                                  risk="high", plan="每周走访", responsible=world.users[staff],
                                  responsible_name="网格员", responsible_phone="13500000000",
                                  registered_on=date(2026, 1, 1), next_visit_due=date(2026, 2, 1))
        Enterprise.objects.create(region=world.regions[grid], name=f"企业{street}", credit_code=f"91110000{phone}")
        made[street] = {"elder": elder, "careperson": person.care, "enterprise": Enterprise.objects.get(
            name=f"企业{street}"), "resident": person}
    return made


def label(row) -> str:
    return row.resident.name if hasattr(row, "community") or isinstance(row, CarePerson) else row.name


ADMIN_URL = {"elder": "homecare/elder", "careperson": "care/careperson", "enterprise": "grids/enterprise",
             "resident": "people/resident"}


@pytest.mark.parametrize("model", MODELS)
def test_a_streets_staff_see_only_their_streets_rows_in_the_admin(world, rows, admin_client, model):
    client = admin_client("dispatcher1")  # 光明街道 (s1), not a superuser
    page = client.get(f"/admin/{ADMIN_URL[model]}/").content.decode()
    assert label(rows["s1"][model]) in page and label(rows["s2"][model]) not in page
    theirs = client.get(f"/admin/{ADMIN_URL[model]}/{rows['s2'][model].pk}/change/")
    assert theirs.status_code == 302  # "does not exist": back to the admin's index
    assert client.get(f"/admin/{ADMIN_URL[model]}/{rows['s1'][model].pk}/change/").status_code == 200


def test_a_superuser_sees_every_streets_rows(world, rows, admin_client):
    client = admin_client("nobody", superuser=True)
    for model in MODELS:
        page = client.get(f"/admin/{ADMIN_URL[model]}/").content.decode()
        assert label(rows["s1"][model]) in page and label(rows["s2"][model]) in page, model


def test_a_department_without_territory_sees_no_register_rows(world, rows, admin_client):
    page = admin_client("handler_cg").get("/admin/grids/enterprise/").content.decode()
    assert "企业s1" not in page and "企业s2" not in page


def test_every_scoped_admin_filters_without_error_and_the_regional_apps_are_scoped(world, rows, client):
    from django.contrib import admin

    from minsheng.core.admin import ScopedAdminMixin

    user = world.users["dispatcher1"]
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client.force_login(user)
    scoped = {(model._meta.app_label, model._meta.model_name) for model, model_admin in admin.site._registry.items()
              if isinstance(model_admin, ScopedAdminMixin)}
    for app_label, model_name in scoped:
        assert client.get(f"/admin/{app_label}/{model_name}/").status_code == 200, model_name
    # Every admin of the apps with personal or regional data (configuration tables aside).
    assert {("homecare", "elder"), ("homecare", "servicerecord"), ("stations", "station"), ("stations", "agent"),
            ("stations", "stationcase"), ("stations", "award"), ("stations", "servicenotice"), ("grids", "house"),
            ("grids", "enterprise"), ("grids", "gridassignment"), ("grids", "patrolplan"), ("grids", "patrol"),
            ("grids", "missedpatrol"), ("grids", "registerchange"), ("care", "careperson"), ("care", "carevisit"),
            ("party", "partyorganisation"), ("party", "partymember"), ("people", "resident"),
            ("people", "personaldataaccess"), ("demands", "demand"), ("demands", "demandevent")} <= scoped
