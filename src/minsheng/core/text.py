"""Text that cannot be stored or served: NUL (PostgreSQL refuses it in text), other control
characters but tab and line breaks (XML 1.0 cannot carry them: one would break every XML
document that lists it), U+FFFE/U+FFFF, and lone UTF-16 surrogates (no UTF-8 encoding exists).
Inputs from outside are checked before use, so they are refused with a clear message instead
of failing deep inside a query or a client."""

import re
from typing import Any

from django.utils.translation import gettext as _

from .errors import ValidationFailed

_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def is_storable(text: str) -> bool:
    return _UNSTORABLE.search(text) is None


def check_storable(data: Any, field: str = "") -> None:
    """Refuse ``data`` (a string, or lists and dicts of them, keys included) when any text in it
    cannot be stored; the refusal names the field."""
    if isinstance(data, str):
        if not is_storable(data):
            message = _("内容包含无法保存的字符（如空字符或控制字符）。")
            raise ValidationFailed.for_field(field or "body", message)
    elif isinstance(data, dict):
        for key, value in data.items():
            check_storable(key, field or str(key))
            check_storable(value, str(key) if not field else f"{field}.{key}")
    elif isinstance(data, (list, tuple)):
        for item in data:
            check_storable(item, field)


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (for text stored before it was
    checked, or entered where control characters are allowed)."""
    return _UNSTORABLE.sub("", text)
