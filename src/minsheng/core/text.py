"""Text a database cannot store: NUL characters (PostgreSQL refuses them in text) and lone
UTF-16 surrogates (no UTF-8 encoding exists).  Inputs from outside are checked before use, so
they are refused with a clear message instead of failing deep inside a query."""

import re
from typing import Any

from django.utils.translation import gettext as _

from .errors import ValidationFailed

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_storable(text: str) -> bool:
    return _UNSTORABLE.search(text) is None


def check_storable(data: Any, field: str = "") -> None:
    """Refuse ``data`` (a string, or lists and dicts of them, keys included) when any text in it
    cannot be stored; the refusal names the field."""
    if isinstance(data, str):
        if not is_storable(data):
            raise ValidationFailed.for_field(field or "body", _("内容包含无法保存的字符（如空字符）。"))
    elif isinstance(data, dict):
        for key, value in data.items():
            check_storable(key, field or str(key))
            check_storable(value, str(key) if not field else f"{field}.{key}")
    elif isinstance(data, (list, tuple)):
        for item in data:
            check_storable(item, field)
