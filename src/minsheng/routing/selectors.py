"""Reads for the pages: suggestions with their categories."""

from dataclasses import dataclass

from minsheng.catalogue.models import Category
from minsheng.demands.models import Demand

from .services import suggest


@dataclass(frozen=True)
class ShownSuggestion:
    category: Category
    probability: float

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


def suggestions_for(demand: Demand) -> tuple[list[ShownSuggestion], str]:
    """The active model's suggestions for ``demand`` (likeliest first) and the model version;
    ([], "") when no model is active."""
    stored = suggest(demand)
    if stored is None:
        return [], ""
    by_code = Category.objects.in_bulk([code for code, _p in stored.top], field_name="code")
    shown = [ShownSuggestion(by_code[code], float(p)) for code, p in stored.top if code in by_code]
    return shown, stored.model_version
