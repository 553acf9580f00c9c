"""Wrong passwords lock the account and the client out for a configured time, on the staff
sign-in page and the admin's alike; an administrator can unlock; attempts are recorded
(issue #24, item 3)."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone


def _sign_in(client, username, password, url="/login/"):
    return client.post(url, {"username": username, "password": password})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_lock_the_account_even_with_the_right_one(world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        _sign_in(client, "dispatcher1", "wrong")
    locked = _sign_in(client, "dispatcher1", "pw-dispatcher1")
    assert locked.status_code == 429 and not _signed_in(client)
    # The account is locked from any client.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert _sign_in(other, "dispatcher1", "pw-dispatcher1").status_code == 429 and not _signed_in(other)
    from axes.models import AccessAttempt, AccessFailureLog

    assert AccessFailureLog.objects.filter(username="dispatcher1").count() >= 5
    assert AccessAttempt.objects.filter(username="dispatcher1").exists()


def test_a_client_guessing_many_accounts_is_locked_out(world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    client = Client(REMOTE_ADDR="203.0.113.9")
    for name in ["operator", "dispatcher", "handler_cg", "staff1", "leader"]:
        _sign_in(client, name, "wrong")
    assert _sign_in(client, "admin", "pw-admin").status_code == 429 and not _signed_in(client)


def test_the_admin_sign_in_is_locked_likewise(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    admin = world.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        _sign_in(client, "admin", "wrong", "/admin/login/")
    assert _sign_in(client, "admin", "pw-admin", "/admin/login/").status_code == 429
    assert not _signed_in(client)


def test_the_lock_ends_after_the_configured_time_or_when_an_administrator_unlocks(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        _sign_in(client, "staff1", "wrong")
    assert _sign_in(client, "staff1", "pw-staff1").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        _sign_in(client, "staff1", "pw-staff1")
        assert _signed_in(client)
    client = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(3):
        _sign_in(client, "staff2", "wrong")
    assert _sign_in(client, "staff2", "pw-staff2").status_code == 429
    from axes.utils import reset

    reset(username="staff2")  # what the admin's "访问尝试" delete does
    _sign_in(client, "staff2", "pw-staff2")
    assert _signed_in(client)
