"""Hot issues: problems many residents report at once, found as clusters of similar demands in
one community over a sliding window, ranked by distinct residents, size and growth; and the
proactive-governance items (主动治理, 未诉先办) a leader makes of them."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import PermissionDenied, ValidationFailed
from minsheng.demands.models import Demand
from minsheng.demands.selectors import demands_visible_to
from minsheng.demands.workflow import State
from minsheng.organisation.levels import district_offset
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_for, roles_of

from .duplicates import N_HASHES
from .models import DuplicateSignature, GovernanceItem

SUMMARY_CACHE_SECONDS = 300  # a week of texts is clustered at most every few minutes per scope
SIMILARITY = 0.3  # estimated bigram Jaccard to a cluster's first demand to join it
GOVERNING_ROLES = frozenset({Role.LEADER, Role.ADMINISTRATOR})


@dataclass
class HotIssue:
    community: Region
    demands: list[Demand] = field(default_factory=list)
    recent: int = 0  # demands in the second half of the window
    # While clustering: the members' keys and reporters (the demands are loaded for the kept issues only).
    demand_ids: list[int] = field(default_factory=list, repr=False)
    reporters: set = field(default_factory=set, repr=False)

    @property
    def size(self) -> int:
        return len(self.demand_ids)

    @property
    def residents(self) -> int:
        """Distinct residents (a demand without a reporter counts as one)."""
        return len(self.reporters)

    @property
    def growth(self) -> int:
        """Demands in the window's second half minus those in its first half."""
        return self.recent - (self.size - self.recent)

    @property
    def title(self) -> str:
        return self.demands[0].title

    @property
    def category(self):
        counts = Counter(d.category for d in self.demands if d.category_id)
        return counts.most_common(1)[0][0] if counts else None


def _community_path(region_path: str) -> str:
    # district.street.community. (after the city and province above the district, if any)
    return ".".join(region_path.split(".")[:3 + district_offset(region_path)]) + "."


class _Clusters:
    """One community's clusters in the order they began, with their first demands' signatures
    as the rows of one array: a demand is compared with every cluster at once, not one by one in
    Python (a busy city week is thousands of demands against dozens of clusters each)."""

    def __init__(self):
        self.issues: list[HotIssue] = []
        self._leaders = np.empty((4, N_HASHES), dtype=np.uint32)

    def first_similar(self, signature: np.ndarray) -> HotIssue | None:
        """The first cluster whose first demand's signature agrees with ``signature`` in at
        least ``SIMILARITY`` of its hashes (the estimated Jaccard similarity of their texts)."""
        if not self.issues:
            return None
        agreeing = np.count_nonzero(self._leaders[:len(self.issues)] == signature, axis=1)
        # (the same test as ``mean() >= SIMILARITY``, without dividing per cluster)
        found = np.flatnonzero(agreeing >= SIMILARITY * N_HASHES)
        return self.issues[found[0]] if found.size else None

    def add(self, signature: np.ndarray, issue: HotIssue) -> HotIssue:
        if len(self.issues) == len(self._leaders):
            self._leaders = np.concatenate([self._leaders, np.empty_like(self._leaders)])
        self._leaders[len(self.issues)] = signature
        self.issues.append(issue)
        return issue


def hot_issues(user, *, now: datetime | None = None, days: int | None = None, min_size: int | None = None,
               limit: int = 20) -> list[HotIssue]:
    """Clusters of similar demands ``user`` may see, registered in the last ``days`` days, with at
    least ``min_size`` demands; most residents first, then size, then growth."""
    now = now or clock.now()
    days = days or settings.MINSHENG_HOT_DAYS
    min_size = min_size or settings.MINSHENG_HOT_MIN_SIZE
    since, middle = now - timedelta(days=days), now - timedelta(days=days / 2)
    window = (demands_visible_to(user).filter(registered_at__gte=since, registered_at__lte=now)
              .exclude(state=State.INVALID))
    # Plain rows, not model instances: a busy week holds many thousands of demands, and only the
    # kept clusters' demands are shown.  The fingerprints are joined through a subquery, not a
    # list of keys (SQLite limits the parameters of one statement).
    rows = window.order_by("registered_at").values_list("pk", "region__path", "reporter_id", "registered_at")
    signatures = dict(DuplicateSignature.objects.filter(demand_id__in=window.values("pk"))
                      .values_list("demand_id", "minhash"))
    communities = {r.path: r for r in Region.objects.filter(kind=Region.Kind.COMMUNITY)}
    clusters: dict[str, _Clusters] = {}
    for pk, region_path, reporter_id, registered_at in rows.iterator(chunk_size=5000):
        raw = signatures.get(pk)
        community = communities.get(_community_path(region_path))
        if raw is None or community is None:
            continue
        signature = np.frombuffer(bytes(raw), dtype=np.uint32, count=N_HASHES)
        here = clusters.get(community.path) or clusters.setdefault(community.path, _Clusters())
        issue = here.first_similar(signature)
        if issue is None:
            issue = here.add(signature, HotIssue(community=community))
        issue.demand_ids.append(pk)
        issue.reporters.add(reporter_id or f"d{pk}")
        issue.recent += registered_at >= middle
    issues = [issue for here in clusters.values() for issue in here.issues if issue.size >= min_size]
    issues.sort(key=lambda i: (i.residents, i.size, i.growth), reverse=True)
    issues = issues[:limit]
    loaded = Demand.objects.select_related("category").in_bulk([pk for i in issues for pk in i.demand_ids])
    for issue in issues:
        issue.demands = [loaded[pk] for pk in issue.demand_ids]
    return issues


def hot_issue_summaries(user, limit: int = 5) -> list[dict]:
    """The top ``limit`` hot issues for the dashboard and the overview: title, community name,
    size, residents and the first five demands' (pk, number), kept per scope for a few minutes."""
    key = f"hot-issues:{limit}:" + "|".join(sorted(f"{g.role}:{g.unit_path}:{g.region_path}:{g.narrowed_to}"
                                                   for g in grants_for(user)))
    summaries = cache.get(key)
    if summaries is None:
        summaries = [{"title": i.title, "community": i.community.name, "size": i.size, "residents": i.residents,
                      "demands": [(d.pk, d.number) for d in i.demands[:5]]}
                     for i in hot_issues(user, limit=limit)]
        cache.set(key, summaries, SUMMARY_CACHE_SECONDS)
    return summaries


def may_govern(user) -> bool:
    return bool(roles_of(user) & GOVERNING_ROLES)


def create_governance_item(user, *, title: str, demand_ids: list[int], note: str = "") -> GovernanceItem:
    """A leader takes a hot issue up as a proactive-governance item with its demands."""
    if not may_govern(user):
        raise PermissionDenied(_("只有领导或管理员可以发起主动治理。"))
    title = (title or "").strip()
    if not title or len(title) > 100:
        raise ValidationFailed.for_field("title", _("请填写不超过100字的标题。"))
    demands = list(demands_visible_to(user).filter(pk__in=demand_ids))
    if not demands or len(demands) != len(set(demand_ids)):
        raise ValidationFailed.for_field("demands", _("所选诉求不存在或不在你的管辖范围内。"))
    communities = {_community_path(d.region.path) for d in demands}
    region = Region.objects.filter(path=communities.pop()).first() if len(communities) == 1 else None
    region = region or demands[0].region
    categories = Counter(d.category_id for d in demands if d.category_id)
    with transaction.atomic():
        item = GovernanceItem.objects.create(
            title=title, region=region, note=(note or "").strip(), created_by=user, created_at=clock.now(),
            category_id=categories.most_common(1)[0][0] if categories else None)
        item.demands.set(demands)
    return item


def governance_items_for(user):
    visible = demands_visible_to(user)
    return (GovernanceItem.objects.filter(demands__in=visible).distinct()
            .select_related("region", "category", "created_by").prefetch_related("demands"))

