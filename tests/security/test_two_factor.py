"""Two-factor sign-in for staff: required for administrators, leaders and auditors by default,
configurable per role, with recovery codes usable once (issue #24, stretch goal)."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture
def required(settings):
    settings.MINSHENG_2FA_ROLES = frozenset({"administrator", "leader", "auditor"})
    settings.MINSHENG_2FA_SUPERUSERS = True
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0  # see the throttling test


def _signed_in(world, name) -> Client:
    client = Client()
    client.post("/login/", {"username": name, "password": f"pw-{name}"})
    assert "_auth_user_id" in client.session
    return client


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_leader_sets_an_authenticator_up_before_any_page_and_gets_recovery_codes(world, required):
    client = _signed_in(world, "leader")
    sent = client.get("/work/dashboard/")
    assert sent.status_code == 302 and sent["Location"].startswith("/2fa/")
    assert client.get("/api/demands").status_code == 403
    setup = client.get("/2fa/?next=/work/dashboard/")
    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=world.users["leader"], confirmed=False)
    wrong = client.post("/2fa/", {"token": "000000", "next": "/work/dashboard/"})
    assert wrong.status_code == 400 and client.get("/work/dashboard/").status_code == 302
    done = client.post("/2fa/", {"token": _code(device), "next": "/work/dashboard/"})
    codes = [c for c in done.context["codes"]]
    assert len(codes) == 10 and codes[0] in done.content.decode()
    assert client.get("/work/dashboard/").status_code == 200


def test_the_next_sign_in_asks_for_a_code_and_a_recovery_code_works_once(world, required):
    client = _signed_in(world, "admin")
    client.get("/2fa/")
    device = TOTPDevice.objects.get(user=world.users["admin"])
    codes = client.post("/2fa/", {"token": _code(device)}).context["codes"]
    again = _signed_in(world, "admin")
    assert again.get("/work/").status_code == 302
    assert again.post("/2fa/", {"token": codes[0], "next": "/work/"}).status_code == 302
    assert again.get("/work/").status_code == 200
    third = _signed_in(world, "admin")
    assert third.post("/2fa/", {"token": codes[0]}).status_code == 400  # used up
    assert third.post("/2fa/", {"token": codes[1]}).status_code == 302


def test_roles_outside_the_setting_sign_in_with_the_password_only(world, required, settings):
    assert _signed_in(world, "dispatcher1").get("/work/").status_code == 200
    settings.MINSHENG_2FA_ROLES = frozenset({"street_dispatcher"})
    assert _signed_in(world, "dispatcher1").get("/work/").status_code == 302
    assert _signed_in(world, "leader").get("/work/").status_code == 200


def test_wrong_codes_slow_the_next_tries_down(world, required, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 10
    client = _signed_in(world, "auditor")
    client.get("/2fa/")
    device = TOTPDevice.objects.get(user=world.users["auditor"])
    client.post("/2fa/", {"token": _code(device)})
    again = _signed_in(world, "auditor")
    assert again.post("/2fa/", {"token": "000000"}).status_code == 400
    assert again.post("/2fa/", {"token": _code(device)}).status_code == 400  # throttled for 10 s
