"""Residents sign in with their phone number and a one-time code sent by text message.

The code goes straight to the SMS gateway (``MINSHENG_SMS_BACKEND``), not through the
notification outbox: the outbox stores a message's text until a worker delivers it, so the code
would sit in the database in clear, and it would wait behind the queue for a worker's poll while
its five minutes run.  Only a keyed hash of the code is stored (``SignInCode``).

Asking for a code answers the same whether the phone belongs to a known resident or not (a code
is sent either way: the first sign-in registers the resident), so the page cannot be used to
learn who lives here.  Limits: codes per phone and per client address in the last hour, a wait
between two codes to one phone, wrong codes per code (then it is spent) and per client address.

A verified phone is the only link between an account and a resident record: the account behind
the resident with that phone, or a new account with the resident role (and a new resident when
none has the phone).  An account that holds a staff role never signs in this way — staff sign in
with their password (and second factor)."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import MinshengError, PermissionDenied, ValidationFailed
from minsheng.core.throttle import TooManyAttempts, check_not_locked, record_failure
from minsheng.notifications.sms import Sms, sms_backend
from minsheng.organisation.models import Membership, Unit
from minsheng.organisation.roles import STAFF_ROLES, Role
from minsheng.organisation.scope import forget_grants, roles_of

from .models import Resident, SignInCode
from .services import find_or_register_resident
from .validation import is_mobile, mask_phone, normalise_phone

logger = logging.getLogger("minsheng.people")

CODE_DIGITS = 6
_HASH_SALT = "minsheng.people.signin"
_FAILURE_WINDOW = 3600


class SmsNotSent(MinshengError):
    """The SMS gateway refused or could not be reached: the resident tries again later."""

    code = "sms_not_sent"
    status = 503


def _hash(phone: str, code: str, created_at) -> str:
    """A keyed hash of the code, bound to its phone and moment (one code's hash proves nothing
    about another's)."""
    return salted_hmac(_HASH_SALT, f"{phone}|{code}|{created_at.isoformat()}", algorithm="sha256").hexdigest()


def _mobile(raw: str) -> str:
    """The phone as digits, refused unless it is a mobile number (a landline gets no text)."""
    phone = normalise_phone(raw)
    if not is_mobile(phone):
        raise ValidationFailed.for_field("phone", _("请填写手机号码，验证码通过短信发送。"))
    return phone


def request_code(raw_phone: str, *, client: str = "") -> str:
    """Send a new sign-in code to this phone; the normalised phone.

    Refused (TooManyAttempts, with the seconds to wait) when the phone had a code less than
    ``MINSHENG_SIGNIN_RESEND_SECONDS`` ago or its hourly number of codes, or the client address
    its own.  Nothing here depends on whether the phone is known."""
    phone = _mobile(raw_phone)
    client = (client or "unknown")[:64]
    now = clock.now()
    hour_ago = now - timedelta(hours=1)
    with transaction.atomic():
        recent = list(SignInCode.objects.filter(phone=phone, created_at__gt=hour_ago)
                      .order_by("created_at").values_list("created_at", flat=True))
        wait = settings.MINSHENG_SIGNIN_RESEND_SECONDS
        if recent and (now - recent[-1]).total_seconds() < wait:
            seconds = max(1, int(wait - (now - recent[-1]).total_seconds() + 0.999))
            raise TooManyAttempts(_("验证码已发送，请在 %(n)d 秒后再重新获取。") % {"n": seconds},
                                  retry_after=seconds)
        if len(recent) >= settings.MINSHENG_SIGNIN_CODES_PER_PHONE:
            seconds = max(1, int((recent[0] + timedelta(hours=1) - now).total_seconds() + 0.999))
            raise TooManyAttempts(_("该手机号获取验证码的次数过多，请在 %(n)d 分钟后再试。")
                                  % {"n": (seconds + 59) // 60}, retry_after=seconds)
        if (SignInCode.objects.filter(client=client, created_at__gt=hour_ago).count()
                >= settings.MINSHENG_SIGNIN_CODES_PER_CLIENT):
            raise TooManyAttempts(_("获取验证码的次数过多，请一小时后再试。"), retry_after=3600)
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        row = SignInCode.objects.create(
            phone=phone, code_hash=_hash(phone, code, now), client=client, created_at=now,
            expires_at=now + timedelta(minutes=settings.MINSHENG_SIGNIN_CODE_MINUTES))
    minutes = int(settings.MINSHENG_SIGNIN_CODE_MINUTES)
    # Sent after the row is committed: the gateway's latency never holds the database's write lock.
    # The row stays when the gateway fails, so that a failing gateway cannot be retried without limit.
    try:
        sms_backend().send(Sms(phone, "signin.code", {"code": code, "minutes": minutes}, f"signin-{row.pk}"))
    except Exception as exc:
        logger.exception("sign-in code to %s not sent", mask_phone(phone))
        raise SmsNotSent(_("短信发送失败，请稍后再试。")) from exc
    return phone


CODES_KEPT = timedelta(days=1)


def purge_codes(now=None) -> int:
    """Delete sign-in codes older than a day (the limits look back one hour); how many went.
    A periodic job of the worker (``MINSHENG_PERIODIC_JOBS``)."""
    now = now or clock.now()
    deleted, _counts = SignInCode.objects.filter(created_at__lt=now - CODES_KEPT).delete()
    return deleted


def _wrong_code() -> ValidationFailed:
    return ValidationFailed.for_field("code", _("验证码错误或已失效，请重新输入或重新获取。"))


def verify_code(raw_phone: str, code: str, *, client: str = "") -> str:
    """Spend the phone's latest code if ``code`` matches it; the normalised phone.

    A wrong code counts against that code (after ``MINSHENG_SIGNIN_CODE_ATTEMPTS`` it is spent)
    and against the client address; a missing, expired, spent and wrong code answer alike."""
    phone = _mobile(raw_phone)
    client = (client or "unknown")[:64]
    check_not_locked("signin-code-client", client, settings.MINSHENG_SIGNIN_CLIENT_FAILURES)
    code = (code or "").strip()
    now = clock.now()
    with transaction.atomic():
        row = (SignInCode.objects.select_for_update().filter(phone=phone, used_at__isnull=True)
               .order_by("-created_at", "-pk").first())
        live = (row is not None and row.expires_at > now
                and row.failed_attempts < settings.MINSHENG_SIGNIN_CODE_ATTEMPTS)
        if live and len(code) == CODE_DIGITS and code.isdigit() and constant_time_compare(
                row.code_hash, _hash(phone, code, row.created_at)):
            # Spent, and every older code of this phone with it.
            SignInCode.objects.filter(phone=phone, used_at__isnull=True).update(used_at=now)
            return phone
        if live:
            SignInCode.objects.filter(pk=row.pk).update(failed_attempts=F("failed_attempts") + 1)
    record_failure("signin-code-client", client, _FAILURE_WINDOW)
    raise _wrong_code()


def _resident_unit(resident: Resident) -> Unit:
    """The unit a resident's membership is filed under: the territorial unit of the resident's
    region (or the nearest above it), else the top of the organisation.  The resident role's
    grant reaches only the resident's own demands whichever unit it is."""
    region = resident.region
    while region is not None:
        unit = Unit.objects.filter(region=region, active=True).order_by("path").first()
        if unit is not None:
            return unit
        region = region.parent
    unit = Unit.objects.filter(active=True).order_by("path").first()
    if unit is None:
        raise PermissionDenied(_("系统尚未设置组织机构，暂不能登录。"))
    return unit


def account_for_phone(phone: str, *, name: str = ""):
    """The account of the resident with this (verified) phone, made on first sign-in.

    The resident with the phone is found or registered; its account is created with the resident
    role when it has none.  An account that holds a staff role, or is staff or superuser, is
    refused: a text message is not enough for it."""
    user_model = get_user_model()
    with transaction.atomic():
        resident = find_or_register_resident(name=name, phone=phone)
        resident = Resident.objects.select_for_update(of=("self",)).select_related("region", "user").get(pk=resident.pk)
        user = resident.user
        if user is not None:
            if user.is_staff or user.is_superuser or roles_of(user) & STAFF_ROLES:
                raise PermissionDenied(_("该手机号关联的是工作人员账号，请使用工作人员登录。"))
            if not user.is_active:
                raise PermissionDenied(_("该账号已停用，请联系社区。"))
        else:
            user = user_model(username=f"r-{secrets.token_hex(6)}", first_name=resident.name[:150])
            user.set_unusable_password()
            user.save()
            resident.user = user
            resident.save(update_fields=["user"])
        if Role.RESIDENT not in roles_of(user):
            Membership.objects.update_or_create(user=user, unit=_resident_unit(resident), role=Role.RESIDENT,
                                                defaults={"active": True})
            forget_grants(user)
    return user


def bind_wechat(user, openid: str) -> None:
    """Record the WeChat openid on the resident behind ``user`` (after the phone was proved), so
    that the next WeChat authorisation signs in without a code.  An openid already bound to
    another resident moves to this one: its owner has just proved this phone."""
    openid = (openid or "").strip()[:64]
    if not openid:
        return
    with transaction.atomic():
        Resident.objects.filter(wechat_openid=openid).exclude(user=user).update(wechat_openid="")
        Resident.objects.filter(user=user).update(wechat_openid=openid)


def account_for_openid(openid: str):
    """The account bound to this WeChat openid, or None (the resident then proves a phone once)."""
    resident = (Resident.objects.select_related("user").filter(wechat_openid=openid, user__isnull=False)
                .first() if openid else None)
    if resident is None:
        return None
    user = resident.user
    if not user.is_active or user.is_staff or user.is_superuser or roles_of(user) & STAFF_ROLES:
        return None
    return user
