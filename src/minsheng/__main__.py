"""Command-line entry point: ``minsheng <command>`` is ``manage.py <command>``."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    from minsheng.core.cli import run_management_command

    sys.exit(run_management_command(sys.argv))


if __name__ == "__main__":
    main()
