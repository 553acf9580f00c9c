"""A scratch site for the tests that run Minsheng's own commands in subprocesses (serve, backup,
restore): a migrated file SQLite database in a temporary data directory, or a scratch PostgreSQL
database beside the test database when DATABASE_URL is set.  Migrated once for the package."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "scrape-" + uuid.uuid4().hex


@pytest.fixture(scope="package")
def scratch_site(tmp_path_factory):
    data = tmp_path_factory.mktemp("site")
    env = {**os.environ, "MINSHENG_DATA_DIR": str(data), "MINSHENG_SECRET_KEY": "ops-test",
           "MINSHENG_METRICS_TOKEN": TOKEN, "MINSHENG_LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT / "src"),
           "MINSHENG_HEARTBEAT_SECONDS": "1", "MINSHENG_WORKER_POLL_SECONDS": "0.5"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    url = os.environ.get("DATABASE_URL", "")
    name = None
    if url:
        import psycopg

        name = f"minsheng_ops_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    else:
        env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=900)
    yield env
    if name:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=check,
                          capture_output=True, text=True, timeout=600)
