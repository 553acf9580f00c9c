"""Every message of the catalogue renders in both languages with its parameters filled in (a
translation that lost or renamed a placeholder would show the raw %(name)s), and a stored message
is read in the reader's language."""

import re

import pytest

from minsheng.notifications.catalogue import CATALOGUE, render, sms_parameters

PLACEHOLDER = re.compile(r"%\((\w+)\)")


def _params(template) -> dict:
    names = set()
    for text in (template.subject, template.body, template.sms):
        names |= set(PLACEHOLDER.findall(str(text)))
    values = {name: f"<{name}>" for name in names}
    for name in ("percent", "done", "planned", "year", "n"):  # %(name)d placeholders
        if name in values:
            values[name] = 7
    values.update({"colour": "red", "status": "at_risk"} if template.choices else {})
    return values


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_each_message_renders_in_chinese_and_english(key):
    template = CATALOGUE[key]
    params = _params(template)
    chinese, english = render(key, params, "zh-hans"), render(key, params, "en")
    for rendered in (chinese, english):
        for text in (rendered.subject, rendered.body, rendered.sms):
            assert "%(" not in text, (key, text)
    assert english.subject != chinese.subject and not re.search(r"[\u4e00-\u9fff]", english.subject), key
    assert [name for name, _value in sms_parameters(key, params)] == list(template.sms_params)
    for name in template.sms_params:
        assert f"<{name}>" in chinese.sms, (key, name)  # the SMS text uses every parameter it sends


def test_words_among_the_parameters_are_read_in_the_readers_language():
    params = {"name": "老旧小区加装电梯", "colour": "red", "status": "at_risk", "deadline": "2026-12-31",
              "percent": 40}
    assert "红 · 进度滞后" in render("projects.status", params, "zh-hans").subject
    assert "红" not in render("projects.status", params, "en").subject
