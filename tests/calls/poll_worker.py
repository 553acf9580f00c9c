"""A worker process of the site for tests/calls/test_poll_processes.py: the WSGI application
answering requests read as JSON lines from stdin, one JSON line of answer each on stdout
(``{"status", "etag", "body"}``); a line with ``"exec"`` runs that code (an admin's change made
in this process instead)."""

import io
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
import django

django.setup()
from minsheng.wsgi import application  # noqa: E402


def request(method: str, path: str, headers: dict, body: str = "") -> dict:
    data = body.encode()
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
               "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data),
               "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.errors": sys.stderr,
               "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False, **headers}
    answer = {}

    def start(status, response_headers, exc_info=None):
        answer["status"] = int(status[:3])
        answer["etag"] = dict(response_headers).get("ETag")

    response = application(environ, start)
    answer["body"] = b"".join(response).decode()
    response.close()
    return answer


print(json.dumps({"ready": os.getpid()}), flush=True)
for line in sys.stdin:
    command = json.loads(line)
    if "exec" in command:
        exec(command["exec"])
        print(json.dumps({"done": True}), flush=True)
    else:
        print(json.dumps(request(**command)), flush=True)
