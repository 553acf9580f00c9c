"""The demands behind a figure: the events that added to its counter, found by replaying the
candidate demands' events with the same function that keeps the rollups."""

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.catalogue.models import Category
from minsheng.core.errors import ValidationFailed
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.selectors import demands_visible_to
from minsheng.demands.workflow import Kind

from .rollups import GridMap, fold_counters
from .selectors import Filters, _region_ids, scope_of

# The events that may add to each counter ("solved" is satisfied plus basically satisfied).
ACTIONS = {
    "registered": ["register"], "invalid": ["reject_invalid"], "merged": ["merge"], "withdrawn": ["merge"],
    "dispatched": ["dispatch", "reopen"], "reopened": ["reopen"], "resolved": ["resolve", "resolve_on_spot"],
    "responded_on_time": ["resolve", "resolve_on_spot"], "resolved_on_time": ["resolve", "resolve_on_spot"],
    "revisited": ["revisit"], "satisfied": ["revisit"], "basically_satisfied": ["revisit"],
    "dissatisfied": ["revisit"], "solved": ["revisit"], "suspended": ["approve_suspension"], "closed": ["close"],
}
MAX_EVENTS = 20000  # beyond this many candidate events, the viewer is asked to narrow the list


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))


def _counts_for(counter: str, counts: dict[str, int]) -> bool:
    if counter == "solved":
        return bool(counts.get("satisfied") or counts.get("basically_satisfied"))
    return bool(counts.get(counter))


def demands_behind(user, counter: str, start: date, end: date, filters: Filters | None = None) -> QuerySet[Demand]:
    """The demands whose events in start..end added to ``counter`` within the user's scope."""
    if counter not in ACTIONS:
        raise ValidationFailed.for_field("figure", _("未知的统计项“%(name)s”。") % {"name": counter})
    low, high = _bounds(start, end)
    candidates = DemandEvent.objects.filter(action__in=ACTIONS[counter], created_at__gte=low, created_at__lt=high,
                                            demand__kind=Kind.DEMAND)
    found = list(candidates.values_list("demand_id", "seq")[:MAX_EVENTS + 1])
    if len(found) > MAX_EVENTS:
        raise ValidationFailed.for_field("figure", _("符合条件的事件超过 %(n)d 个，请缩小时间或区域范围。")
                                         % {"n": MAX_EVENTS})
    wanted = set(found)
    scope, filters = scope_of(user), filters or Filters()
    region_ids = _region_ids(filters.region.path) if filters.region else None
    category_ids = (set(Category.objects.filter(path__startswith=filters.category.path).values_list("pk", flat=True))
                    if filters.category else None)
    events = DemandEvent.objects.filter(demand_id__in={pk for pk, _seq in wanted}).order_by("demand_id", "seq")
    ids = set()
    for event, key, counts in fold_counters(events.iterator(chunk_size=2000), GridMap()):
        if ((event.demand_id, event.seq) in wanted and _counts_for(counter, counts)
                and scope.covers(key.region_id, key.unit_id)
                and filters.covers(key.region_id, key.unit_id, key.category_id, region_ids=region_ids,
                                   category_ids=category_ids)):
            ids.add(event.demand_id)
    return demands_visible_to(user).filter(pk__in=ids)
