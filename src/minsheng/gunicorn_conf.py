"""gunicorn settings for serving Minsheng: ``gunicorn -c python:minsheng.gunicorn_conf minsheng.wsgi``
(the worker and thread counts of docs/architecture.md go on the command line).

The access log shows the path without its query string (which may carry an Open311 client's
api_key or a resident's phone number) and the request id that the application's own log lines
carry (core.middleware)."""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss id=%({x-request-id}o)s'
