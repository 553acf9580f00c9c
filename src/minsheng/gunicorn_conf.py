"""gunicorn settings for serving Minsheng: ``gunicorn -c python:minsheng.gunicorn_conf minsheng.wsgi``
(the worker and thread counts of docs/architecture.md go on the command line).

The access log shows the path without its query string (which may carry an Open311 client's
api_key or a resident's phone number) and the request id that the application's own log lines
carry (core.middleware)."""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss id=%({x-request-id}o)s'

# SIGTERM lets requests in flight finish for this long before the workers are killed (systemd's
# TimeoutStopSec in deploy/ is longer).
graceful_timeout = 20


def child_exit(server, worker) -> None:
    """A gunicorn worker that exits leaves its metric files behind for the sum (ops.metrics);
    its live gauges are dropped."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

# gunicorn 27's control socket (in the home directory, which a service account may not have) is
# not used: stop, reload and scale with signals (deploy/).
control_socket_disable = True
