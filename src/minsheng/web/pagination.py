"""Paging long lists without counting every row.

Counting a million demands on each page view costs more than showing them; the list counts at
most ``cap`` + 1 matching rows instead, and says "more than <cap>" beyond that (narrow the
filters to see further).  Pages stay numbered, so links and the page template are unchanged.
"""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page: int, cap: int):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def _counted(self) -> int:
        # COUNT over a LIMITed subquery of keys: the database stops after cap + 1 rows, with no
        # sort and no joins for related rows the count does not need.
        if not isinstance(self.object_list, QuerySet):  # a list of rows already read (ranked matches)
            return len(self.object_list)
        return self.object_list.select_related(None).order_by().values("pk")[:self.cap + 1].count()

    @property
    def capped(self) -> bool:
        """True when more rows match than were counted."""
        return self._counted > self.cap
