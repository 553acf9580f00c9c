"""Reads of the full-text index.  They only narrow a queryset the caller has already scoped
(``demands_visible_to``, ``demand_filter``): a search never reaches past the viewer's scope."""

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


def ranked(demands: QuerySet[Demand], text: str) -> QuerySet[Demand]:
    """``demands`` (already filtered by ``matches_q(text)``) best match first.

    The rank is the database's own: FTS5's ``rank`` column (bm25, lower is better) on SQLite,
    ``ts_rank`` on PostgreSQL (higher is better, so negated); ``search_rank`` ascending is best
    first on both, equally good matches by key.  On SQLite the order is FTS5's alone: then the
    index hands the matches over best first and the page's LIMIT stops the join after its rows
    (a tie-breaker from the demand's table would make SQLite read and sort every match)."""
    words = query_tokens(text)
    if not words:
        return demands.order_by("-registered_at", "-pk")
    vendor = connections[router.db_for_read(Demand)].vendor
    if vendor == "postgresql":
        rank = RawSQL(f'-ts_rank("{TABLE}"."document", (%s)::tsquery)', [match_expression(words, vendor)])
        return demands.annotate(search_rank=rank).order_by("search_rank", "pk")
    return demands.annotate(search_rank=RawSQL(f'"{TABLE}"."rank"', [])).order_by("search_rank")
