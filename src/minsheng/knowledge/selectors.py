"""Reads of the knowledge base: the staff list, the residents' 常见问题, and the articles that match
what an operator is typing or what a demand says.

Searches go through the full-text index of ``search`` (the articles' own table, the same words and
lookup as the demands'), so they find two-character words and answer the same on SQLite and
PostgreSQL: matches are filtered by the index and ordered here, never by a vendor's rank.
"""

import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, QuerySet

from minsheng.organisation.models import Region
from minsheng.search.models import match_expression
from minsheng.search.segmenter import query_tokens, tokens

from .models import SEARCH_TABLE, Article, ArticleDocument, ArticleVersion
from .services import document_words, overdue_q

MAX_QUERY = 100
# Words of a caller's question that say nothing about what is asked.
STOP_WORDS = frozenset({
    "一下", "咨询", "请问", "想问", "问问", "需要", "什么", "怎么", "怎样", "如何", "哪些", "哪里", "可以", "是否",
    "我们", "你们", "他们", "这个", "那个", "问题", "情况", "谢谢", "您好", "你好", "现在", "已经", "没有", "一个",
    "知道", "能不能", "是不是", "有没有", "时候", "办法",
    # words of nearly every answer of a hotline's knowledge base
    "办理", "材料", "手续", "准备", "要带", "哪儿", "怎么办", "流程",
})
# A suggestion scoring under this share of the best one is left out: a word shared by chance (a place,
# a common verb) does not put an unrelated answer in front of the operator.
RELATIVE_FLOOR = 0.4
# Candidates read from the index before ranking (a suggestion list shows a handful).
CANDIDATES = 200


def live_articles() -> QuerySet[Article]:
    return (Article.objects.filter(current__isnull=False).exclude(status=Article.Status.WITHDRAWN)
            .select_related("current", "owner_unit", "category"))


def search_q(text: str) -> Q:
    """Live articles whose current version holds every word of ``text`` (title, answer, materials)."""
    words = query_tokens(text[:MAX_QUERY])
    if not words:
        return Q(pk__in=[])
    return Q(pk__in=ArticleDocument.objects.filter(document__matches=words).values("article_id"))


def staff_list(text: str = "", status: str = "", overdue: bool = False) -> QuerySet[Article]:
    """Every article for the staff list: searched by the index (live ones) or by title (drafts)."""
    qs = Article.objects.select_related("current", "owner_unit", "category")
    if text.strip():
        qs = qs.filter(search_q(text) | Q(title__icontains=text.strip()[:MAX_QUERY]))
    if status in Article.Status.values:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue_q())
    return qs.order_by("-updated_at", "-pk")


def overdue_articles() -> QuerySet[Article]:
    """Live articles past their review date, oldest date first (the centre's list)."""
    return live_articles().filter(overdue_q()).order_by("review_by", "pk")


def faq(text: str = "") -> QuerySet[Article]:
    """The residents' 常见问题: live articles, searched, by category."""
    qs = live_articles()
    if text.strip():
        qs = qs.filter(search_q(text))
    # By category, then by key: the same order on both databases (a collation would sort titles apart).
    return qs.order_by(F("category__path").asc(nulls_last=True), "pk")


def _region_q(region: Region | None) -> Q:
    """Articles that apply in ``region``: those for the whole district (no region), for one of its
    ancestors or itself, or for a place inside it (a coarse region may hold the caller)."""
    if region is None:
        return Q()
    parts = [p for p in region.path.split(".") if p]
    ancestors = [".".join(parts[:i]) + "." for i in range(1, len(parts) + 1)]
    return Q(regions__isnull=True) | Q(regions__path__in=ancestors) | Q(regions__path__startswith=region.path)


def _candidate_ids(words: list[str]) -> list[int]:
    """Ids of the articles whose document holds any of ``words`` (OR), from the index."""
    if not words:
        return []
    vendor = connection.vendor
    if vendor == "postgresql":
        query = " | ".join(f"'{w}'" for w in words)
        sql = f'SELECT rowid FROM "{SEARCH_TABLE}" WHERE document @@ (%s)::tsquery LIMIT {CANDIDATES * 5}'
    else:
        query = " OR ".join(match_expression([w], vendor) for w in words)
        sql = f'SELECT rowid FROM "{SEARCH_TABLE}" WHERE document MATCH %s LIMIT {CANDIDATES * 5}'
    with connection.cursor() as cursor:
        cursor.execute(sql, [query])
        return [row[0] for row in cursor.fetchall()]


@dataclass
class Suggestion:
    article: Article
    version: ArticleVersion
    score: float
    matched: list[str]


def question_words(text: str) -> list[str]:
    """The words of a caller's question worth looking up: no stop words, no single characters
    (unless nothing else is left)."""
    words = [w for w in query_tokens(text[:500]) if w not in STOP_WORDS]
    longer = [w for w in words if len(w) > 1]
    return longer or words


def suggest(text: str, region: Region | None = None, limit: int = 5) -> list[Suggestion]:
    """The live articles that best match ``text`` (what the operator types, a demand's words), for
    ``region`` when known.  Each word found counts by its rarity among the candidates and double in
    the title; ties go by id, so both databases suggest the same articles in the same order."""
    words = question_words(text)
    ids = _candidate_ids(words)
    if not ids:
        return []
    candidates = list(live_articles().filter(_region_q(region), pk__in=ids).distinct()[:CANDIDATES])
    if not candidates:
        return []
    docs = {a.pk: set(document_words(a.current)) for a in candidates}
    titles = {a.pk: set(tokens(a.current.title)) for a in candidates}
    total = len(candidates)
    weight = {w: 1 + math.log(1 + total / (1 + sum(w in d for d in docs.values()))) for w in words}
    found = []
    for article in candidates:
        matched = [w for w in words if w in docs[article.pk]]
        score = sum(weight[w] * (2 if w in titles[article.pk] else 1) for w in matched)
        if matched:
            found.append(Suggestion(article, article.current, round(score, 6), matched))
    found.sort(key=lambda s: (-s.score, s.article.pk))
    if found:
        floor = found[0].score * RELATIVE_FLOOR
        found = [s for s in found if s.score >= floor]
    return found[:limit]


def demand_suggestions(demand, limit: int = 3) -> list[Suggestion]:
    """Articles for a demand's page and the station desk: matched on its title and description."""
    return suggest(f"{demand.title}\n{demand.description}", demand.region, limit)


def versions_of(article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("approved_by", "submitted_by").order_by("-number")


@dataclass
class Citation:
    article: Article
    version: ArticleVersion | None
    action: str


def cited_by(events) -> list[Citation]:
    """The articles (and the versions) a demand's events cite: answered directly or referred to an
    expert seat at intake."""
    cited = [(e.payload["article_id"], e.payload.get("article_version"), e.action)
             for e in events if isinstance(e.payload, dict) and e.payload.get("article_id")]
    if not cited:
        return []
    articles = Article.objects.in_bulk([pk for pk, _n, _a in cited])
    versions = {(v.article_id, v.number): v for v in ArticleVersion.objects.filter(
        article_id__in=list(articles), number__in=[n for _pk, n, _a in cited if n])}
    return [Citation(articles[pk], versions.get((pk, n)), action) for pk, n, action in cited if pk in articles]
