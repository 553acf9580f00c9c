"""scripts/with-postgres.sh with MINSHENG_PG_DIR: a cluster kept between runs (a 10M benchmark
database is filled in one session and timed in the next), and the throw-away one still removed.
Run in the PostgreSQL suite only (the one that has the server binaries at hand)."""

import os
import random
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "with-postgres.sh"

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL") or
                                subprocess.run([str(SCRIPT), "--check"]).returncode != 0,
                                reason="the PostgreSQL suite's server binaries")


def _free_port() -> int:
    for _ in range(50):
        port = random.randint(26000, 26999)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def _run(directory: Path | None, sql: str) -> str:
    env = {**os.environ, "MINSHENG_PGPORT": str(_free_port())}
    env.pop("DATABASE_URL", None)
    env.pop("MINSHENG_PG_DIR", None)
    if directory is not None:
        env["MINSHENG_PG_DIR"] = str(directory)
    psql = f'"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql" "$DATABASE_URL" -Atc "{sql}"'
    done = subprocess.run([str(SCRIPT), "bash", "-c", psql], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow  # two clusters started and stopped: ≈ 10–20 s on a loaded machine
def test_a_kept_cluster_keeps_its_rows_between_runs():
    # Under /tmp itself: the postgres user (the script runs the server as it when root) cannot
    # reach pytest's own temporary directories.
    kept = Path(tempfile.mkdtemp(prefix="minsheng-kept-", dir="/tmp")) / "pg"
    kept.parent.chmod(0o755)
    try:
        mark = str(random.randint(1, 10**9))
        _run(kept, f"CREATE TABLE kept (v bigint); INSERT INTO kept VALUES ({mark})")
        assert (kept / "data" / "PG_VERSION").is_file()
        # Started again on the same directory: no initdb, the database and its rows are there.
        assert _run(kept, "SELECT v FROM kept") == mark
        assert (kept / "data").is_dir()
    finally:
        shutil.rmtree(kept.parent, ignore_errors=True)


def test_without_a_kept_directory_the_cluster_is_thrown_away(tmp_path):
    before = set(Path("/tmp").glob("minsheng-pg.*"))
    assert _run(None, "SELECT 1") == "1"
    assert set(Path("/tmp").glob("minsheng-pg.*")) <= before
