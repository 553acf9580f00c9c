"""Reads for the pages: suggestions with their categories and the units the catalogue names."""

from dataclasses import dataclass

from minsheng.catalogue.models import Category
from minsheng.catalogue.selectors import responsible_unit
from minsheng.demands.models import Demand
from minsheng.organisation.models import Unit

from .services import suggest


@dataclass(frozen=True)
class ShownSuggestion:
    category: Category
    probability: float
    # The unit the dispatch catalogue names for this category in the demand's region (None: none).
    unit: Unit | None = None

    @property
    def percent(self) -> int:
        return round(self.probability * 100)

    @property
    def percent_text(self) -> str:
        """"<1" rather than a "0" that would claim impossibility."""
        return "<1" if self.probability > 0 and self.percent == 0 else str(self.percent)

    @property
    def parent(self) -> Category | None:
        return self.category.parent if self.category.parent_id else None


def suggestions_for(demand: Demand) -> tuple[list[ShownSuggestion], str]:
    """The active model's suggestions for ``demand`` (likeliest first, leaves where the model knows
    them) with the unit each would go to, and the model version; ([], "") when no model is active."""
    stored = suggest(demand)
    if stored is None:
        return [], ""
    by_code = Category.objects.select_related("parent").in_bulk([code for code, _p in stored.top],
                                                               field_name="code")
    shown = [ShownSuggestion(by_code[code], float(p), responsible_unit(by_code[code], demand.region))
             for code, p in stored.top if code in by_code]
    return shown, stored.model_version
