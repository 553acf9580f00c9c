"""Recruitment in a real browser: a resident applies to volunteer on a phone (390×844), the
community approves it on the workbench (1440×900), and a skills team's member claims a case on a
phone — with a screenshot of each."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from minsheng.demands import services as engine
from minsheng.demands.models import Demand
from minsheng.organisation.models import Membership
from minsheng.organisation.roles import Role
from minsheng.people.models import Resident
from minsheng.stations import services as station_services
from minsheng.stations import teamwork
from minsheng.stations.models import Agent, SkillTeam
from minsheng.volunteers.models import Volunteer

from ..stations.conftest import make_station
from .test_workbench import assert_fits_the_screen

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the 'playwright' package")
expect = sync_api.expect

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}


def test_application_approval_and_a_team_members_claim(site, screenshot_dir: Path):
    world = site.world
    # A resident applies on the phone.
    resident = site.signed_in("resident", phone=True)
    resident.set_viewport_size(PHONE)
    resident.goto("/me/")
    resident.get_by_role("link", name="申请成为志愿者").click()
    resident.check("#id_categories_0")
    resident.check("#id_categories_4")
    resident.fill("#id_skills", "水电维修")
    resident.fill("#id_availability", "周末上午")
    resident.check("#id_consent")
    resident.screenshot(path=screenshot_dir / "volunteer-apply-390.png", full_page=True)
    with resident.expect_navigation():
        resident.locator("#apply-form button[type=submit]").click()
    expect(resident.locator("#my-applications")).to_contain_text("待审核")
    assert_fits_the_screen(resident)

    # The community worker approves it at the desk.
    staff = site.signed_in("staff1")
    staff.set_viewport_size(DESK)
    staff.goto("/work/volunteers/")
    staff.get_by_role("link", name="志愿者申请").click()
    staff.get_by_role("link", name="王奎").click()
    expect(staff.locator("#application-facts")).to_contain_text("138****1234")
    staff.screenshot(path=screenshot_dir / "volunteer-approve-1440.png", full_page=True)
    with staff.expect_navigation():
        staff.get_by_role("button", name="通过并登记为志愿者").click()
    expect(staff.locator("main")).to_contain_text("已登记为志愿者")
    assert Volunteer.objects.filter(resident__user=world.users["resident"]).exists()

    # A station case given to the locksmiths, claimed by one of them on the phone.
    station = make_station(world.units["st1"], "family", 39.905, 116.405)
    team = SkillTeam.objects.create(name="开锁能人队")
    Agent.objects.create(resident=Resident.objects.create(name="刘建国", phone="13600001111"), station=station,
                         kind="party_member", user=world.users["agent"]).skill_teams.add(team)
    demand = station_services.take_in(world.user("agent"), station, title="钥匙锁在屋里", description="老人忘带钥匙",
                                      consent=True, reporter=engine.ReporterInput(name="李秀英", phone="13900001111"))
    teamwork.assign_team(world.user("staff1"), demand.pk, demand.version, team=teamwork.team_key(team))
    other = get_user_model().objects.create_user(username="agent2", password="pw")
    Membership.objects.create(user=other, unit=world.units["st1"], role=Role.STATION_AGENT)

    member = site.signed_in("agent", phone=True)
    member.set_viewport_size(PHONE)
    member.goto("/work/stations/cases/")
    member.get_by_role("link", name="服务队任务").click()
    card = member.locator(f"#team-case-{demand.pk}")
    expect(card).to_contain_text("开锁能人队")
    with member.expect_navigation():
        card.get_by_role("button", name="我来认领").click()
    expect(member.locator(f"#team-case-{demand.pk}")).to_contain_text("我已认领")
    assert_fits_the_screen(member)
    member.screenshot(path=screenshot_dir / "team-case-claim-390.png", full_page=True)
    assert Demand.objects.get(pk=demand.pk).assignee_id == world.users["agent"].pk
