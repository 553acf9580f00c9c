"""No Chinese punctuation in a template outside a translated string.

A mark written into the markup (``{{ label }}：{{ value }}``, ``（{{ n }}）``, ``a、b``) is shown
as it is on an English page, between English words ("Name：value", "（3）").  It belongs in the
translated string (a label and its colon as one msgid) or in a translated separator
(``{% translate "：" %}``, ``{% translate "、" as list_sep %}…|join:list_sep``), which each
catalogue gives in its own language.
"""

import re
from pathlib import Path

import minsheng

PACKAGE = Path(minsheng.__file__).parent

# Full-width and CJK marks, and the curly quotes Chinese text uses.  The middle dot and the dash
# are left out: English pages use them too, as the templates' separators and empty cells.
CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d]")

# What is translated, or never shown: blanked out (keeping lines and columns) before the search.
_TRANSLATED_OR_HIDDEN = [
    re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.S),
    re.compile(r"{%\s*trans(?:late)?\s+(?:\"[^\"]*\"|'[^']*').*?%}", re.S),
    re.compile(r"\b_\((?:\"[^\"]*\"|'[^']*')\)"),  # a filter's translated argument: default:_("…")
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{#.*?#}", re.S),
]

# (template, mark) → why the mark is the same in every language.  Only marks that are truly
# language-neutral belong here.
ALLOWED = {
    ("mediation/templates/mediation/agreement_pdf.html", "\u3000"):
        "the printed agreement's gap between 调解人 and 签订日期: an ideographic space, whitespace in any language",
}

# (template, mark) → why it is still there.  To be fixed, not to grow.
NOT_YET: dict[tuple[str, str], str] = {}


def untranslated_marks(text: str) -> list[tuple[int, str, str]]:
    """(line, mark, the line as it stands) for every CJK mark outside a translated string."""
    blanked = text
    for pattern in _TRANSLATED_OR_HIDDEN:
        blanked = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), blanked)
    lines = text.splitlines()
    return [(n, mark, lines[n - 1].strip()) for n, line in enumerate(blanked.splitlines(), 1)
            for mark in CJK_PUNCTUATION.findall(line)]


def _templates() -> list[Path]:
    return sorted(PACKAGE.glob("**/templates/**/*.html"))


def test_the_search_sees_marks_outside_and_only_outside_translated_strings():
    text = ('{% load i18n %}<p>{% translate "名称" %}：{{ name }}（{{ n }}）</p>\n'
            '{% blocktranslate with n=n %}共 {{ n }} 件，已办结。{% endblocktranslate %}\n'
            '{% translate "、" as list_sep %}{{ items|join:"、" }}{{ x|default:_("无。") }}{# 注：不显示 #}')
    assert [(n, m) for n, m, _line in untranslated_marks(text)] == [(1, "："), (1, "（"), (1, "）"), (3, "、")]


def test_no_template_shows_chinese_punctuation_outside_a_translated_string():
    assert len(_templates()) > 100
    found, seen = [], set()
    for path in _templates():
        name = str(path.relative_to(PACKAGE))
        for line, mark, text in untranslated_marks(path.read_text(encoding="utf-8")):
            seen.add((name, mark))
            if (name, mark) not in ALLOWED and (name, mark) not in NOT_YET:
                found.append(f"{name}:{line}: {mark!r} in {text[:120]}")
    assert found == [], ("Chinese punctuation outside {% translate %}: put the mark into the translated string, "
                         "or use a translated separator such as {% translate \"：\" %}\n" + "\n".join(found))
    stale = sorted((set(ALLOWED) | set(NOT_YET)) - seen)
    assert stale == [], f"no longer needed in ALLOWED / NOT_YET: {stale}"


def test_the_separators_are_each_languages_own():
    from django.utils import translation

    with translation.override("en"):
        assert [translation.gettext(m) for m in ("：", "（", "）", "、", "；")] == [": ", " (", ")", ", ", "; "]
    with translation.override("zh-hans"):
        assert [translation.gettext(m) for m in ("：", "（", "）", "、", "；")] == ["：", "（", "）", "、", "；"]
