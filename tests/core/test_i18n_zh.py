"""The Simplified Chinese catalogue covers the same strings as the English one."""

import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "src" / "minsheng" / "locale"


def _msgids(language: str) -> set[str]:
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    return {"".join(re.findall(r'"(.*)"', block)) for block in re.findall(r'^msgid ((?:".*"\n)+)', text, re.M)} - {""}


def test_both_catalogues_hold_the_same_strings():
    english, chinese = _msgids("en"), _msgids("zh_Hans")
    assert english and english == chinese


def test_both_catalogues_are_compiled():
    for language in ("en", "zh_Hans"):
        po = LOCALE / language / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_size > 1000, language
