"""Request-wide concerns that no view should repeat: an id for every request (in the log and
in the ``X-Request-ID`` answer header, so that a resident's or an operator's report of a failure
can be found in the log without logging who they are), and a refusal that escaped its view
answered with its own status and message instead of a server error."""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import MinshengError

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("minsheng_request_id", default="-")
log = logging.getLogger("minsheng.request")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (``%(request_id)s`` in the format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # django.request logs a refused request after the middleware returned: its record
            # carries the request itself.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or _request_id.get()
        return True


# Query parameters whose values never reach a log: API keys (Open311 clients may put theirs in
# the query string), phone numbers and their last digits, tokens of signed links.
_SECRET_PARAMETERS = re.compile(r"(?i)\b(api_key|key|token|phone|phone_last4|password|sig|signature)=([^&\s\"']*)")


def redact(text: str) -> str:
    return _SECRET_PARAMETERS.sub(lambda m: f"{m[1]}=[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    """Removes secret query parameters from a record's message (the development server and some
    proxies log the whole request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def refuse_null_characters(request: HttpRequest) -> HttpResponse | None:
    """A plain 400 for a path or query string that carries a NUL character, before any view reads
    it.  No one types one; PostgreSQL cannot hold one in a text value, so a page that passed such
    a parameter to a query answered 500 there (and SQLite quietly searched for it).  Form fields
    refuse it themselves (Django's ProhibitNullCharactersValidator); this covers what views read
    from the path and the query string directly."""
    if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                     for key, values in request.GET.lists()):
        return HttpResponseBadRequest(_("请求中含有无效的字符。"), content_type="text/plain; charset=utf-8")
    return None


class RequestIdMiddleware:
    # Generated here, never taken from the client: a chosen id could be made to collide with
    # another request's lines in the log.
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = refuse_null_characters(request) or self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, MinshengError):
            # A service's refusal (a bad date in a query string, a record out of scope) that the
            # view did not catch: the user's mistake, answered as such and logged as a warning by
            # Django (path and status only).
            return render(request, "core/refused.html", {"message": exception.message}, status=exception.status)
        return None


class IdleTimeoutMiddleware:
    """Signs a user out after ``MINSHENG_SESSION_IDLE_MINUTES`` without a request: a workstation
    left signed in (a hotline desk, a community office) is not left open to the next person.
    The moment of the last request is written at most once a minute, not on every request."""

    KEY = "minsheng_last_seen"
    WRITE_EVERY_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = settings.MINSHENG_SESSION_IDLE_MINUTES * 60
        if timeout and request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - last > timeout:
                log.info("session of user %s ended after %d idle minutes", request.user.pk, (now - last) // 60)
                logout(request)  # the request goes on as anonymous: a staff page asks to sign in again
            elif last is None or now - last >= self.WRITE_EVERY_SECONDS:
                request.session[self.KEY] = now
        return self.get_response(request)
