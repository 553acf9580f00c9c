"""``manage.py backup`` taken while demands are being registered, then ``manage.py restore``:
the restored database has exactly the rows the backup counted and its event log rebuilds every
demand (verify_events: 0 mismatches).  On the scratch site of conftest.py (file SQLite, or
PostgreSQL with pg_dump/pg_restore), since the in-memory test database cannot be copied by
another connection while threads write to it."""

import json
import os
import random
from pathlib import Path

import pytest

from minsheng.ops.backup import pg_tool

from .conftest import manage

pytestmark = pytest.mark.slow

# Run in one `manage.py shell`: a writer thread registers demands through the service while the
# backup command runs; the backup starts after the writer's first demands and the writer goes on after it.
UNDER_LOAD = """
import json, threading, time
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from minsheng.demands import services
from minsheng.demands.models import Demand
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.organisation.roles import Role

district = Region.objects.create(kind="district", name="望花区", code="d")
street = Region.objects.create(kind="street", name="光明街道", code="s1", parent=district)
community = Region.objects.create(kind="community", name="玫瑰城社区", code="c1", parent=street)
grid = Region.objects.create(kind="grid", name="玫瑰城第一网格", code="g1", parent=community)
centre = Unit.objects.create(kind="district_centre", name="望花区接诉即办中心", code="centre", region=district)
user = get_user_model().objects.create_user(username="operator", password="pw-operator-1")
Membership.objects.create(user=user, unit=centre, role=Role.HOTLINE_OPERATOR)

made, stop, errors = [], threading.Event(), []

def write():
    try:
        while not stop.is_set():
            made.append(services.register_demand(
                get_user_model().objects.get(pk=user.pk), channel="hotline", demand_type="complaint",
                title="建设路井盖缺失", description="建设路与光明街交叉口的井盖丢失两天了，晚上很危险。",
                region=grid, category="construction.roads",
                reporter=services.ReporterInput(name="张伟", phone="137000%05d" % len(made))).pk)
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connections.close_all()

writer = threading.Thread(target=write)
writer.start()
while len(made) < BEFORE and writer.is_alive():
    time.sleep(0.01)
during = len(made)
call_command("backup", TARGET)
after_backup = len(made)
while len(made) < after_backup + AFTER and writer.is_alive():
    time.sleep(0.01)
stop.set()
writer.join()
print(json.dumps({"errors": errors, "before": during, "after_backup": after_backup,
                  "total": Demand.objects.count()}))
"""

COUNTS = "import json; from minsheng.ops.backup import live_counts; print(json.dumps(live_counts()))"


def _last_json(process) -> dict:
    return json.loads(process.stdout.strip().splitlines()[-1])


def test_a_backup_taken_under_write_load_restores_with_equal_counts_and_no_event_mismatch(scratch_site, tmp_path):
    if os.environ.get("DATABASE_URL") and not (pg_tool("pg_dump") and pg_tool("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed (Debian: postgresql-client)")
    env = scratch_site
    media = Path(env["MINSHENG_DATA_DIR"]) / "media" / "demands"
    media.mkdir(parents=True, exist_ok=True)
    photo = os.urandom(random.randint(1000, 5000))
    (media / "photo.jpg").write_bytes(photo)
    target = tmp_path / "backup-1"
    script = (UNDER_LOAD.replace("BEFORE", str(random.randint(3, 8))).replace("AFTER", str(random.randint(3, 8)))
              .replace("TARGET", repr(str(target))))
    run = _last_json(manage(env, "shell", "-c", script))
    assert run["errors"] == []
    manifest = json.loads((target / "manifest.json").read_text())
    in_backup = manifest["counts"]["demands_demand"]
    # Taken under load: the writer had written some before, and wrote more after.
    assert run["before"] <= in_backup <= run["after_backup"] < run["total"]
    assert manifest["media"] and (target / "media.tar").is_file()

    # A second backup to the same place is refused, not overwritten.
    again = manage(env, "backup", str(target), check=False)
    assert again.returncode != 0 and "already exists" in again.stderr
    # Restoring over a database that holds demands needs --force.
    refused = manage(env, "restore", str(target), check=False)
    assert refused.returncode != 0 and "--force" in refused.stderr

    (media / "photo.jpg").unlink()
    restored = manage(env, "restore", str(target), "--force")
    assert "counts match" in restored.stdout
    assert _last_json(manage(env, "shell", "-c", COUNTS)) == manifest["counts"]
    assert manage(env, "verify_events").stdout.strip().splitlines()[-1] == f"mismatches=0 demands={in_backup}"
    assert (media / "photo.jpg").read_bytes() == photo
