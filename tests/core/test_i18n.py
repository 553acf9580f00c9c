"""Chinese first, English available: refusals, choice labels and the admin follow the
request's language, and the English catalogue is complete and compiled."""

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from django.utils.translation import gettext, ngettext, npgettext, pgettext

from minsheng.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from minsheng.demands import services
from minsheng.demands.workflow import Channel, Satisfaction, State
from minsheng.organisation.roles import Role
from minsheng.people.validation import normalise_id_number, normalise_phone

from ..demands.helpers import bring_to, register

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "minsheng"
PO_FILE = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")


# --- a small .po reader ----------------------------------------------------------------

@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], text[1:-1])


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file (blank-line separated, as msgmerge writes them), header included,
    obsolete ones left out."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry, target = Entry(), None
        for line in (raw.strip() for raw in block.splitlines()):
            if line.startswith("#~"):
                entry.obsolete = True
            elif line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                target.append(_unquote(line))
            else:
                keyword, _, rest = line.partition(" ")
                target = [_unquote(rest)]
                match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
                if match or keyword == "msgstr":
                    entry.msgstr[int(match.group(1)) if match else 0] = target
                else:
                    setattr(entry, keyword, target)
        if entry.obsolete or target is None:
            continue
        for name in ("msgid", "msgid_plural", "msgctxt"):
            if isinstance(getattr(entry, name), list):
                setattr(entry, name, "".join(getattr(entry, name)))
        entry.msgstr = {n: "".join(parts) for n, parts in entry.msgstr.items()}
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    entries = parse_po(PO_FILE.read_text(encoding="utf-8"))
    assert entries and entries[0].msgid == "", "the .po file must start with its header"
    return entries


@pytest.fixture(scope="module")
def messages(catalogue) -> list[Entry]:
    return [e for e in catalogue if e.msgid]


def test_the_po_reader_reads_multiline_plural_and_context_entries():
    text = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, fuzzy, python-format\nmsgctxt "菜单"\nmsgid ""\n"一行"\n"两行"\nmsgid_plural "多行"\n'
        'msgstr[0] "one \\"line\\""\nmsgstr[1] "lines"\n\n'
        '#~ msgid "旧"\n#~ msgstr "old"\n'
    )
    header, entry = parse_po(text)
    assert header.msgstr == {0: "Language: en\n"}
    assert (entry.msgctxt, entry.msgid, entry.msgid_plural) == ("菜单", "一行两行", "多行")
    assert entry.msgstr == {0: 'one "line"', 1: "lines"}
    assert entry.flags == {"fuzzy", "python-format"}


# --- the catalogue ---------------------------------------------------------------------

def test_the_catalogue_is_english_and_not_fuzzy(catalogue):
    header = catalogue[0]
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]


def test_every_message_has_a_translation_and_none_is_fuzzy(messages):
    assert len(messages) > 200
    untranslated = [e.msgid for e in messages if not e.msgstr or not all(s.strip() for s in e.msgstr.values())]
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_translations_are_english_and_keep_every_placeholder(messages):
    for entry in messages:
        for text in entry.msgstr.values():
            assert not CJK.search(text), f"{entry.msgid!r} → {text!r} still has Chinese characters or quotes"
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid


def test_the_compiled_catalogue_matches_the_po_file(messages):
    """gettext answers from the committed .mo; it must say what the .po says."""
    assert MO_FILE.is_file(), "run compilemessages"
    stale = []
    with translation.override("en"):
        for e in messages:
            if e.msgid_plural is None:
                got = [pgettext(e.msgctxt, e.msgid) if e.msgctxt is not None else gettext(e.msgid)]
            elif e.msgctxt is not None:
                got = [npgettext(e.msgctxt, e.msgid, e.msgid_plural, n) for n in (1, 2)]
            else:
                got = [ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
            want = [e.msgstr[0]] if e.msgid_plural is None else [e.msgstr[0], e.msgstr[1]]
            if got != want:
                stale.append((e.msgid, got, want))
    assert stale == [], "the .mo is older than the .po: run compilemessages"


# Keywords as Django's makemessages passes them to xgettext for Python sources.
_XGETTEXT_KEYWORDS = ["gettext_noop", "gettext_lazy", "ngettext_lazy:1,2", "pgettext:1c,2", "npgettext:1c,2,3",
                      "pgettext_lazy:1c,2", "npgettext_lazy:1c,2,3"]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_marked_string_in_the_source_is_in_the_catalogue(messages):
    sources = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    result = subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--no-location", "--output=-",
         *(f"--keyword={k}" for k in _XGETTEXT_KEYWORDS), *sources],
        cwd=PACKAGE, capture_output=True, text=True, check=True, timeout=60,
    )
    marked = {(e.msgctxt, e.msgid) for e in parse_po(result.stdout) if e.msgid}
    known = {(e.msgctxt, e.msgid) for e in messages}
    assert sorted(marked - known, key=str) == [], "run makemessages -l en --no-location, translate, compile"


# --- refusals from the services --------------------------------------------------------

def test_a_validation_refusal_comes_out_in_english_with_the_raw_input():
    with translation.override("en"), pytest.raises(ValidationFailed) as refusal:
        normalise_phone("123")
    assert refusal.value.message == '"123" is not a valid mobile or landline number.'
    assert refusal.value.field_errors == {"phone": [refusal.value.message]}


def test_the_same_refusal_is_chinese_by_default():
    with pytest.raises(ValidationFailed) as refusal:
        normalise_phone("123")
    assert refusal.value.message == "“123”不是有效的手机号码或固定电话。"


def test_a_composed_refusal_translates_every_part():
    with translation.override("en"), pytest.raises(ValidationFailed) as refusal:
        normalise_id_number("11010119900307")
    assert refusal.value.message == "Invalid ID number: it must be 18 characters long"


def test_a_role_refusal_names_the_action_in_english(world):
    with translation.override("en"), pytest.raises(PermissionDenied) as refusal:
        register(world, actor="leader")
    assert refusal.value.message == 'Your role cannot perform "Register".'


def test_a_state_refusal_names_the_state_and_the_action_in_english(world):
    demand = bring_to(world, "registered")
    with translation.override("en"), pytest.raises(InvalidTransition) as refusal:
        services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version)
    assert refusal.value.message == f'Demand {demand.number} is currently "Registered"; "Dispatch" is not allowed.'


def test_a_missing_field_refusal_names_the_field_in_english(world):
    with translation.override("en"), pytest.raises(ValidationFailed) as refusal:
        register(world, title="  ")
    assert refusal.value.message == "Please enter the title."
    assert refusal.value.field_errors == {"title": ["Please enter the title."]}


# --- choice labels ---------------------------------------------------------------------

@pytest.mark.parametrize("choice, english, chinese", [
    (State.PENDING_DISPATCH, "Awaiting dispatch", "待派单"),
    (State.RESOLVED, "Resolved", "已办结"),
    (Role.GRID_WORKER, "Grid worker", "网格员"),
    (Role.STREET_DISPATCHER, "Street dispatcher", "街道派单员"),
    (Channel.HOTLINE, "12345 hotline", "12345热线"),
    (Channel.PATROL, "Grid patrol", "网格巡查"),
    (Satisfaction.BASICALLY_SATISFIED, "Mostly satisfied", "基本满意"),
])
def test_choice_labels_follow_the_active_language(choice, english, chinese):
    assert str(choice.label) == chinese
    with translation.override("en"):
        assert str(choice.label) == english
    with translation.override("zh-hans"):
        assert str(choice.label) == chinese


@pytest.mark.parametrize("choices", [State, Role, Channel, Satisfaction])
def test_every_choice_label_has_an_english_label(choices):
    with translation.override("en"):
        labels = [str(label) for label in choices.labels]
    assert [label for label in labels if CJK.search(label)] == []
    assert len(set(labels)) == len(labels)


# --- the admin -------------------------------------------------------------------------

def test_the_admin_login_page_is_english_when_the_browser_asks_for_it(client):
    page = client.get("/admin/login/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en"' in page
    assert "Log in" in page and "Username" in page
    assert "登录" not in page


@pytest.mark.parametrize("headers", [{"accept-language": "zh-hans"}, {"accept-language": "zh-CN,zh;q=0.9"}, {}])
def test_the_admin_login_page_is_chinese_otherwise(client, headers):
    page = client.get("/admin/login/", headers=headers).content.decode()
    assert '<html lang="zh-hans"' in page
    assert "登录" in page and "用户名" in page
    assert "Log in" not in page


def test_the_demand_list_uses_the_project_translations(client, world):
    demand = bring_to(world, "registered")
    user = world.users["staff1"]
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_demand"))
    client.force_login(user)
    english = client.get("/admin/demands/demand/", headers={"accept-language": "en"}).content.decode()
    assert demand.number in english
    assert "Demand number" in english and "Registered" in english
    chinese = client.get("/admin/demands/demand/", headers={"accept-language": "zh-hans"}).content.decode()
    assert "工单编号" in chinese and "已登记" in chinese
