"""Phone numbers and resident ID numbers: normalise, validate, mask."""

import re

from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from minsheng.core.errors import ValidationFailed

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code 0 + 2–3 digits, then a 7–8 digit local number (010-12345678, 0413-5123456).
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_SEPARATORS = re.compile(r"[\s\-()（）]")


def normalise_phone(raw: str) -> str:
    """Return the phone as digits only, or raise ValidationFailed with the reason."""
    digits = _SEPARATORS.sub("", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits:
        raise ValidationFailed.for_field("phone", _("请填写联系电话。"))
    if not digits.isdigit() or not (_MOBILE.match(digits) or _LANDLINE.match(digits)):
        raise ValidationFailed.for_field("phone", _("“%(phone)s”不是有效的手机号码或固定电话。") % {"phone": raw})
    return digits


def is_mobile(phone: str) -> bool:
    return bool(_MOBILE.match(phone))


def normalise_id_number(raw: str) -> str:
    """Validate a Chinese resident ID number (checksum, birth date, region) and return it."""
    value = (raw or "").strip().upper()
    try:
        return ric.validate(value)
    except stdnum_errors.ValidationError as exc:
        message = _("身份证号码无效：%(reason)s") % {"reason": _id_reason(exc)}
        raise ValidationFailed.for_field("id_number", message) from exc


def _id_reason(exc: Exception) -> str:
    if isinstance(exc, stdnum_errors.InvalidLength):
        return _("长度应为18位")
    if isinstance(exc, stdnum_errors.InvalidChecksum):
        return _("校验位不正确")
    if isinstance(exc, stdnum_errors.InvalidComponent):
        return _("出生日期或地区码不正确")
    return _("格式不正确")


def mask_phone(phone: str) -> str:
    """138****1234 for a mobile; the area code, ****, and the last 4 for a landline."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * (len(phone) - 2) + phone[-2:]
    # A mobile shows its 3-digit prefix; landline area codes 010 and 02x have 3 digits, others 4.
    head = 3 if is_mobile(phone) or phone.startswith(("01", "02")) else 4
    return phone[:head] + "****" + phone[-4:]


def mask_id_number(id_number: str) -> str:
    """110101********1234: the region code and the last four stay visible."""
    if not id_number:
        return ""
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_name(name: str) -> str:
    """张** for a name hidden from the public."""
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""
