"""Duplicate search: is a new demand the same problem as an open one nearby?

A candidate is an open demand registered in the last ``MINSHENG_DUPLICATE_DAYS`` days in the
same grid or a neighbouring one (grids whose centres lie within ``NEIGHBOUR_METRES``; where grids
have no coordinates, the grids of the same community).  Each demand's place, state and time are
kept flat at registration (``DuplicateSignature``, with its MinHash for the hot issues), so one
indexed query lists the open demands around a place, most recent first.

**By their words**, through the full-text index (``search.selectors.similar_documents``): the
documents of those demands — the index's words of their title, description, result and progress
notes, two-character words such as 漏水 included — are weighed against the new text, each word by
its rarity around the place.  The score combines that with distance and time, and every match says
why it was found and which words it shares.

The MinHash of character bigrams that used to find the text candidates is not used for them any
more: its similarity of whole texts missed a differently worded report that shares its telling
word (卫生间漏水 / 楼上漏水滴到我家: one bigram in common, under any threshold), which the index's
words weigh as what they are; what bigrams caught that words do not (a text cut differently) is a
text that shares its words anyway.  The fingerprint stays for the hot issues' clustering
(``hot_issues.py``), which compares every demand of a week with every other and needs a fixed-size
signature, not a search.

Text alone misses a burst about one event: the neighbours who call about the same water outage
within the hour say "停水了", "水龙头没水", "管子爆了".  So the same search also reads,
through the fingerprints' (grid, open, registered) index, the open demands around the place
within ``EVENT_HOURS`` of this one and keeps those of the same kind of problem (the category, or
for a demand without one the category its words name) within ``EVENT_METRES``: place + time +
category, whatever the wording.  Such a match says so (同一时段、同一地点的同类问题).
"""

import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from minsheng.catalogue.models import Category
from minsheng.catalogue.selectors import categories_in_text
from minsheng.core import clock
from minsheng.core.bulk import insert_values
from minsheng.demands.models import Demand
from minsheng.demands.selectors import demands_visible_to
from minsheng.demands.workflow import OPEN_STATES, Kind, State
from minsheng.organisation.models import Region
from minsheng.search.selectors import similar_documents

from .models import DuplicateSignature
from .text import char_ngram_hashes, join_text

N_HASHES = 64
NEIGHBOUR_METRES = 700
TEXT_CHARS = 200  # the title and the start of the detail carry the problem (the hot issues' fingerprint)
MIN_SIMILARITY = 0.2  # share of the text's words (by rarity) under which a demand is not the same problem
TEXT_ROWS = 500  # open demands around the place a search weighs by their words at most, most recent first
# (1,000 until #27: reading and weighing them was half of the panel's time; a neighbourhood with more than
# 500 open demands in the window is a mass event, which the same-event grouping finds whatever the words)
SHOWN_WORDS = 3  # shared words a match names
RESCORE = 60  # the most similar texts scored with distance and time (the panel shows five)
EVENT_HOURS = 6  # demands about one event (an outage, a burst pipe, noise at night) come within hours
EVENT_METRES = 500  # … and from around one place
EVENT_ROWS = 2_000  # open demands a search reads at most from around the place in that time
_rng = np.random.default_rng(20261123)
_A = _rng.integers(1, 2**63, N_HASHES, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, N_HASHES, dtype=np.uint64)
_EMPTY = np.full(N_HASHES, 0xFFFFFFFF, dtype=np.uint32)


def _text(title: str, description: str) -> str:
    return "".join(join_text(title, description)[:TEXT_CHARS].lower().split())


def bigrams(title: str, description: str) -> np.ndarray:
    return np.unique(char_ngram_hashes(_text(title, description), 2, 2))


def minhash(grams: np.ndarray) -> np.ndarray:
    if grams.size == 0:
        return _EMPTY
    mixed = (grams[None, :] * _A[:, None] + _B[:, None]) >> np.uint64(32)
    return mixed.min(axis=1).astype(np.uint32)


def metres_between(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(h))


def grid_of(region: Region) -> Region:
    """The grid a region lies in (a building's, an estate's or a unit's grid); a region above grid
    level is itself."""
    if region.kind in (Region.Kind.ESTATE, Region.Kind.BUILDING, Region.Kind.ENTRANCE):
        return region.nearest(Region.Kind.GRID) or region
    return region


_neighbours: dict[int, tuple[float, dict[int, str]]] = {}
NEIGHBOURS_TTL = 300.0  # seconds a process keeps a grid's neighbours (the region tree rarely changes)


def neighbour_grids(grid: Region) -> dict[int, str]:
    """grid id → "same" / "neighbour" for the grids searched around ``grid`` (for a region above
    grid level: every grid under it, all "same"), cached per process for ``NEIGHBOURS_TTL``."""
    now = time.monotonic()
    cached = _neighbours.get(grid.pk)
    if cached is None or now - cached[0] > NEIGHBOURS_TTL:
        if len(_neighbours) > 10_000:
            _neighbours.clear()
        cached = _neighbours[grid.pk] = (now, _neighbour_grids(grid))
    return cached[1]


def _neighbour_grids(grid: Region) -> dict[int, str]:
    if grid.kind != Region.Kind.GRID:
        return {pk: "same" for pk in Region.objects.filter(kind=Region.Kind.GRID, path__startswith=grid.path)
                .values_list("pk", flat=True)}
    found = {grid.pk: "same"}
    for pk, parent_id, lat, lng in Region.objects.filter(kind=Region.Kind.GRID).exclude(pk=grid.pk).values_list(
            "pk", "parent_id", "latitude", "longitude"):
        if grid.latitude is None or lat is None:
            near = parent_id == grid.parent_id
        else:
            near = metres_between(float(grid.latitude), float(grid.longitude), float(lat), float(lng)) \
                <= NEIGHBOUR_METRES
        if near:
            found[pk] = "neighbour"
    return found


# --- keeping the fingerprints ------------------------------------------------------------

def _coordinates(demand: Demand) -> tuple[float | None, float | None]:
    lat, lng = demand.latitude, demand.longitude
    if lat is None:
        region = demand.region
        lat, lng = region.latitude, region.longitude
    return (float(lat), float(lng)) if lat is not None and lng is not None else (None, None)


def index_demands(demands) -> None:
    """Fingerprint demands just registered, in one statement (this runs inside every registration's
    transaction)."""
    signatures, grids = [], {}
    for demand in demands:
        lat, lng = _coordinates(demand)
        grid = grids.get(demand.region_id)
        if grid is None:
            grid = grids[demand.region_id] = grid_of(demand.region)
        registered = int(demand.registered_at.timestamp())
        signature = minhash(bigrams(demand.title, demand.description))
        is_open = demand.state in OPEN_STATES
        signatures.append((demand.pk, grid.pk, is_open, registered, lat, lng, signature.tobytes()))
    insert_values(DuplicateSignature, signatures,
                  columns=("demand_id", "grid_id", "is_open", "registered", "latitude", "longitude", "minhash"))


def on_state_change(demand: Demand, from_state: str, to_state: str) -> None:
    if (from_state in OPEN_STATES) != (to_state in OPEN_STATES):
        DuplicateSignature.objects.filter(demand_id=demand.pk).update(is_open=to_state in OPEN_STATES)


# --- the search --------------------------------------------------------------------------

@dataclass
class DuplicateMatch:
    demand: Demand
    score: float
    similarity: float
    metres: float | None
    area: str  # "same" grid or "neighbour"
    days: float
    reasons: list[str] = field(default_factory=list)
    same_event: bool = False  # same place, same hours, same kind of problem (whatever the words)
    shared: tuple[str, ...] = ()  # the words of the text it holds, most telling first


def event_category_path(category: Category | str | None, title: str, description: str) -> str:
    """The kind of problem a demand is about, as a category path: its category, else the one its
    words name (catalogue keywords and residents' synonyms: "没水" → 供水供电供气供暖); "" for none."""
    if isinstance(category, Category):
        return category.path
    if category:
        return Category.objects.filter(code=category).values_list("path", flat=True).first() or ""
    named = categories_in_text(join_text(title, description))
    return named[0][0].path if named else ""


def same_kind(a: str, b: str) -> bool:
    """Two category paths ("000003.000017.") name the same kind of problem: the same category, or
    one under the other (a leaf and its top level, when only the top level is known)."""
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def find_duplicates(user, *, title: str, description: str, region: Region, latitude=None, longitude=None,
                    at: datetime | None = None, exclude: int | None = None, limit: int = 5,
                    category: Category | str | None = None) -> list[DuplicateMatch]:
    """Open demands ``user`` may see that look like this one, best first, each with its reasons:
    by their words (the full-text index), and (``_same_event``) by place, time and kind of problem
    whatever their words.  ``region`` may be a grid, a building or a community (an address resolved
    no further: every grid under it); ``category`` is the one chosen, if any.
    ``user`` None is a resident on the public report form: open demands (not wishes or care tasks)
    of every reporter nearby, which the form shows without any personal detail so that the
    resident can join one ("我也遇到") instead of filing it again.

    Scope comes first: the open demands around the place are narrowed to those ``user`` may see
    before any of their words are read, so that what is weighed, ranked and shown — the words
    shared included — is only ever what the viewer may open."""
    at = at or clock.now()
    text = f"{title or ''}\n{description or ''}".strip()
    if not text:
        return []
    grids = neighbour_grids(grid_of(region))
    if latitude is None and region.latitude is not None:
        latitude, longitude = region.latitude, region.longitude
    since = int((at - timedelta(days=settings.MINSHENG_DUPLICATE_DAYS)).timestamp())
    readable = Demand.objects.filter(kind=Kind.DEMAND) if user is None else demands_visible_to(user)
    events = _same_event(grids, event_category_path(category, title, description), latitude, longitude, at, exclude)
    # The open demands around the place in the window, most recent first, read through the
    # fingerprints' (grid, open, registered) index: where thousands share a neighbourhood (a mass
    # outage, every caller reporting it) the most recent TEXT_ROWS are weighed, and any of them is
    # as good a duplicate as the others.
    nearby = (DuplicateSignature.objects.filter(grid_id__in=list(grids), is_open=True, registered__gte=since)
              .exclude(demand_id=exclude or 0).values("demand_id"))
    around = list(readable.filter(pk__in=nearby).order_by("-registered_at", "-pk")
                  .values_list("pk", flat=True)[:TEXT_ROWS])
    similar = {d.pk: d for d in similar_documents(text, around, minimum=MIN_SIMILARITY)[:RESCORE]}
    if events:
        events = set(readable.filter(pk__in=events).values_list("pk", flat=True))
    if not similar and not events:
        return []
    rows = DuplicateSignature.objects.filter(demand_id__in=set(similar) | events).values_list(
        "demand_id", "grid_id", "registered", "latitude", "longitude")
    scored = []
    for pk, grid_id, registered, lat, lng in rows:
        found = similar.get(pk)
        similarity = found.similarity if found else 0.0
        metres = (metres_between(float(latitude), float(longitude), lat, lng)
                  if latitude is not None and lat is not None else None)
        days = max(0.0, (at.timestamp() - registered) / 86400)
        nearness = max(0.0, 1 - metres / (2 * NEIGHBOUR_METRES)) if metres is not None else (
            1.0 if grids[grid_id] == "same" else 0.5)
        recency = max(0.0, 1 - days / settings.MINSHENG_DUPLICATE_DAYS)
        score = 0.7 * min(1.0, similarity / 0.6) + 0.2 * nearness + 0.1 * recency
        if pk in events:  # one event: as sure as very similar words, surer the closer in time and place
            hours = abs(at.timestamp() - registered) / 3600
            score = max(score, 0.55 + 0.25 * nearness + 0.2 * max(0.0, 1 - hours / EVENT_HOURS))
        scored.append((round(score, 6), pk, similarity, metres, grids[grid_id], days, found.shared if found else ()))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    shown = scored[:limit]
    by_pk = Demand.objects.select_related("region").in_bulk([s[1] for s in shown])
    return [DuplicateMatch(by_pk[pk], round(score, 3), similarity, metres, area, days,
                           _reasons(similarity, metres, area, days, pk in events, shared), pk in events, shared)
            for score, pk, similarity, metres, area, days, shared in shown]


def _same_event(grids: dict[int, str], kind: str, latitude, longitude, at: datetime,
                exclude: int | None) -> set[int]:
    """Open demands around the place, registered within ``EVENT_HOURS`` of ``at``, about the same
    kind of problem (``kind``, a category path): within ``EVENT_METRES`` when both have a point,
    else in the same grid.  Read through the fingerprints' (grid, open, registered) index."""
    if not kind:
        return set()
    window = EVENT_HOURS * 3600
    moment = int(at.timestamp())
    rows = (DuplicateSignature.objects.filter(grid_id__in=list(grids), is_open=True,
                                              registered__gte=moment - window, registered__lte=moment + window)
            .exclude(demand_id=exclude or 0)
            .values_list("demand_id", "grid_id", "latitude", "longitude", "demand__category__path",
                         "demand__title", "demand__description")[:EVENT_ROWS])
    found = set()
    for pk, grid_id, lat, lng, path, other_title, other_description in rows:
        if latitude is not None and lat is not None:
            near = metres_between(float(latitude), float(longitude), lat, lng) <= EVENT_METRES
        else:
            near = grids.get(grid_id) == "same"
        if near and same_kind(kind, path or event_category_path(None, other_title, other_description)):
            found.add(pk)
    return found


def _reasons(similarity: float, metres: float | None, area: str, days: float, same_event: bool = False,
             shared: tuple[str, ...] = ()) -> list[str]:
    reasons = [_("同一时段、同一地点的同类问题")] if same_event else []
    if shared:
        reasons.append(_("关键词吻合 %(p)d%%（%(words)s）") % {
            "p": round(similarity * 100), "words": "、".join(shared[:SHOWN_WORDS])})
    reasons.append(_("同一网格") if area == "same" else _("相邻网格"))
    if metres is not None:
        reasons.append(_("相距约 %(m)d 米") % {"m": round(metres)})
    reasons.append(_("%(d)d 天前登记") % {"d": int(days)} if days >= 1 else _("今天登记"))
    return reasons


NEARBY_METRES = 1000  # how far the demand page's map looks for other open demands
NEARBY_ROWS = 300  # open demands with a pin read from the grids around, at most


@dataclass(frozen=True)
class NearbyDemand:
    pk: int
    number: str
    title: str
    state: str
    latitude: float
    longitude: float
    metres: float

    @property
    def state_label(self) -> str:
        return str(State(self.state).label)


def open_demands_near(user, demand: Demand, *, limit: int = 20) -> list[NearbyDemand]:
    """Other open demands ``user`` may see within ``NEARBY_METRES`` of this one's pin, nearest
    first: the pins the demand page's map shows around it, so that a dispatcher sees a cluster
    (one burst main, ten callers) before dispatching ten times.

    Read through the (region, state) index over the same and neighbouring grids and their
    buildings, at most ``NEARBY_ROWS`` rows, as tuples (model instances cost a third of the time
    at a million demands); a demand without a pin has no neighbours to show."""
    if demand.latitude is None or demand.longitude is None:
        return []
    grids = list(neighbour_grids(grid_of(demand.region)))
    # A demand may be filed on a building (intake's address look-up): its grid's buildings count too.
    below = Q(pk__in=[])
    for path in Region.objects.filter(pk__in=grids).values_list("path", flat=True):
        below |= Q(path__startswith=path)
    regions = grids + list(Region.objects.filter(below, kind=Region.Kind.BUILDING).order_by()
                           .values_list("pk", flat=True))
    rows = (demands_visible_to(user).filter(region_id__in=regions, state__in=list(OPEN_STATES),
                                            latitude__isnull=False, longitude__isnull=False)
            .exclude(pk=demand.pk).order_by()
            .values_list("pk", "number", "title", "state", "latitude", "longitude")[:NEARBY_ROWS])
    lat, lng = float(demand.latitude), float(demand.longitude)
    near = []
    for pk, number, title, state, other_lat, other_lng in rows:
        metres = metres_between(lat, lng, float(other_lat), float(other_lng))
        if metres <= NEARBY_METRES:
            near.append(NearbyDemand(pk, number, title, state, float(other_lat), float(other_lng), metres))
    near.sort(key=lambda d: d.metres)
    return near[:limit]
