"""Category suggestions, automatic dispatch above the threshold, dispatchers' corrections,
and the rows a deployment's own demands contribute to retraining."""

import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from minsheng.catalogue.models import Category
from minsheng.catalogue.selectors import categories_in_text
from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.demands import services as demand_services
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.workflow import State
from minsheng.organisation.scope import SYSTEM, SYSTEM_ROLE

from . import duplicates, registry
from .labels import top_level_of
from .models import Correction, Suggestion
from .text import join_text

log = logging.getLogger("minsheng.routing")
TOP_K = 3
# States in which a demand's category has been settled by a dispatch.
CONFIRMED_STATES = (State.DISPATCHED, State.IN_PROGRESS, State.SUSPENDED, State.RESOLVED, State.REVISITED,
                    State.CLOSED)


def demand_text(demand: Demand) -> str:
    return join_text(demand.title, demand.description)


def suggest(demand: Demand) -> Suggestion | None:
    """The active model's top suggestions for ``demand``, stored once per model version;
    None when no model is active."""
    found = registry.active()
    if found is None:
        return None
    entry, router = found
    stored = Suggestion.objects.filter(demand=demand).first()
    if stored is not None and stored.model_version == entry.version:
        return stored
    stored, _created = Suggestion.objects.update_or_create(demand=demand, defaults={
        "model_version": entry.version, "top": _top(router, demand), "created_at": clock.now()})
    return stored


def ranked(router, text: str, k: int = TOP_K) -> list[tuple[str, float]]:
    """The ``k`` likeliest categories for ``text`` with their probabilities, at the leaf level
    where the model has learnt leaves.

    P(leaf) = P(top level) · P(leaf | top level): the top level from the main model (trained on
    the shared data and the deployment's demands), the share of each leaf within its top level
    from the leaf model (trained on dispatchers' own decisions), renormalised over the leaves it
    knows under that top level.  A top level with no learnt leaf stays a suggestion of its own,
    so the probabilities still sum to one over everything suggestable."""
    tops = router.predict_proba(text)
    leaves = getattr(router, "leaves", None)
    if leaves is None:
        return router.top(text, k)
    by_top: dict[str, list[tuple[str, float]]] = {}
    for code, q in leaves.predict_proba(text).items():
        parent = leaves.parents.get(code)
        if parent in tops:
            by_top.setdefault(parent, []).append((code, q))
    out: list[tuple[str, float]] = []
    for top_code, p in tops.items():
        children = by_top.get(top_code)
        total = math.fsum(q for _c, q in children) if children else 0.0
        if total <= 0:
            out.append((top_code, p))
        else:
            out.extend((code, p * q / total) for code, q in children)
    out.sort(key=lambda row: -row[1])
    return out[:k]


def _top(router, demand: Demand) -> list[list]:
    return [[code, round(p, 6)] for code, p in ranked(router, demand_text(demand), TOP_K)]


def suggest_new(demands) -> None:
    """``suggest`` for demands just registered (none has a suggestion yet), written at once."""
    found = registry.active()
    if found is None or not demands:
        return
    entry, router = found
    now = clock.now()
    Suggestion.objects.bulk_create([
        Suggestion(demand=demand, model_version=entry.version, created_at=now, top=_top(router, demand))
        for demand in demands])


def auto_dispatch(demand: Demand) -> Demand | None:
    """Dispatch a waiting demand as the system when the first suggestion reaches the configured
    threshold; returns the dispatched demand, or None when a dispatcher must decide."""
    threshold = settings.MINSHENG_AUTO_DISPATCH_THRESHOLD
    if threshold is None or demand.state != State.PENDING_DISPATCH:
        return None
    suggestion = suggest(demand)
    if suggestion is None or suggestion.best is None:
        return None
    code, score = suggestion.best
    if score < threshold:
        return None
    predicted = Category.objects.filter(code=code, active=True).first()
    if predicted is None:
        return None
    current = demand.category
    if current is not None and not _within(predicted, current):
        return None  # intake chose another category: a person settles the disagreement
    routing = {"model_version": suggestion.model_version, "score": round(score, 4), "category": code,
               "threshold": threshold}
    try:
        note = _("系统按智能分类自动派单（模型 %(version)s，置信度 %(percent)d%%）") % {
            "version": suggestion.model_version, "percent": round(score * 100)}
        return demand_services.dispatch_demand(
            SYSTEM, demand.pk, demand.version, category=None if current == predicted else predicted,
            routing=routing, note=note)
    except MinshengError as exc:  # e.g. no unit in the dispatch catalogue: left to the dispatcher
        log.info("automatic dispatch of %s left to a dispatcher: %s", demand.number, exc.message)
        return None


def _within(category: Category, ancestor: Category) -> bool:
    """Whether ``category`` is ``ancestor`` or lies under it in the catalogue."""
    return category.pk == ancestor.pk or category.path.startswith(f"{ancestor.path}.")


def record_correction(demand: Demand, event: DemandEvent) -> Correction | None:
    """After a person's dispatch: store the category they chose when the model's first suggestion
    is not it (compared at the level the model suggested: a leaf, or the top level of a model
    without leaves)."""
    suggestion = Suggestion.objects.filter(demand=demand).first()
    chosen = demand.category
    if suggestion is None or suggestion.best is None or chosen is None:
        return None
    best = suggestion.best[0]
    suggested = Category.objects.filter(code=best).first()
    if suggested is not None and suggested.parent_id is None:
        chosen_at_level = top_level_of(chosen)
        if chosen_at_level is not None and chosen_at_level.code == best:
            return None
    elif chosen.code == best:
        return None
    return Correction.objects.create(demand=demand, text=demand_text(demand), suggested=best,
                                     chosen=chosen, model_version=suggestion.model_version,
                                     actor=event.actor, created_at=clock.now())


def on_registered(demands) -> None:
    """For demands just registered, one by one or in a batch: their fingerprints and suggestions."""
    duplicates.index_demands(demands)
    suggest_new(demands)


def on_transition(demand: Demand, event: DemandEvent) -> None:
    """Called inside every transition's transaction (see handlers.py)."""
    if event.action == "register":
        on_registered([demand])
        return
    duplicates.on_state_change(demand, event.from_state, event.to_state)
    if event.action == "verify":
        if auto_dispatch(demand) is not None:
            demand.refresh_from_db()  # the caller holds this object; it is dispatched now
    elif event.action == "dispatch" and event.actor_role != SYSTEM_ROLE:
        record_correction(demand, event)


def leaf_training_rows_from_demands() -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(text, leaf category code) for every demand a dispatch settled at a category below the top
    level, corrections taking precedence; and each leaf's top-level code."""
    tops = {c.pk: c.code for c in Category.objects.filter(parent__isnull=True)}
    leaves = {c.pk: c for c in Category.objects.exclude(parent__isnull=True)}
    rows: dict[int, tuple[str, str]] = {}
    qs = Demand.objects.filter(Q(state__in=CONFIRMED_STATES), category__parent__isnull=False).values_list(
        "pk", "title", "description", "category_id")
    for pk, title, description, category_id in qs.iterator(chunk_size=2000):
        rows[pk] = (join_text(title, description), leaves[category_id].code)
    for correction in Correction.objects.filter(chosen__parent__isnull=False).order_by("created_at"):
        rows[correction.demand_id] = (correction.text, leaves[correction.chosen_id].code)
    parents = {c.code: tops[int(c.path.split(".")[0])] for c in leaves.values()}
    return list(rows.values()), parents


def training_rows_from_demands() -> list[tuple[str, str]]:
    """(text, top-level category code) for every demand whose category a dispatch settled, and
    for every correction (a corrected demand counts once, with the category the person chose)."""
    tops = {c.pk: c.code for c in Category.objects.filter(parent__isnull=True)}
    rows: dict[int, tuple[str, str]] = {}
    qs = Demand.objects.filter(Q(state__in=CONFIRMED_STATES), category__isnull=False).values_list(
        "pk", "title", "description", "category__path")
    for pk, title, description, path in qs.iterator(chunk_size=2000):
        code = tops.get(int(path.split(".")[0]))
        if code:
            rows[pk] = (join_text(title, description), code)
    for correction in Correction.objects.select_related("chosen").order_by("created_at"):
        top = top_level_of(correction.chosen)
        rows[correction.demand_id] = (correction.text, top.code)
    return list(rows.values())


@dataclass
class TextSuggestion:
    category: Category
    percent: int | None  # the router's confidence in its top level; None: found by keywords alone


def suggest_for_text(text: str, limit: int = 2) -> list[TextSuggestion]:
    """Categories for a description still being typed (the resident's form): the active model's
    likeliest leaves (``ranked``; a model without leaves gives top levels, each narrowed to the
    child whose keywords the text names); without a model, the keywords alone.  Nothing is stored."""
    text = (text or "").strip()
    if len(text) < 4:
        return []
    by_keywords = categories_in_text(text)
    found = registry.active()
    out: list[TextSuggestion] = []
    if found is not None:
        _entry, router = found
        suggested = ranked(router, text, TOP_K)
        known = Category.objects.filter(active=True).in_bulk([code for code, _p in suggested], field_name="code")
        for code, p in suggested:
            category = known.get(code)
            if category is None or p < 0.2:
                continue
            if category.parent_id is None:  # a model without leaves: narrowed by the text's keywords
                category = next((c for c, _n in by_keywords if c.parent_id == category.pk), category)
            out.append(TextSuggestion(category, round(p * 100)))
    if not out:
        out = [TextSuggestion(c, None) for c, _n in by_keywords]
    seen, unique = set(), []
    for s in out:
        if s.category.pk not in seen:
            seen.add(s.category.pk)
            unique.append(s)
    return unique[:limit]
