"""Answers to a category's extra questions (ServiceAttribute), checked strictly.

The answers arrive as text from forms and integrations (Open311 ``attribute[CODE]`` and
``attribute[CODE][]``); they are kept on the registration event in a plain JSON form:
strings, a decimal string for numbers, an ISO 8601 datetime with offset, a list of keys
for a multi-value list.
"""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import clock, versioned
from minsheng.core.errors import ValidationFailed

from .models import Category, ServiceAttribute

MAX_STRING = 255
MAX_TEXT = 4000
_T = ServiceAttribute.Datatype


def attributes_of(category: Category | None) -> list[ServiceAttribute]:
    """The category's active questions; this process's copy, reloaded when a question or a
    category changes (core.versioned; watched by the demands app)."""
    if category is None:
        return []
    return list(versioned.cached(("attributes", category.pk), lambda: tuple(
        category.attributes.filter(active=True).order_by("order", "code"))))


def _fail(code: str, message: str) -> ValidationFailed:
    return ValidationFailed.for_field(f"attribute[{code}]", message)


def _one(attribute: ServiceAttribute, answer: str) -> str:
    code, kind = attribute.code, attribute.datatype
    if kind == _T.NUMBER:
        try:
            number = Decimal(answer)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise _fail(code, _("“%(code)s”必须是数字。") % {"code": code})
        return str(number)
    if kind == _T.DATETIME:
        moment = clock.parse_moment(answer)
        if moment is None:
            message = _("“%(code)s”必须是 ISO 8601 日期时间，例如 2026-11-05T08:15:30+08:00。") % {"code": code}
            raise _fail(code, message)
        return timezone.localtime(moment).isoformat()
    if kind == _T.SINGLEVALUELIST:
        if answer not in {v["key"] for v in attribute.values}:
            raise _fail(code, _("“%(value)s”不是“%(code)s”的可选项。") % {"value": answer, "code": code})
        return answer
    limit = MAX_TEXT if kind == _T.TEXT else MAX_STRING
    if len(answer) > limit:
        raise _fail(code, _("“%(code)s”不能超过%(n)d个字。") % {"code": code, "n": limit})
    return answer


def clean_attributes(category: Category | None, raw: Mapping[str, str | list[str]] | None) -> dict[str, object]:
    """Check answers against the category's questions; unknown codes and missing required
    answers are refused.  Returns the answers to store, by code.

    ``None`` means the questions were not asked (the staff and residents' forms do not show
    them yet): nothing is required then.  A mapping, even empty, means they were."""
    asked = raw is not None
    raw = raw or {}
    questions = {a.code: a for a in attributes_of(category)}
    unknown = sorted(set(raw) - set(questions))
    if unknown:
        raise _fail(unknown[0], _("“%(code)s”不是该分类的附加信息项。") % {"code": unknown[0]})
    answers: dict[str, object] = {}
    for code, attribute in questions.items():
        given = raw.get(code)
        values = [given] if isinstance(given, str) else list(given or [])
        values = [v.strip() for v in values if isinstance(v, str) and v.strip()]
        if not values:
            if attribute.required and asked:
                raise _fail(code, _("请填写“%(question)s”。") % {"question": attribute.localised_description()})
            continue
        if attribute.datatype == _T.MULTIVALUELIST:
            keys = {v["key"] for v in attribute.values}
            wrong = [v for v in values if v not in keys]
            if wrong:
                raise _fail(code, _("“%(value)s”不是“%(code)s”的可选项。") % {"value": wrong[0], "code": code})
            answers[code] = list(dict.fromkeys(values))
        elif len(values) > 1:
            raise _fail(code, _("“%(code)s”只能有一个值。") % {"code": code})
        else:
            answers[code] = _one(attribute, values[0])
    return answers
