"""What every integration call is held to, on both interfaces (Open311 and the JSON API):
one rate count per key, and one largest body."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from minsheng.core.errors import MinshengError, ValidationFailed
from minsheng.core.throttle import check_rate

from .models import ApiKey


class PayloadTooLarge(MinshengError):
    code = "payload_too_large"
    status = 413


def key_owner(key: ApiKey) -> str:
    """The name a key's rate count and remembered answers are kept under."""
    return f"key:{key.pk}"


def check_key_rate(key: ApiKey) -> None:
    check_rate("api", key_owner(key), key.rate_per_minute)


def check_body_size(request: HttpRequest) -> None:
    limit = settings.MINSHENG_API_MAX_BODY_BYTES
    raw = (request.META.get("CONTENT_LENGTH") or "0").strip()
    # A length that is not a number is the client's mistake, not ours: a 400, never a 500.
    if not raw.isascii() or not raw.isdigit():
        raise ValidationFailed(_("Content-Length 必须是非负整数。"))
    if int(raw) > limit:
        raise PayloadTooLarge(_("请求内容过大（上限 %(n)d KB）。") % {"n": limit // 1024})
