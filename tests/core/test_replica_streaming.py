"""The replica router against a real PostgreSQL primary and streaming replica
(scripts/with-postgres-replica.sh), in a process of its own: the heavy page reads the replica, the
other pages and a client that just wrote read the primary."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="runs in the PostgreSQL run of the suite"),
    pytest.mark.skipif(subprocess.run([ROOT / "scripts" / "with-postgres.sh", "--check"]).returncode != 0,
                       reason="no PostgreSQL server binary"),
]


def free_port_pair() -> int:
    for port in range(25600, 25700, 2):
        taken = False
        for p in (port, port + 1):
            with socket.socket() as s:
                taken = taken or s.connect_ex(("127.0.0.1", p)) == 0
        if not taken:
            return port
    pytest.skip("no free pair of loopback ports")


def test_heavy_pages_read_the_streaming_replica_and_writers_the_primary(tmp_path):
    env = {**os.environ, "MINSHENG_PGPORT": str(free_port_pair()), "MINSHENG_DATA_DIR": str(tmp_path),
           "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT)}
    env.pop("DATABASE_URL")
    result = subprocess.run([ROOT / "scripts" / "with-postgres-replica.sh", sys.executable,
                             str(ROOT / "tests" / "core" / "replica_probe.py")],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "replica probe: ok" in result.stdout
