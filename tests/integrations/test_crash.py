"""The crash test of bench/crash_api.py, run by make test on each database: creates through the
API while the server is killed with SIGKILL 20 times; nothing answered is lost or doubled."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "crash_api.py"


@pytest.mark.slow
def test_twenty_sigkills_lose_and_double_nothing():
    env = {k: v for k, v in os.environ.items() if k != "MINSHENG_DATA_DIR"}
    result = subprocess.run([sys.executable, str(SCRIPT), "--kills", "20", "--clients", "4"], env=env,
                            capture_output=True, text=True, timeout=900)
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    figures = dict(re.findall(r"(\w+)=(\d+)", last))
    assert figures["kills"] == "20" and int(figures["answered"]) > 0
    assert (figures["lost"], figures["duplicates"], figures["mismatches"]) == ("0", "0", "0")
