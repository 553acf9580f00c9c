"""Deployment: HTTPS settings behind one switch, security headers everywhere, idle sessions end,
every account can change its password, `check --deploy` is clean (issue #24, item 8)."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url", ["/", "/track/", "/work/", "/api/demands"])
def test_security_headers_on_a_public_page_a_staff_page_and_the_api(world, login, keys, url):
    client = login("dispatcher1") if url.startswith("/work/") else Client()
    answer = client.get(url, HTTP_X_API_KEY=keys["hotline"]) if url.startswith("/api/") else client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "same-origin"
    assert answer["X-Frame-Options"] == "DENY"
    policy = answer["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_no_template_has_an_inline_script_or_event_handler():
    import re

    for template in (ROOT / "src" / "minsheng").rglob("templates/**/*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template  # inline script
        assert not re.search(r"\son[a-z]+=\"", text), template  # onclick=, onchange=, …


def test_an_idle_session_ends_after_the_configured_minutes(world, settings):
    settings.MINSHENG_SESSION_IDLE_MINUTES = 30
    client = Client()
    client.force_login(world.users["dispatcher1"])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.get("/work/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/work/").status_code == 200  # activity keeps it alive
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get("/work/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=89), tick=False):
        answer = client.get("/work/")
    assert answer.status_code == 302 and "/login/" in answer["Location"]


def test_every_account_can_change_its_password(world):
    client = Client()
    client.force_login(world.users["resident"])  # no staff status
    page = client.get("/password/")
    assert page.status_code == 200
    done = client.post("/password/", {"old_password": "pw-resident", "new_password1": "Qz7-wanghua-2026",
                                      "new_password2": "Qz7-wanghua-2026"})
    assert done.status_code == 302 and done["Location"].endswith("/password/done/")
    world.users["resident"].refresh_from_db()
    assert world.users["resident"].check_password("Qz7-wanghua-2026")


def _check_deploy(env_changes: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MINSHENG_DATA_DIR": str(tmp_path),
           "MINSHENG_SECRET_KEY": "k" * 20 + "-Not-A-Real-Key-But-Long-And-Varied-9f8e7d6c5b4a", **env_changes}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("MINSHENG_DEBUG", None)
    # Set by the browser tests' process (Playwright runs an event loop in it); a server has none.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=300)


def test_check_deploy_is_clean_with_https_and_a_real_mail_server(tmp_path):
    done = _check_deploy({"MINSHENG_HTTPS": "1", "MINSHENG_EMAIL_HOST": "smtp.example.org",
                          "MINSHENG_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
