"""manage.py as a newcomer runs it: mistakes give one line saying what is wrong, never a
traceback."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def manage(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "MINSHENG_SECRET_KEY"}}
    environment.update(MINSHENG_DATA_DIR=str(tmp_path / "data"), PYTHONDONTWRITEBYTECODE="1", **env)
    return subprocess.run([sys.executable, str(REPO / "manage.py"), *args], cwd=REPO, env=environment,
                          capture_output=True, text=True, timeout=60)


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


def test_repo_root_is_found():
    assert (REPO / "manage.py").is_file()


def test_unknown_option_gives_one_error_line_and_no_traceback(tmp_path):
    result = manage(tmp_path, "verify_events", "--no-such-option")
    assert result.returncode != 0
    assert_no_traceback(result)
    errors = [line for line in error_lines(result) if "error" in line]
    assert len(errors) == 1
    assert "--no-such-option" in errors[0]
    assert errors[0].startswith("manage.py verify_events: error:")


def test_unreachable_database_gives_one_line_and_exit_code_1(tmp_path):
    result = manage(tmp_path, "verify_events", DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert result.returncode == 1
    assert_no_traceback(result)
    assert len(error_lines(result)) == 1
    assert error_lines(result)[0].startswith("minsheng: cannot use the database: ")
    assert "127.0.0.1" in error_lines(result)[0]


def test_malformed_database_url_gives_one_configuration_error(tmp_path):
    result = manage(tmp_path, "verify_events", DATABASE_URL="notaurl://x")
    assert result.returncode != 0
    assert_no_traceback(result)
    assert len(error_lines(result)) == 1
    line = error_lines(result)[0]
    assert line.startswith("minsheng: configuration error: ")
    assert "DATABASE_URL" in line
