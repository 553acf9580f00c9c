"""Paging long lists without counting every row.

Counting a million demands on each page view costs more than showing them; the list counts at
most ``cap`` + 1 matching rows instead, and says "more than <cap>" beyond that (narrow the
filters to see further).  Pages stay numbered, so links and the page template are unchanged.
"""

from collections.abc import Callable, Iterable

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """``keys_first``: read a page as its keys in the list's order, then those rows by key.  For an
    order no index gives (the queue's urgency ranks over every match): PostgreSQL joined the related
    rows above the sort, which then sorted every match with all its columns, on disk, without the
    page's bound (the hotline operator's queue at 1M: 114,000 rows, 2.3 s); over keys alone the
    sort is a top-N heap of one page.  Off for lists whose order an index gives (one read is
    cheaper) and for lists that are not rows of a model.

    ``runs`` (with ``keys_first``): a function giving the list cut into consecutive runs of its
    order, each a queryset of its rows in the list's order, together holding every row once (the
    queue's overdue / due-soon / rest: ``demands.selectors.queue_runs``).  When more rows match than
    the cap, a page's keys are read run by run, each run sorted alone, until the page is full: the
    first page of a long list sorts the rows of its first runs only, not every match.  A list within
    the cap is sorted in one query (a few hundred rows cost less than one more query per run), and
    the runs are then not even built (building a queryset costs milliseconds of Python; the
    function may yield them one at a time)."""

    def __init__(self, object_list, per_page: int, cap: int, *, keys_first: bool = False,
                 runs: Callable[[], Iterable[QuerySet]] | None = None):
        super().__init__(object_list, per_page)
        self.cap = cap
        self.keys_first = keys_first
        self.runs = runs

    def page(self, number):
        page = super().page(number)
        if self.keys_first and isinstance(page.object_list, QuerySet):
            if self.runs and self.capped and self.count:
                keys = self._keys_by_run(page.start_index() - 1, page.end_index())
            else:
                keys = list(page.object_list.select_related(None).values_list("pk", flat=True))
            found = {row.pk: row for row in self.object_list.filter(pk__in=keys).order_by()}
            page.object_list = [found[key] for key in keys if key in found]
        return page

    def _keys_by_run(self, bottom: int, top: int) -> list:
        """The keys of rows ``bottom`` to ``top`` of the list (0-based, ``top`` excluded), run by run."""
        keys, skip, wanted = [], bottom, top - bottom
        for run in self.runs():
            if wanted <= 0:
                break
            found = list(run.select_related(None).values_list("pk", flat=True)[skip:skip + wanted])
            if found:
                skip = 0  # the page starts in this run; the next run's rows follow it
            elif skip:
                # The whole run lies before the page (not below zero should a row have moved meanwhile).
                skip = max(0, skip - run.select_related(None).order_by().count())
            keys += found
            wanted -= len(found)
        return keys

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


def page_of(request, rows, per_page: int, param: str = "page") -> Page:
    """The page of ``rows`` the query parameter ``param`` names (the first when it names none).
    Its links (``web/_pagination.html``) keep the rest of the query, so that several lists on one
    page each turn their own pages."""
    page = Paginator(rows, per_page).get_page(request.GET.get(param))
    page.param = param
    if page.has_previous():
        page.previous_args = {param: page.previous_page_number()}
    if page.has_next():
        page.next_args = {param: page.next_page_number()}
    return page
