"""Who is acting, for records written deep inside a save (a configuration change made through the
admin, a page or the API): the current request, held for the request's duration."""

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from minsheng.core.clients import client_address

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("minsheng_audit_request",
                                                                              default=None)


@dataclass(frozen=True)
class Actor:
    user: object | None  # a saved user, or None (a management command, a scheduled job, anonymous)
    username: str
    client_address: str
    request_id: str


_acting: contextvars.ContextVar["Actor | None"] = contextvars.ContextVar("minsheng_audit_acting", default=None)


@contextlib.contextmanager
def acting_as(user) -> Iterator[None]:
    """Records written inside name ``user`` though no request is served (the demo's seeding acts as
    its administrators through the same services; a command may act for the account that asked)."""
    token = _acting.set(Actor(user, user.get_username(), "", ""))
    try:
        yield
    finally:
        _acting.reset(token)


def actor(request: HttpRequest | None = None) -> Actor:
    """The acting account and its client address: from ``request`` or the current one."""
    if request is None and _acting.get() is not None:
        return _acting.get()
    request = request if request is not None else _request.get()
    if request is None:
        return Actor(None, "", "", "")
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return Actor(user if signed_in else None, user.get_username() if signed_in else "",
                 client_address(request)[:64], getattr(request, "request_id", "")[:32])


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
