"""Chinese word segmentation for the full-text index (rjieba: jieba's dictionary and algorithm in
Rust, the dictionary compiled into the wheel, so nothing is downloaded and nothing is logged).

Documents and queries are cut by the same function, ``tokens``: jieba's search mode, which also
yields the dictionary words inside a long word (社区卫生服务中心 → 社区, 卫生, 服务, 中心, …), so
that a two-character query such as 噪音 or 漏水 finds the longer words that contain it.  Each
token is lower-cased and split on anything that is not a letter or a digit, so that the stored
tokens are plain words on both databases (SQLite's FTS5 ``ascii`` tokenizer and PostgreSQL's
tsvector then take them as they are).

The segmenter knows the place names of the region tree (communities, grids, buildings and their
aliases) and the catalogue's category names and keywords, loaded once per process on first use
(about 0.4 s); ``reload_dictionary`` reads them again.  A document is cut with the dictionary of
the moment it is indexed: after a large change of the region tree or the catalogue,
``manage.py rebuild_search`` cuts every document with the new one.
"""

import re
import threading
from collections.abc import Sequence

import rjieba

# Words of the region tree that name a place a resident writes about.
_PLACE_KINDS = ("community", "grid", "building")
# A run of digits this long is a phone, an ID or a bank number, not a word to search by: it is
# left out of the index, so that the search box never finds a demand by the phone or the ID
# number of someone mentioned in its text (a demand's own number has its unique index).
_LONG_DIGITS = re.compile(r"\d{7,}")
# Letters and digits of any script are words; everything else separates them.
_NON_WORD = re.compile(r"[\W_]+")
# PostgreSQL refuses a lexeme of 2 KiB and more; no word is that long.
MAX_TOKEN = 60

_lock = threading.Lock()
# The process's segmenter and the words added to jieba's dictionary in it, set together.
_loaded: tuple[rjieba.Jieba, tuple[str, ...]] | None = None


def dictionary_words() -> list[str]:
    """The place names and catalogue terms added to jieba's dictionary."""
    from minsheng.catalogue.models import Category
    from minsheng.organisation.models import Region

    words: set[str] = set()
    for name, aliases in Region.objects.filter(kind__in=_PLACE_KINDS).values_list("name", "aliases"):
        words.add(name)
        words.update(aliases.split())
    for name, keywords in Category.objects.values_list("name", "keywords"):
        words.add(name)
        words.update(re.split(r"[\s,，、;；]+", keywords))
    return sorted(w.strip() for w in words if len(w.strip()) >= 2)


def _load(words: tuple[str, ...] | None = None) -> tuple[rjieba.Jieba, tuple[str, ...]]:
    """A segmenter with ``words`` added (those of the database when not given)."""
    words = tuple(dictionary_words()) if words is None else words
    segmenter = rjieba.Jieba()
    for word in words:
        # Enough frequency that a place name is kept whole (jieba then also yields its parts).
        segmenter.add_word(word, None, None)
    return segmenter, words


def _current() -> tuple[rjieba.Jieba, tuple[str, ...]]:
    global _loaded
    loaded = _loaded
    if loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _load()
            loaded = _loaded
    return loaded


def segmenter() -> rjieba.Jieba:
    """The process's segmenter, loaded on first use."""
    return _current()[0]


def loaded_words() -> tuple[str, ...]:
    """The words the process's segmenter added to jieba's dictionary (loading it if need be): a
    second process given them cuts every text exactly as this one does (``documents``)."""
    return _current()[1]


def reload_dictionary() -> None:
    """Read the region tree and the catalogue again (the next cut uses them)."""
    global _loaded
    loaded = _load()
    with _lock:
        _loaded = loaded


def use_words(words: Sequence[str]) -> None:
    """Cut with jieba's dictionary plus ``words`` from now on, without reading the database: a
    worker process segmenting for another one (``documents``), which passes its own words."""
    global _loaded
    words = tuple(words)
    if _loaded is None or _loaded[1] != words:
        loaded = _load(words)
        with _lock:
            _loaded = loaded


def tokens(*texts: str) -> list[str]:
    """The words of ``texts`` in order, repeated as often as they occur (documents and queries alike).

    Everything that is not a letter or a digit becomes a space before the cut (jieba ends a word
    there anyway), so that the cut holds words and spaces only and one ``split`` in C yields the
    words: the bulk import cuts every new demand, and looking at each piece in Python cost
    nearly as much as the cutting."""
    text = _NON_WORD.sub(" ", "\n".join(t for t in texts if t).lower())
    words = " ".join(segmenter().cut_for_search(text)).split()
    if words and (_LONG_DIGITS.search(text) or len(max(words, key=len)) > MAX_TOKEN):
        words = [w for w in words if len(w) <= MAX_TOKEN and not _LONG_DIGITS.search(w)]
    return words


def query_tokens(text: str) -> list[str]:
    """The distinct words a query requires, in their order (a document must contain all of them)."""
    return list(dict.fromkeys(tokens(text)))
