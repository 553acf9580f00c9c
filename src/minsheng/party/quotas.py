"""Yearly quotas of the party structure: each grassroots organisation does at least N practical
things (办实事) a year, each member claims at least M wishes a year (both configurable).

Practical things are done in several apps (wishes fulfilled by an organisation, items of the
yearly list ticked off, …); each app registers a *source* that counts its own per organisation,
and the boards add the sources up, so one quota has one figure wherever it is shown."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings

# A source: (organisation ids, year) -> {organisation id: practical things done that year}.
PracticalThingSource = Callable[[list[int], int], dict[int, int]]
_SOURCES: dict[str, PracticalThingSource] = {}


def register_practical_thing_source(name: str, source: PracticalThingSource) -> None:
    """Count ``source``'s practical things towards the organisations' quota (from AppConfig.ready)."""
    _SOURCES[name] = source


def organisation_quota() -> int:
    return settings.MINSHENG_PARTY_QUOTAS["organisation_practical_things"]


def member_quota() -> int:
    return settings.MINSHENG_PARTY_QUOTAS["member_wish_claims"]


@dataclass(frozen=True)
class QuotaProgress:
    organisation_id: int
    done: int
    required: int
    by_source: dict[str, int]

    @property
    def met(self) -> bool:
        return self.done >= self.required


def practical_things_progress(organisation_ids: Iterable[int], year: int) -> dict[int, QuotaProgress]:
    """Each organisation's practical things done in ``year`` against the quota, per source."""
    ids = list(organisation_ids)
    per_source = {name: source(ids, year) for name, source in _SOURCES.items()}
    total: Counter[int] = Counter()
    for counts in per_source.values():
        total.update(counts)
    required = organisation_quota()
    return {i: QuotaProgress(i, total[i], required, {n: c.get(i, 0) for n, c in per_source.items()})
            for i in ids}
