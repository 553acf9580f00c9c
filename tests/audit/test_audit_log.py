"""The audit log (issue #24, 等保 2.0): sign-ins, failures and sign-outs, configuration changes and
personal-data views are recorded; nothing removes or changes them before the retention; the
purge removes only what is older; auditors list, filter and export them."""

import os
import random
import subprocess
import sys
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from minsheng.assessment.models import Rule
from minsheng.audit import services
from minsheng.audit.models import AuditEntry, AuditLogProtected
from minsheng.catalogue.models import CalendarOverride
from minsheng.organisation.models import Membership
from minsheng.organisation.roles import Role
from minsheng.people.models import PersonalDataAccess, Resident
from minsheng.people.services import log_phone_search, parse_phone_search, reveal_personal_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(world):
    """The shared district, with the log of its setting-up (accounts, roles) left out."""
    AuditEntry.objects.all()._raw_delete(connection.alias)
    return world


def _entries(kind):
    return list(AuditEntry.objects.filter(kind=kind).order_by("pk"))


# --- sign-ins ---------------------------------------------------------------------------------

def test_sign_ins_failures_and_sign_outs_are_recorded_with_address_and_never_the_password(world):
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.post("/login/", {"username": "staff1", "password": "not-it-Secret42"})
    client.post("/login/", {"username": "staff1", "password": "pw-staff1"})
    client.post("/logout/")
    failed, = _entries(AuditEntry.Kind.SIGN_IN_FAILED)
    signed_in, = _entries(AuditEntry.Kind.SIGN_IN)
    signed_out, = _entries(AuditEntry.Kind.SIGN_OUT)
    assert (failed.username, failed.user_id, failed.client_address) == ("staff1", None, "203.0.113.9")
    assert (signed_in.username, signed_in.user_id, signed_in.client_address) == (
        "staff1", world.users["staff1"].pk, "203.0.113.9")
    assert (signed_out.username, signed_out.client_address) == ("staff1", "203.0.113.9")
    assert failed.at <= signed_in.at <= signed_out.at
    for entry in AuditEntry.objects.all():
        assert "not-it-Secret42" not in " ".join(str(v) for v in entry.__dict__.values())


def test_an_unknown_username_and_a_locked_out_sign_in_are_recorded_as_failures(world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.post("/login/", {"username": "no-such-user", "password": "x"})
    for _ in range(2):
        client.post("/admin/login/", {"username": "staff2", "password": "wrong"})
    assert client.post("/login/", {"username": "staff2", "password": "pw-staff2"}).status_code == 429
    failed = _entries(AuditEntry.Kind.SIGN_IN_FAILED)
    assert [e.username for e in failed] == ["no-such-user", "staff2", "staff2", "staff2"]
    assert [e.action for e in failed] == ["/login/", "/admin/login/", "/admin/login/", "/login/"]
    assert not _entries(AuditEntry.Kind.SIGN_IN)


def test_the_proxy_header_names_the_client_only_when_trusted(world, settings):
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.50")
    client.post("/login/", {"username": "staff1", "password": "pw-staff1"})
    settings.MINSHENG_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    client.post("/logout/")
    assert _entries(AuditEntry.Kind.SIGN_IN)[0].client_address == "10.0.0.2"
    assert _entries(AuditEntry.Kind.SIGN_OUT)[0].client_address == "203.0.113.50"


# --- configuration changes --------------------------------------------------------------------

def test_role_grants_made_on_a_page_or_by_code_are_recorded_with_who_made_them(world, login):
    Membership.objects.create(user=world.users["nobody"], unit=world.units["cc1"], role=Role.VOLUNTEER)
    entry, = _entries(AuditEntry.Kind.CONFIGURATION)
    assert entry.action == "新增" and "nobody" in entry.target and "role=volunteer" in entry.detail
    assert entry.username == ""  # no request: a command or a job
    membership = Membership.objects.get(user=world.users["nobody"])
    membership.active = False
    membership.save()
    changed = _entries(AuditEntry.Kind.CONFIGURATION)[-1]
    assert changed.action == "修改" and changed.detail == "active: True → False"
    membership.delete()
    assert _entries(AuditEntry.Kind.CONFIGURATION)[-1].action == "删除"


def test_admin_changes_are_recorded_with_the_administrator_and_the_change(world):
    admin = world.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    AuditEntry.objects.all()._raw_delete(connection.alias)  # the account set-up above is not the subject here
    client = Client(REMOTE_ADDR="192.0.2.44")
    client.force_login(admin)
    response = client.post("/admin/catalogue/calendaroverride/add/", {
        "date": "2026-10-09", "is_workday": "", "note": "本区调休"})
    assert response.status_code == 302, response.content.decode()[:2000]
    entries = _entries(AuditEntry.Kind.CONFIGURATION)
    assert {e.action for e in entries} == {"新增", "后台新增"}
    assert all(e.username == "admin" and e.client_address == "192.0.2.44" for e in entries)
    override = CalendarOverride.objects.get()
    client.post(f"/admin/catalogue/calendaroverride/{override.pk}/change/", {
        "date": "2026-10-09", "is_workday": "on", "note": "本区调休"})
    change = AuditEntry.objects.filter(action="修改").get()
    assert change.detail == "is_workday: False → True" and change.username == "admin"
    assert AuditEntry.objects.filter(action="后台修改").exists()


def test_a_new_assessment_rule_version_is_recorded(world):
    Rule.objects.create(effective_from=date(2026, 1, 1), weight_response=30, weight_resolution=40,
                        weight_satisfaction=30, min_volume=5, cutoff_days=5, created_by=world.users["leader"])
    entry, = _entries(AuditEntry.Kind.CONFIGURATION)
    assert entry.action == "新增" and "考核规则" in entry.target and "weight_resolution=40" in entry.detail


def test_a_sign_in_is_no_configuration_change_and_secrets_are_never_written(world):
    client = Client()
    client.post("/login/", {"username": "staff1", "password": "pw-staff1"})  # saves last_login
    assert not _entries(AuditEntry.Kind.CONFIGURATION)
    user = world.user("staff1")
    user.set_password("A-new-Password-77")
    user.save()
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    device.delete()  # what an administrator's reset of a lost authenticator does
    entries = _entries(AuditEntry.Kind.CONFIGURATION)
    assert [e.action for e in entries] == ["修改", "新增", "删除"]
    assert entries[0].detail.startswith("password: *** → ***")
    assert device.key not in entries[1].detail and "key=***" in entries[1].detail
    assert "A-new-Password-77" not in entries[0].detail


def test_entries_are_written_in_the_site_language_and_shown_in_the_reader_s(world, login):
    with translation.override("en"):  # an administrator who reads English
        Membership.objects.create(user=world.users["nobody"], unit=world.units["cc1"], role=Role.VOLUNTEER)
    entry, = _entries(AuditEntry.Kind.CONFIGURATION)
    assert entry.action == "新增" and "岗位" in entry.target
    client = login("auditor")
    client.cookies["django_language"] = "en"
    html = client.get("/work/audit/").content.decode()
    assert "<td data-label=\"Action\">New</td>" in html or ">New<" in html


def test_group_grants_are_recorded(world):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="审核组")
    world.users["staff1"].groups.add(group)
    entry = _entries(AuditEntry.Kind.CONFIGURATION)[-1]
    assert entry.action.startswith("添加") and "staff1" in entry.target and entry.detail == "审核组"


# --- personal data ----------------------------------------------------------------------------

def test_every_personal_data_view_and_phone_search_is_in_the_audit_log(world):
    viewer = world.user("dispatcher")
    resident = Resident.objects.get(name="王奎")
    reveal_personal_data(viewer, resident, "回访核实")
    search = parse_phone_search(viewer, "王奎1234")
    log_phone_search(viewer, search, [resident, Resident.objects.get(name="李秀英")], "按电话查找")
    log_phone_search(viewer, parse_phone_search(viewer, "13700000000"), [], "按电话查找")
    entries = _entries(AuditEntry.Kind.PERSONAL_DATA)
    assert len(entries) == 4 == PersonalDataAccess.objects.count()
    assert entries[0].target == f"居民 #{resident.pk}" and entries[0].detail == "回访核实"
    assert entries[0].username == "dispatcher"
    assert entries[3].target == "137****0000"  # a search that found no one: what was looked for, masked
    # The log outlives the resident (whose own access rows go with it).
    resident.delete()
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.PERSONAL_DATA).count() == 4


# --- nothing changed or removed before the retention ------------------------------------------

def test_entries_can_be_neither_changed_nor_deleted_by_the_application(world):
    entry = services.record(AuditEntry.Kind.CONFIGURATION, action="修改", target="x")
    entry.detail = "rewritten"
    with pytest.raises(AuditLogProtected):
        entry.save()
    with pytest.raises(AuditLogProtected):
        entry.delete()
    with pytest.raises(AuditLogProtected):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="rewritten")
    with pytest.raises(AuditLogProtected):
        AuditEntry.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET detail = 'rewritten'")
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_removing_an_account_keeps_its_entries(world):
    client = Client()
    client.post("/login/", {"username": "staff2", "password": "pw-staff2"})
    user_id = world.users["staff2"].pk
    world.users["staff2"].delete()
    entry, = _entries(AuditEntry.Kind.SIGN_IN)
    assert (entry.username, entry.user_id) == ("staff2", user_id)
    assert AuditEntry.objects.filter(action="删除", target__contains="staff2").exists()


def test_the_admin_shows_the_log_read_only_even_to_a_superuser(world):
    admin = world.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    entry = services.record(AuditEntry.Kind.SIGN_IN, username="staff1")
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"username": "someone-else"})
    client.post("/admin/audit/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk]})
    assert AuditEntry.objects.get(pk=entry.pk).username == "staff1"
    assert client.get("/admin/audit/auditentry/add/").status_code == 403


def test_the_purge_removes_only_what_is_older_than_the_retention(world, settings):
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    settings.MINSHENG_AUDIT_RETENTION_DAYS = rng.choice([180, 200, 365, 400])
    now = timezone.now()
    cutoff = now - timedelta(days=settings.MINSHENG_AUDIT_RETENTION_DAYS)
    ages = [timedelta(seconds=rng.randrange(0, 800 * 86400)) for _ in range(60)]
    ages += [timedelta(days=settings.MINSHENG_AUDIT_RETENTION_DAYS, seconds=s) for s in (-1, 1)]
    for age in ages:
        services.record(AuditEntry.Kind.SIGN_IN, username="u", at=now - age)
    for age in ages[:10]:
        PersonalDataAccess.objects.filter(pk=PersonalDataAccess.objects.create(
            viewer=world.users["dispatcher"], fields="phone", purpose="p").pk).update(at=now - age)
    kept = sorted(now - a for a in ages if now - a >= cutoff)
    kept_accesses = sum(1 for a in ages[:10] if now - a >= cutoff)
    purged = services.purge(now=now)
    assert purged.audit_entries == len(ages) - len(kept), seed
    assert sorted(AuditEntry.objects.filter(kind=AuditEntry.Kind.SIGN_IN).values_list("at", flat=True)) == kept, seed
    assert PersonalDataAccess.objects.count() == kept_accesses, seed


def test_the_purge_command_dry_runs_and_purges(world, capsys):
    services.record(AuditEntry.Kind.SIGN_IN, username="old", at=timezone.now() - timedelta(days=181))
    services.record(AuditEntry.Kind.SIGN_IN, username="recent", at=timezone.now() - timedelta(days=179))
    call_command("purge_audit_log", "--dry-run")
    assert "would remove 1 audit entries" in capsys.readouterr().out
    assert AuditEntry.objects.count() == 2
    call_command("purge_audit_log")
    assert "removed 1 audit entries" in capsys.readouterr().out
    assert list(AuditEntry.objects.values_list("username", flat=True)) == ["recent"]


def test_a_retention_shorter_than_six_months_is_refused_at_start():
    env = dict(os.environ, MINSHENG_AUDIT_RETENTION_DAYS="90", PYTHONPATH=str(ROOT / "src"))
    result = subprocess.run([sys.executable, "-c", "import minsheng.settings"], env=env, capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode != 0 and "at least 180 days" in result.stderr


# --- the auditors' page -----------------------------------------------------------------------

def _some_entries():
    now = timezone.now()
    services.record(AuditEntry.Kind.SIGN_IN, username="staff1", at=now - timedelta(days=3))
    services.record(AuditEntry.Kind.SIGN_IN_FAILED, username="=HYPERLINK(\"http://x\")", at=now - timedelta(days=2))
    services.record(AuditEntry.Kind.CONFIGURATION, username="admin", action="修改", target="考核规则 #1",
                    at=now - timedelta(days=1))


def test_only_auditors_open_the_audit_page(world, login):
    for name in ["admin", "leader", "dispatcher", "resident"]:
        assert login(name).get("/work/audit/").status_code == 404, name
        assert login(name).get("/work/audit/export.xlsx").status_code == 404, name
    assert login("auditor").get("/work/audit/").status_code == 200


def test_the_auditor_filters_by_kind_user_and_days(world, login):
    _some_entries()
    client = login("auditor")
    page = client.get("/work/audit/", {"kind": "configuration"})
    assert [e.username for e in page.context["page"]] == ["admin"]
    assert [e.username for e in client.get("/work/audit/", {"user": "STAFF"}).context["page"]] == ["staff1"]
    today = timezone.localdate()
    window = {"from": (today - timedelta(days=2)).isoformat(), "to": (today - timedelta(days=2)).isoformat()}
    assert [e.kind for e in client.get("/work/audit/", window).context["page"]] == ["sign_in_failed"]
    assert "安全审计" in client.get("/work/audit/").content.decode()  # on the auditor's navigation


@pytest.mark.parametrize("query", [{"from": "2026-13-01"}, {"to": "0001-01-01"}, {"kind": "nope"},
                                   {"from": "2026-03-02", "to": "2026-03-01"}])
def test_bad_filters_are_a_clear_400(world, login, query):
    client = login("auditor")
    response = client.get("/work/audit/", query)
    assert response.status_code == 400 and response.context["error"]
    assert client.get("/work/audit/export.xlsx", query).status_code == 400


def test_the_export_holds_the_filtered_rows_with_formulas_neutralised(world, login):
    _some_entries()
    response = login("auditor").get("/work/audit/export.xlsx", {"kind": "sign_in_failed"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)
    assert rows[0][:3] == ("时间", "类别", "用户名")
    assert len(rows) == 2 and rows[1][1] == "登录失败"
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")"
