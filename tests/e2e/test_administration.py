"""A street administrator at 1440×900 in the workbench's administration area: adds a station and
its agent, a love supermarket with goods and restocks them, fixes the go-live checklist's
"units without staff" item by creating the station's account, and reads each change before →
after in the configuration history."""

import pytest
from django.contrib.auth import get_user_model

from minsheng.ledger.models import Item
from minsheng.organisation.models import Membership
from minsheng.organisation.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)
OFFICE = {"width": 1440, "height": 900}


def test_a_street_administrator_sets_up_a_station_a_supermarket_and_fixes_the_checklist(site, world, screenshot_dir):
    user = get_user_model().objects.create_user(username="gm-admin", password="pw-gm-admin",
                                                first_name="光明街道管理员")
    Membership.objects.create(user=user, unit=world.units["so1"], role=Role.ADMINISTRATOR)
    world.users["gm-admin"] = user
    page = site.signed_in("gm-admin")
    page.set_viewport_size(OFFICE)
    page.goto("/")  # the administrator's home is the administration area
    page.wait_for_selector("#area-sections")
    page.screenshot(path=str(screenshot_dir / "admin-area-home-1440.png"), full_page=True)

    page.locator("#area-sections a", has_text="代办站").first.click()
    page.locator("#area-new").click()
    page.fill("#id_name", "玫瑰城7号楼代办站")
    page.select_option("#id_region", label="玫瑰城第二网格")
    page.select_option("#id_tier", value="family")
    page.select_option("#id_place_type", value="home")
    page.fill("#id_address", "玫瑰城7号楼1单元101")
    page.fill("#id_latitude", "39.905")
    page.fill("#id_longitude", "116.415")
    page.locator("#area-form button[type=submit]").click()
    page.wait_for_selector("#children-agents")
    page.locator("#add-agents").click()
    page.fill("#id_name", "周玉兰")
    page.fill("#id_phone", "13904139001")
    page.select_option("#id_kind", value="retiree")
    page.locator("#area-form button[type=submit]").click()
    page.wait_for_selector("#children-agents")
    assert "周玉兰" in page.locator("#children-agents").inner_text()
    assert "139****9001" in page.locator("#children-agents").inner_text()
    page.screenshot(path=str(screenshot_dir / "admin-area-station-1440.png"), full_page=True)

    page.goto("/work/setup/admin/supermarkets/new/")
    page.fill("#id_name", "光明爱心超市")
    page.select_option("#id_region", label="玫瑰城社区")
    page.fill("#id_address", "玫瑰城党群服务中心一楼")
    page.locator("#area-form button[type=submit]").click()
    page.locator("#add-goods").click()
    page.fill("#id_name", "洗衣液")
    page.fill("#id_points", "12.5")
    page.locator("#area-form button[type=submit]").click()
    page.locator("#children-goods a", has_text="洗衣液").click()
    page.locator("#action-restock").click()
    page.fill("#id_quantity", "30")
    page.fill("#id_source", "共建单位捐赠")
    page.locator("#action-form button[type=submit]").click()
    page.wait_for_selector("#object-history")
    assert Item.objects.get(name="洗衣液").stock == 30
    assert "30" in page.locator("#object-history").inner_text()

    page.goto("/work/setup/")
    units = page.locator("#units")
    assert "玫瑰城7号楼代办站" in units.inner_text()
    units.locator("a", has_text="玫瑰城7号楼代办站").click()
    page.fill("#id_username", "zhou-yulan")
    page.fill("#id_first_name", "周玉兰")
    page.select_option("#id_role", value="station_agent")
    page.screenshot(path=str(screenshot_dir / "admin-area-new-account-1440.png"), full_page=True)
    page.locator("#area-form button[type=submit]").click()
    password = page.locator("#one-time-password").inner_text()
    assert len(password) == 12 and get_user_model().objects.get(username="zhou-yulan").check_password(password)
    page.goto("/work/setup/")
    assert "玫瑰城7号楼代办站" not in page.locator("#units").inner_text()

    page.goto("/work/setup/admin/history/")
    history = page.locator("table.history").inner_text()
    for text in ("玫瑰城7号楼代办站", "周玉兰", "光明爱心超市", "洗衣液", "zhou-yulan", "库存"):
        assert text in history, text
    assert password not in page.content()
    page.screenshot(path=str(screenshot_dir / "admin-area-history-1440.png"), full_page=True)
    assert not site.page_errors


def test_the_district_administrator_enters_an_sms_template_code_and_a_party_member(site, world, screenshot_dir):
    from minsheng.notifications.catalogue import sms_template_code
    from minsheng.party.models import PartyMember, PartyOrganisation

    branch = PartyOrganisation.objects.create(level="community", name="玫瑰城社区党委", region=world.regions["c1"])
    page = site.signed_in("admin")
    page.set_viewport_size(OFFICE)
    page.goto("/")
    page.locator("#area-sections a", has_text="短信模板").first.click()
    page.locator("#area-new").click()
    page.select_option("#id_message", value="demand.received")
    page.fill("#id_code", "SMS_475012345")
    page.locator("#area-form button[type=submit]").click()
    page.wait_for_selector("text=SMS_475012345")
    page.screenshot(path=str(screenshot_dir / "admin-area-sms-1440.png"), full_page=True)
    assert sms_template_code("demand.received") == "SMS_475012345"

    page.goto(f"/work/setup/admin/party/{branch.pk}/")
    page.locator("#add-members").click()
    page.fill("#id_name", "孙秀梅")
    page.fill("#id_phone", "13904139077")
    page.locator("#area-form button[type=submit]").click()
    page.wait_for_selector("#children-members")
    page.screenshot(path=str(screenshot_dir / "admin-area-party-members-1440.png"), full_page=True)
    assert "139****9077" in page.content() and "13904139077" not in page.content()
    assert PartyMember.objects.get(organisation=branch).resident.name == "孙秀梅"
