"""Who is calling the JSON API: an integration with an API key, or a signed-in user with
their session (and its CSRF token).  Each caller is rate-limited."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from minsheng.core.errors import MinshengError
from minsheng.core.throttle import check_rate

from .. import services
from ..limits import check_body_size, check_key_rate, key_owner
from ..models import ApiKey


class UnsupportedMediaType(MinshengError):
    code = "unsupported_media_type"
    status = 415


@dataclass(frozen=True)
class Caller:
    user: object
    key: ApiKey | None

    @property
    def owner(self) -> str:
        return key_owner(self.key) if self.key else f"user:{self.user.pk}"


def _admit(request: HttpRequest, caller: Caller) -> Caller:
    """Checks every call passes once its caller is known: the rate, the body's size and type."""
    if caller.key:
        check_key_rate(caller.key)
    else:
        check_rate("api", caller.owner, settings.MINSHENG_API_SESSION_RATE)
    if request.method in ("POST", "PUT", "PATCH"):
        check_body_size(request)
        if request.content_type != "application/json":
            raise UnsupportedMediaType(_("请求内容必须是 JSON（Content-Type: application/json）。"))
    return caller


def _by_key(request: HttpRequest, raw: str | None) -> Caller | None:
    key = services.authenticate_api_key(raw)
    return _admit(request, Caller(key.user, key)) if key else None


class KeyHeader(APIKeyHeader):
    """``X-API-Key: ms_…``"""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        return _by_key(request, key)


class KeyBearer(HttpBearer):
    """``Authorization: Bearer ms_…``"""

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        return _by_key(request, token)


class Session(SessionAuth):
    """A signed-in user of the web pages (unsafe methods need the CSRF token)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = super().authenticate(request, key)
        return _admit(request, Caller(user, None)) if user else None


AUTH = [KeyHeader(), KeyBearer(), Session()]
