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


def too_long(label: Any, max_length: int) -> str:
    return _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": max_length}


def check_fits(model, field_name: str, value: Any, field: str = "") -> None:
    """Refuse ``value`` when it is longer than ``model``'s column ``field_name`` (named ``field``
    in the refusal, for an input whose name differs from the column's)."""
    column = model._meta.get_field(field_name)
    max_length = getattr(column, "max_length", None)
    if max_length and isinstance(value, str) and len(value) > max_length:
        raise ValidationFailed.for_field(field or field_name, too_long(column.verbose_name, max_length))


def check_lengths(instance) -> None:
    """Refuse to store ``instance`` when a text is longer than its column.  PostgreSQL would
    refuse it with a database error (a 500 to whoever sent it), SQLite would store it whole;
    either way the sender deserves a clear message naming the field."""
    for column in instance._meta.concrete_fields:
        max_length = getattr(column, "max_length", None)
        if not max_length or column.get_internal_type() not in _TEXT_COLUMNS:
            continue
        value = getattr(instance, column.attname, None)
        if isinstance(value, str) and len(value) > max_length:
            raise ValidationFailed.for_field(column.name, too_long(column.verbose_name, max_length))


_TEXT_COLUMNS = frozenset({"CharField", "SlugField", "EmailField", "URLField"})


def check_lengths_before_save(sender, instance, raw: bool = False, **kwargs) -> None:
    """The ``pre_save`` receiver for the project's own models (core.apps): every entry point —
    pages, forms, the JSON API, Open311, imports, the admin — goes through a model's save."""
    if not raw:  # fixtures are loaded as they are
        check_lengths(instance)
