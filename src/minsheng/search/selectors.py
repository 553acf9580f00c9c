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
    """``demands`` (already filtered by ``matches_q(text)``) best match first, then newest.

    The rank is the database's own: ``bm25`` on SQLite (lower is better), ``ts_rank`` on
    PostgreSQL (higher is better, so negated); ``search_rank`` ascending is best first on both."""
    words = query_tokens(text)
    if not words:
        return demands.order_by("-registered_at", "-pk")
    vendor = connections[router.db_for_read(Demand)].vendor
    if vendor == "postgresql":
        rank = RawSQL(f'-ts_rank("{TABLE}"."document", (%s)::tsquery)', [match_expression(words, vendor)])
    else:
        rank = RawSQL(f'bm25("{TABLE}")', [])
    return demands.annotate(search_rank=rank).order_by("search_rank", "-registered_at", "-pk")
