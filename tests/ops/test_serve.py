"""The production command (``manage.py serve``) as an operator runs it: a real subprocess on a
loopback port against a scratch database, answering the health endpoint and the metrics
endpoint, stopped by SIGTERM (both processes, cleanly) or brought down when its worker dies."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from minsheng.ops.metrics import SERIES

from .conftest import ROOT, TOKEN

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env, port: int, log: Path) -> tuple[subprocess.Popen, dict[str, int]]:
    proc = subprocess.Popen([sys.executable, "-m", "minsheng", "serve", "--bind", f"127.0.0.1:{port}",
                             "--workers", "1", "--threads", "2"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=log.open("w"), text=True)
    first = proc.stdout.readline()  # "serve: listening on …; web pid N, worker pid M"
    assert "listening on" in first, (first, log.read_text())
    pids = {part.split()[0]: int(part.split()[-1]) for part in first.strip().split("; ")[1].split(", ")}
    return proc, pids


def _get(port: int, path: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_healthy(port: int, proc: subprocess.Popen, log: Path, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, log.read_text()
        try:
            status, body = _get(port, "/health/", TOKEN)
            if status == 200:
                return json.loads(body)
        except OSError:
            pass
        assert time.monotonic() < deadline, f"never healthy: {log.read_text()[-3000:]}"
        time.sleep(0.5)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (not yet reaped by its parent) counts as gone.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def test_serve_answers_health_and_metrics_then_stops_both_on_sigterm(scratch_site, tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    proc, pids = _start(scratch_site, port, log)
    try:
        report = _wait_healthy(port, proc, log)
        assert report["status"] == "ok"
        assert report["checks"]["worker"]["alive"] == 1 and report["checks"]["database"]["status"] == "ok"
        # Anonymous callers get statuses only; the metrics endpoint does not exist for them.
        status, body = _get(port, "/health/")
        assert status == 200 and json.loads(body)["checks"]["worker"] == {"status": "ok"}
        assert _get(port, "/metrics")[0] == 404
        status, body = _get(port, "/metrics", TOKEN)
        assert status == 200
        text = body.decode()
        for series in SERIES:
            assert f"# TYPE {series} " in text, series
        assert 'minsheng_http_requests_total{method="GET",status="2xx",view="health"}' in text
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0, log.read_text()
    assert "serve: stopped" in proc.stdout.read()
    assert not any(_alive(pid) for pid in pids.values())
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
    assert "worker stopped" in log.read_text()  # the worker's own clean stop, not a kill


def test_serve_exits_non_zero_and_stops_the_web_when_the_worker_dies(scratch_site, tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    proc, pids = _start(scratch_site, port, log)
    try:
        _wait_healthy(port, proc, log)
        os.kill(pids["worker"], signal.SIGKILL)
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code != 0
    assert "worker exited" in log.read_text()
    assert not _alive(pids["web"])
