"""Reads of the full-text index.  They only narrow a queryset the caller has already scoped
(``demands_visible_to``, ``demand_filter``): a search never reaches past the viewer's scope."""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from minsheng.demands.models import Demand

from .models import TABLE, match_expression
from .segmenter import query_tokens

MAX_QUERY = 100  # characters of a search's text (the staff list cuts it there, the API refuses more)


def matches_q(text: str) -> Q:
    """The demands whose title, description, result or progress notes hold every word of ``text``
    (nothing when ``text`` has no word: punctuation only)."""
    words = query_tokens(text)
    return Q(search_document__document__matches=words) if words else Q(pk__in=[])


def ranked(demands: QuerySet[Demand], text: str, *,
           window: int | None = None) -> "QuerySet[Demand] | RankedMatches":
    """``demands`` (already filtered by ``matches_q(text)``) best match first.

    The rank is the database's own: FTS5's ``rank`` column (bm25, lower is better) on SQLite,
    ``ts_rank`` on PostgreSQL (higher is better, so negated); ``search_rank`` ascending is best
    first on both, equally good matches by key.  On SQLite the order is FTS5's alone: then the
    index hands the matches over best first and the page's LIMIT stops the join after its rows
    (a tie-breaker from the demand's table would make SQLite read and sort every match).

    ``window``: rank only the newest ``window`` matches (``ranked_window``), for a list that shows
    no more than that many rows."""
    words = query_tokens(text)
    if not words:
        return demands.order_by("-registered_at", "-pk")
    if window:
        return ranked_window(demands, words, window)
    vendor = connections[router.db_for_read(Demand)].vendor
    if vendor == "postgresql":
        rank = RawSQL(f'-ts_rank("{TABLE}"."document", (%s)::tsquery)', [match_expression(words, vendor)])
        return demands.annotate(search_rank=rank).order_by("search_rank", "pk")
    return demands.annotate(search_rank=RawSQL(f'"{TABLE}"."rank"', [])).order_by("search_rank")


def ranked_window(demands: QuerySet[Demand], words: list[str], window: int) -> "RankedMatches":
    """The newest ``window`` of ``demands`` (by key; already filtered by ``matches_q`` and scoped
    by the caller), best match first, equally good ones by key; the older matches are left out.

    Why: ranking is what a search of a common word costs.  FTS5 computes bm25 for every match it
    hands over, ordered by rank, before the scope and the page's LIMIT apply: 噪音 is in 19,000 of
    1.1 million demands, 25 ms of CPU for each page of the list, and as much again for a street's
    dispatcher, whose matches are a fifth of the district's.  Here the newest matches in scope come
    in the index's own order (by key: nothing ranked), their ranks are computed for them alone, and
    they are ordered in Python; a page then reads its own rows by key and its count is the number
    of keys.  A list that shows its first thousand rows loses nothing it could show; a search that
    matches more shows the best of the newest thousand (the list says there are more).

    Same answer on both databases: the same keys (the newest of the same matches in the same
    scope), ordered by rank and key (bm25 on SQLite, ts_rank on PostgreSQL)."""
    newest = list(demands.order_by("-search_document__pk").values_list("search_document__pk", flat=True)[:window])
    ranks = _ranks(connections[router.db_for_read(Demand)], newest, words)
    # A document rewritten since (a progress note) may match no more: it is left out.
    keys = sorted((pk for pk in newest if pk in ranks), key=lambda pk: (ranks[pk], pk))
    # The caller's related rows, not its filters: the keys are the caller's rows already.
    rows = demands.model._default_manager.all()
    rows.query.select_related = demands.query.select_related
    return RankedMatches(keys, rows.prefetch_related(*demands._prefetch_related_lookups))


class RankedMatches(Sequence):
    """The keys of ranked matches, best first; a slice reads its own rows (by key), so that a
    paginator's page costs its rows and its count costs nothing."""

    def __init__(self, keys: list[int], rows: QuerySet[Demand]):
        self.keys, self.rows = keys, rows

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1 or None][0]
        keys = self.keys[index]
        found = self.rows.in_bulk(keys)
        return [found[pk] for pk in keys if pk in found]


def _ranks(connection, ids: list[int], words: list[str]) -> dict[int, float]:
    """The rank of each document of ``ids`` for ``words``, lower is better (bm25 on SQLite, the
    negated ts_rank on PostgreSQL)."""
    if not ids:
        return {}
    expression = match_expression(words, connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'SELECT rowid, -ts_rank(document, (%s)::tsquery) FROM "{TABLE}" '
                           "WHERE rowid = ANY(%s) AND document @@ (%s)::tsquery", [expression, ids, expression])
            return dict(cursor.fetchall())
        # FTS5 scans the match over the keys' range and computes bm25 only for the rows asked for;
        # "+rowid" keeps the key list away from FTS5, which would run the whole query once per key.
        cursor.execute(f'SELECT rowid, rank FROM "{TABLE}" WHERE "{TABLE}" MATCH %s AND rowid >= %s '
                       f'AND +rowid IN ({",".join(["%s"] * len(ids))})', [expression, min(ids), *ids])
        return dict(cursor.fetchall())


# --- documents like a text, among a few thousand given ones (the intake's duplicate panel) ------

# Pseudo-documents holding none of the words, added to the candidates' count when weighing a word by
# its rarity: among three neighbours a word two of them share is still a telling word (漏水), and
# among thousands one most of them hold (the estate's name, 小区) is not.
RARITY_PRIOR = 50


@dataclass(frozen=True)
class SimilarDocument:
    pk: int
    similarity: float  # share of the text's words (weighted by rarity) the document holds, 0–1
    shared: tuple[str, ...]  # the words it holds, most telling first


def stored_texts_of(ids: Sequence[int]) -> dict[int, str]:
    """The indexed documents of ``ids`` as stored, each one string of words separated by single
    spaces (FTS5's content by rowid on SQLite, the tsvector's lexemes on PostgreSQL: the same
    words on both, repeated or not)."""
    if not ids:
        return {}
    connection = connections[router.db_for_read(Demand)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT rowid, array_to_string(tsvector_to_array(document), ' ') FROM \"{TABLE}\" "
                           "WHERE rowid = ANY(%s)", [list(ids)])
            return dict(cursor.fetchall())
        # FTS5 keeps the documents in its content table, a plain table keyed by rowid: read there, as
        # through the virtual table FTS5 looks each rowid of an IN list up on its own (3× the time).
        found = {}
        for start in range(0, len(ids), 5000):  # SQLite's bound on the variables of one statement
            chunk = list(ids[start:start + 5000])
            cursor.execute(f'SELECT id, c0 FROM "{TABLE}_content" WHERE id IN ({",".join(["%s"] * len(chunk))})',
                           chunk)
            found.update(cursor.fetchall())
        return found


def stored_documents_of(ids: Sequence[int]) -> dict[int, list[str]]:
    """The words of the indexed documents of ``ids`` as stored, in a list each."""
    return {pk: document.split() for pk, document in stored_texts_of(ids).items()}


def stored_words(ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """The distinct words of the indexed documents of ``ids``."""
    return {pk: frozenset(words) for pk, words in stored_documents_of(ids).items()}


# Words of nearly every resident's report, whatever it is about: when, how long, how bad, who.  Two
# reports sharing only these are not alike; rarity among a handful of neighbours cannot tell so.
GENERIC_WORDS = frozenset({
    "今天", "昨天", "前天", "明天", "现在", "最近", "早上", "上午", "中午", "下午", "晚上", "夜里", "半夜", "凌晨",
    "每天", "天天", "经常", "一直", "总是", "已经", "还是", "仍然", "多次", "几次", "好几天", "两天", "三天", "一天",
    "一晚", "一个", "一下", "非常", "特别", "严重", "很多", "影响", "问题", "情况", "反映", "希望", "要求", "请求",
    "尽快", "处理", "解决", "部门", "相关", "有关", "没有", "不能", "无法", "可以", "需要", "我们", "你们", "他们",
    "我家", "家里", "居民", "群众", "市民", "大家", "这个", "那个", "这样", "怎么", "什么", "为什么", "没人",
    "联系", "电话", "谢谢", "麻烦", "您好", "你好", "请问", "咨询", "投诉", "来电", "表示", "目前",
})


def text_words(text: str) -> list[str]:
    """The words of ``text`` a likeness is judged by: its distinct words, without the generic words of
    every report and without single characters (了, 的, 我 …) unless nothing else is left."""
    words = [w for w in query_tokens(text) if w not in GENERIC_WORDS]
    longer = [w for w in words if len(w) > 1]
    return longer or words


def similar_documents(text: str, ids: Sequence[int], *, minimum: float = 0.0) -> list[SimilarDocument]:
    """The documents of ``ids`` (the open demands around a place, already scoped by the caller) that
    share words with ``text``, most similar first (ties by key), those under ``minimum`` left out.

    Each word of the text weighs by its rarity among these documents (BM25's inverse document
    frequency over the candidates and the text, with ``RARITY_PRIOR``): a differently worded report
    of the same thing shares its telling words (漏水, 电梯) and so ranks high, one that shares the
    estate's name only does not.  The words are the index's own (two-character words included) and
    the weighing happens here, so both databases give the same answer."""
    words = text_words(text)
    if not words or not ids:
        return []
    # Only the words of the text are looked for: one regular expression over each stored document
    # (words between single spaces) finds those it holds, in C, without splitting the document into
    # a list of words and hashing each (which cost twice as much).
    holds = re.compile(" (" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + ")(?= )")
    shared_by = {pk: frozenset(holds.findall(f" {document} ")) for pk, document in stored_texts_of(ids).items()}
    held = dict.fromkeys(words, 1)  # the text itself holds each
    for shared in shared_by.values():
        for w in shared:
            held[w] += 1
    total = len(shared_by) + 1 + RARITY_PRIOR
    weight = {w: math.log(1 + (total - n + 0.5) / (n + 0.5)) for w, n in held.items()}
    whole = sum(weight.values())
    order = {w: i for i, w in enumerate(words)}
    found = []
    for pk, shared in shared_by.items():
        if not shared:
            continue
        similarity = sum(weight[w] for w in words if w in shared) / whole  # in the text's order, the same sum
        if similarity >= minimum:
            found.append(SimilarDocument(pk, round(similarity, 6),
                                         tuple(sorted(shared, key=lambda w: (-weight[w], order[w])))))
    found.sort(key=lambda d: (-d.similarity, d.pk))
    return found
