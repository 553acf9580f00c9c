"""Reads for integrations, scoped like everything else and narrowed to the key."""

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform

from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.selectors import demands_visible_to
from minsheng.organisation.models import Region

from .models import ApiKey


def demands_for_caller(user, key: ApiKey | None) -> QuerySet[Demand]:
    """What a caller may read: the user's scope, and with a key, only inside the key's region."""
    demands = demands_visible_to(user)
    if key is not None:
        demands = demands.filter(region__path__startswith=key.region.path)
    return demands


_COARSE_KINDS = (*Region.UPPER_KINDS, Region.Kind.DISTRICT, Region.Kind.STREET, Region.Kind.COMMUNITY)
REQUEST_COLUMNS = (
    "number", "state", "title", "description", "address", "latitude", "longitude", "registered_at", "updated_at",
    "handle_due", "result", "close_reason", "merged_into__number", "category__code", "category__name",
    "category__name_en", "handling_unit__name", "region__name", "region__code",
)


def request_rows(demands: QuerySet[Demand], *, public: bool = False) -> list[dict]:
    """The columns an Open311 request shows, as plain rows (a list of 1000 builds no model
    objects); the media link is read from the registration event inside the database.  For
    the public, the place is the demand's community (or coarser), never its grid or building."""
    media = DemandEvent.objects.filter(demand=OuterRef("pk"), seq=1).annotate(
        media=KeyTextTransform("media_url", "payload")).values("media")[:1]
    rows = list(demands.annotate(media_url=Subquery(media)).values(*REQUEST_COLUMNS, "media_url", "region__path"))
    if public:
        communities = {r.path: r for r in Region.objects.filter(kind__in=_COARSE_KINDS).only("path", "name", "code")}
        for row in rows:
            coarse = max((c for path, c in communities.items() if row["region__path"].startswith(path)),
                         key=lambda c: len(c.path), default=None)
            row["region__name"], row["region__code"] = (coarse.name, coarse.code) if coarse else ("", "")
    return rows


def update_rows(events: QuerySet[DemandEvent]) -> list[dict]:
    return list(events.values("demand__number", "seq", "to_state", "created_at", "note", "action"))
