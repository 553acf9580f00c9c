"""Two-factor sign-in for staff (TOTP with django-otp), with recovery codes.

Roles in ``MINSHENG_2FA_ROLES`` (administrators, leaders and auditors by default) and superusers
(``MINSHENG_2FA_SUPERUSERS``) must confirm a one-time code from an authenticator app after their
password before any page answers them; the first time, they set the app up (a QR code) and
receive recovery codes, each usable once in place of the app.  django-otp throttles wrong codes
per device."""

from base64 import b32encode
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from minsheng.organisation.scope import roles_of

from .errors import ValidationFailed

RECOVERY_CODES = 10
_SETUP_NAME = "authenticator"
_RECOVERY_NAME = "recovery"


def required_for(user) -> bool:
    """Whether ``user`` must sign in with a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser and settings.MINSHENG_2FA_SUPERUSERS:
        return True
    return bool(roles_of(user) & set(settings.MINSHENG_2FA_ROLES))


def is_set_up(user) -> bool:
    return user_has_device(user, confirmed=True)


def pending_device(user) -> TOTPDevice:
    """The authenticator being set up (unconfirmed until a first code from it is given)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=_SETUP_NAME, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it typed in (base32)."""
    return b32encode(device.bin_key).decode().rstrip("=")


def _clean(token: str) -> str:
    return "".join((token or "").split()).replace("-", "")


def confirm_setup(request: HttpRequest, token: str) -> list[str]:
    """Confirm the pending authenticator with its first code; the recovery codes (shown once)."""
    device = pending_device(request.user)
    if not device.verify_token(_clean(token)):
        raise ValidationFailed.for_field("token", _("验证码不正确，请核对手机上的时间后重试。"))
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(request.user)
    otp_login(request, device)
    return codes


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with fresh ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def verify(request: HttpRequest, token: str) -> None:
    """Accept a code from the authenticator, or one recovery code (then used up)."""
    token = _clean(token)
    for device in [*TOTPDevice.objects.filter(user=request.user, confirmed=True),
                   *StaticDevice.objects.filter(user=request.user, confirmed=True)]:
        if device.verify_is_allowed()[0] and device.verify_token(token):
            otp_login(request, device)
            return
    raise ValidationFailed.for_field("token", _("验证码或恢复码不正确。"))


# Paths open before the second factor: the factor's own page, signing out, static files, the language.
_OPEN_PREFIXES = ("/2fa/", "/logout/", "/static/", "/i18n/", "/login/")


class TwoFactorMiddleware:
    """Sends a signed-in user who needs a second factor and has not given it to ``/2fa/``;
    the JSON API answers 403 instead (a key-authenticated caller has no session and is not
    concerned)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (user.is_authenticated and not user.is_verified() and not request.path.startswith(_OPEN_PREFIXES)
                and required_for(user)):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": {"code": "second_factor_required",
                                               "message": _("请先完成两步验证。"), "fields": {}}}, status=403)
            return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
