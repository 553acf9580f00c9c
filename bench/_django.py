"""Django set up for a benchmark script, one way for all of them."""

import os
import tempfile


def start_django() -> None:
    """Set Django up on the data directory in MINSHENG_DATA_DIR, or a new empty one.

    A benchmark measures the product as installed, so it uses the real settings; the log level is
    raised so that the per-request lines don't slow the measured loop down."""
    os.environ.setdefault("MINSHENG_DATA_DIR", tempfile.mkdtemp(prefix="minsheng-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "minsheng.settings"
    os.environ.setdefault("MINSHENG_LOG_LEVEL", "WARNING")
    import django

    django.setup()
