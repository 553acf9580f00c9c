"""The full-text index of demands: one row per demand, ``document`` holding its words.

The table is the database's own full-text structure, created by migration 0001 for the vendor:
on SQLite an FTS5 virtual table (its ``rowid`` is the demand's id, ``document`` the words joined
by spaces, read by the ``ascii`` tokenizer, so the words are exactly those of
``segmenter.tokens``; ``bm25`` ranks), on PostgreSQL a table with a ``tsvector`` under a GIN
index (lexemes taken verbatim, with their positions; ``ts_rank`` ranks).  Both answer the same
question: the demands whose document holds every word of the query.

Articles of the knowledge base will be a second document kind: a table of their own beside this
one, filled by the same ``segmenter.tokens`` and queried by the same lookup.
"""

from django.db import models
from django.db.models import Lookup
from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand

TABLE = "search_demand"


class DocumentField(models.TextField):
    """A document of the index: words joined by spaces on SQLite, a tsvector on PostgreSQL."""


def match_expression(words: list[str], vendor: str) -> str:
    """The query that requires every one of ``words`` (which are letters and digits only)."""
    if vendor == "postgresql":
        return " & ".join(f"'{w}'" for w in words)
    return " ".join(f'"{w}"' for w in words)


@DocumentField.register_lookup
class Matches(Lookup):
    """``document__matches=[words]``: the document holds every word."""

    lookup_name = "matches"
    prepare_rhs = False
    can_use_none_as_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [match_expression(list(value), connection.vendor)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        operator = "@@ (%s)::tsquery" if connection.vendor == "postgresql" else "MATCH %s"
        return f"{lhs} {operator % rhs}", [*lhs_params, *rhs_params]


class DemandDocument(models.Model):
    """A demand's row of the index.  Migration 0001 creates the table for the vendor (the state
    says managed, so that a flush empties it with the demands); ``index.py`` writes it in SQL."""

    demand = models.OneToOneField(Demand, primary_key=True, on_delete=models.DO_NOTHING, db_column="rowid",
                                  db_constraint=False, related_name="search_document", verbose_name=_("诉求"))
    document = DocumentField(_("检索词"))

    class Meta:
        db_table = TABLE
        verbose_name = _("诉求检索文档")
        verbose_name_plural = _("诉求检索文档")

    def __str__(self) -> str:
        return f"{self.demand_id}: {self.document[:40]}"
