"""The demands behind a figure, read from the ledger the rollups are kept with
(``models.Entry``): the list holds exactly what the tile counted, entry by entry.

A set is a counter or a derived set (``selectors.DERIVED``: a rate's failures are its
denominator less its numerator).  Each item is one demand's net share of the set on one rollup
key (day, grid, unit, category); a demand that counts twice on one key (two rounds returned to
the same unit on the same day) is listed twice, so the list's length equals the figure.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from minsheng.core.errors import ValidationFailed
from minsheng.demands.models import Demand
from minsheng.demands.selectors import demands_visible_to

from .models import Entry
from .selectors import DEADLINE_COUNTERS, DERIVED, SETS, Filters, deadline_end, scope_of

MAX_ITEMS = 20000  # beyond this many items, the viewer is asked to narrow the list


@dataclass
class Item:
    demand: Demand
    day: date  # the day the item counts on (the event's, or the deadline's for a deadline set)
    unit_id: int


def _signs(name: str) -> dict[str, int]:
    if name not in SETS:
        raise ValidationFailed.for_field("figure", _("未知的统计项“%(name)s”。") % {"name": name})
    return DERIVED.get(name, {name: 1})


def _period_q(counter: str, start: date, end: date) -> Q:
    upto = deadline_end(end) if counter in DEADLINE_COUNTERS else end
    return Q(counter=counter, day__gte=start, day__lte=upto)


def item_keys(user, name: str, start: date, end: date, filters: Filters | None = None) -> list[tuple]:
    """(demand_id, day, unit_id) of every item of set ``name`` in start..end within the user's
    scope and ``filters``, one per unit of the net count, newest day first."""
    signs = _signs(name)
    period = Q(pk__in=[])
    for counter in signs:
        period |= _period_q(counter, start, end)
    qs = Entry.objects.filter(period).filter(scope_of(user).q())
    if filters:
        qs = qs.filter(filters.q())
    net: dict[tuple, int] = defaultdict(int)
    rows = qs.values("counter", "demand_id", "day", "region_id", "unit_id", "category_id").annotate(
        n=Sum("n")).order_by()
    for count, row in enumerate(rows.iterator(chunk_size=5000)):
        if count > MAX_ITEMS * 3:
            raise ValidationFailed.for_field("figure", _("符合条件的记录超过 %(n)d 条，请缩小时间或区域范围。")
                                             % {"n": MAX_ITEMS})
        key = (row["demand_id"], row["day"], row["region_id"], row["unit_id"], row["category_id"])
        net[key] += signs[row["counter"]] * row["n"]
    keys = []
    for (demand_id, day, _region, unit_id, _category), n in net.items():
        keys.extend([(demand_id, day, unit_id)] * max(n, 0))
    if len(keys) > MAX_ITEMS:
        raise ValidationFailed.for_field("figure", _("符合条件的记录超过 %(n)d 条，请缩小时间或区域范围。")
                                         % {"n": MAX_ITEMS})
    keys.sort(key=lambda k: (k[1], k[0]), reverse=True)
    return keys


def item_values_behind(user, name: str, start: date, end: date, filters: Filters | None, columns: tuple[str, ...]
                       ) -> tuple[list[tuple], int]:
    """The items of a figure, each as its day followed by its demand's ``columns`` (values, not
    loaded demands: an export of a thousand items costs a third less), and how many items are of
    demands the viewer may not open: the two add up to the figure."""
    keys = item_keys(user, name, start, end, filters)
    values = {row[0]: row[1:] for row in demands_visible_to(user).filter(pk__in={k[0] for k in keys})
              .values_list("pk", *columns)}
    rows = [(day, *values[demand_id]) for demand_id, day, _unit_id in keys if demand_id in values]
    return rows, len(keys) - len(rows)


def visible_item_keys(user, name: str, start: date, end: date, filters: Filters | None = None
                      ) -> tuple[list[tuple], int]:
    """``item_keys`` of the demands the viewer may open, and how many items are of demands they
    may not (a unit's figures count demands since handed to another unit): the two add up to the
    figure.  Keys only: a page of the list loads its own items (``items_of``)."""
    keys = item_keys(user, name, start, end, filters)
    visible = set(demands_visible_to(user).filter(pk__in={k[0] for k in keys}).values_list("pk", flat=True))
    shown = [key for key in keys if key[0] in visible]
    return shown, len(keys) - len(shown)


def items_of(keys: list[tuple]) -> list[Item]:
    """The items of ``keys`` (from ``visible_item_keys``) with their demands."""
    demands = Demand.objects.filter(pk__in={k[0] for k in keys}).select_related("handling_unit", "region", "category")
    by_id = {d.pk: d for d in demands}
    return [Item(by_id[demand_id], day, unit_id) for demand_id, day, unit_id in keys if demand_id in by_id]

