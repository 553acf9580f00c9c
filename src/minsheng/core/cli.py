"""Run Django management commands with one-line errors instead of tracebacks.

A newcomer who mistypes a database URL or points at a server that is down should read
one sentence saying so, not fifty lines of stack.
"""

import sys

from django.core.exceptions import ImproperlyConfigured


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def run_management_command(argv: list[str]) -> int:
    from django.db.utils import InterfaceError, OperationalError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        print(f"minsheng: configuration error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except (OperationalError, InterfaceError) as exc:
        print(f"minsheng: cannot use the database: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
