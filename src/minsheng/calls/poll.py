"""The workbench's poll: which call this operator has on the line, asked every 750 ms by every
open workbench of an account with a seat, and answered without the pages' middleware.

A 750-seat centre's workbenches ask a thousand times a second, nearly always to hear "nothing
new".  Walked through the pages' middleware (session, account, one-time code, memberships, idle
sign-out, CSP) a poll cost about 4 ms of CPU and 5 queries; answered here it costs the session's
row and one indexed statement (``selectors.operator_line``), and nothing at all is sent back
when the answer has not changed (``If-None-Match`` → 304).

It is still the signed-in operator's poll, checked as the pages' middleware checks a request:

- the page gives its script a **poll token** (``issue_token``), signed with the site's key and
  naming the account and a digest of the session's key, and only pages that passed the whole
  middleware (signed in, second factor given where required) carry one.  A forged token, or one
  from another session (a key changes at every sign-in), is refused (403);
- the **session** named by the cookie must still exist, unexpired, for that account, with the
  account's current password hash (a changed password ends it, as ``auth.get_user`` does) and an
  active account with the backend it signed in with; else 401;
- a poll is **not activity**: it never writes the session, and once the session has been idle
  for ``MINSHENG_SESSION_IDLE_MINUTES`` (the last moment ``core.middleware.IdleTimeoutMiddleware``
  wrote) the poll answers 401, the script reloads the page and that request signs the user out —
  a workbench left open no longer keeps its session alive for ever;
- the answer is only the id of the call answered at one of the account's active seats, read
  fresh from the database (a seat handed to another operator answers them from the next poll,
  whatever process asks); the card itself (name, masked number, demands) is the pop view's,
  through the whole middleware.  The version (``ETag``) is the call's id: knowing it, or making
  one up, yields nothing but a 304 or the same answer.
"""

import hashlib
import json
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db as db_sessions
from django.core import signing
from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from minsheng.core.middleware import IdleTimeoutMiddleware

from . import selectors

HEADER = "HTTP_X_CALL_POLL"  # X-Call-Poll: the token, never in the URL (which ends up in logs)
_SALT = "minsheng.calls.poll"
_NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def _digest(session_key: str) -> str:
    # The page holds the token, so it names the session by a digest: a script reading the page
    # learns nothing that opens the session (its cookie is HttpOnly).
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


def token_for(user_pk: int, session_key: str) -> str:
    """The poll token of this account in this session."""
    return signing.Signer(salt=_SALT).sign(f"{user_pk}.{_digest(session_key)}")


def issue_token(request: HttpRequest) -> str:
    """The poll token for the page being rendered, or "" when the request may not poll: not
    signed in, or a second factor still owed (``core.twofactor``)."""
    from minsheng.core import twofactor

    user = getattr(request, "user", None)
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is None or not user.is_authenticated or not session_key:
        return ""
    if not getattr(user, "is_verified", lambda: True)() and twofactor.required_for(user):
        return ""
    return token_for(user.pk, session_key)


class Refused(Exception):
    """A poll that gets nothing: 403 a token that is not this session's, 401 a session that has
    ended (signed out, expired, idle, password changed, account deactivated)."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def _session(request: HttpRequest, token: str) -> tuple[int, dict]:
    """The account the token names, and its session's data, if the cookie's session is the one
    the token was issued in; else Refused(403)."""
    try:
        value = signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature:
        raise Refused(403) from None
    user_pk, _dot, digest = value.partition(".")
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME) or ""
    if not session_key or not constant_time_compare(digest, _digest(session_key)):
        raise Refused(403)
    return int(user_pk), _session_data(session_key)


def _session_data(session_key: str) -> dict:
    """The session's data ({} for none, or an expired one), as its store would load it, without
    touching it.  For the database's stores (``db``, ``cached_db``, the default) one prepared
    statement by the key rather than the ORM's ``get``, which cost half the poll."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if not isinstance(store, db_sessions.SessionStore):
        return store.load()
    model = store.get_model_class()
    connection = connections[router.db_for_read(model)]
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {q('session_data')} FROM {q(model._meta.db_table)} "
                       f"WHERE {q('session_key')} = %s AND {q('expire_date')} > %s",
                       [session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
        row = cursor.fetchone()
    return store.decode(row[0]) if row else {}


def _signed_in(user_pk: int, data: dict, password: str) -> bool:
    """What ``auth.get_user`` and the idle sign-out would say of this session, without writing it."""
    if data.get(SESSION_KEY) != str(user_pk) or data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return False
    session_hash = data.get(HASH_SESSION_KEY) or ""
    account = get_user_model()(pk=user_pk, password=password)
    if not session_hash or not (constant_time_compare(session_hash, account.get_session_auth_hash()) or any(
            constant_time_compare(session_hash, h) for h in account.get_session_auth_fallback_hash())):
        return False
    idle = settings.MINSHENG_SESSION_IDLE_MINUTES * 60
    last = data.get(IdleTimeoutMiddleware.KEY)
    return not (idle and last is not None and int(time.time()) - last > idle)


def asked(request: HttpRequest) -> int | None:
    """The call on the asking operator's line (its id, or None); Refused if the poll is not a
    signed-in operator's."""
    user_pk, data = _session(request, request.META.get(HEADER) or "")
    line = selectors.operator_line(user_pk)
    if line is None or not _signed_in(user_pk, data, line[0]):
        raise Refused(401)
    return line[1]


def answer(request: HttpRequest) -> HttpResponse:
    """200 ``{"call": id|null}`` with the answer's ``ETag``; 304 when ``If-None-Match`` already
    names it; 401/403 ``{"call": null}`` when refused.  No answer is stored by any cache."""
    if request.method != "GET":
        response = HttpResponse(status=405)
        response["Allow"] = "GET"
    else:
        try:
            call = asked(request)
        except Refused as refused:
            response = HttpResponse(b'{"call": null}', status=refused.status, content_type="application/json")
        else:
            etag = f'"call-{call or 0}"'
            if request.META.get("HTTP_IF_NONE_MATCH") == etag:
                response = HttpResponse(status=304)
            else:
                response = HttpResponse(json.dumps({"call": call}).encode(), content_type="application/json")
            response["ETag"] = etag
    response["Cache-Control"] = _NO_STORE
    return response
