"""WSGI entry point."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
application = get_wsgi_application()
# Everything loaded so far (Django, the apps, the URL patterns, pydantic's schemas) lives as long
# as the process: leave it out of the cyclic garbage collector's full passes, which otherwise
# walk all of it again and again under load.  Loaded before gunicorn forks its workers
# (--preload), it is also shared with them, not copied.
gc.freeze()
