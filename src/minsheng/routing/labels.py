"""Category labels as the model knows them: top-level category codes of the catalogue.

Training files may name a category by its code or its Chinese or English name (the shared
complaint data uses the Chinese names of the seven top-level categories)."""

from minsheng.catalogue.defaults import CATEGORIES
from minsheng.catalogue.models import Category


def top_level_codes() -> dict[str, str]:
    """Every accepted spelling of a top-level category → its code (the catalogue's names
    first, the built-in defaults for codes an administrator has not renamed)."""
    names: dict[str, str] = {}
    for code, name, name_en, _keywords, _children in CATEGORIES:
        names.update({code: code, name: code, name_en.lower(): code})
    for code, name, name_en in Category.objects.filter(parent__isnull=True).values_list("code", "name", "name_en"):
        names.update({code: code, name: code})
        if name_en:
            names[name_en.lower()] = code
    return names


def label_to_code(label: str, names: dict[str, str] | None = None) -> str | None:
    """The top-level category code for ``label``, or None when no category is called that."""
    names = names if names is not None else top_level_codes()
    label = (label or "").strip()
    return names.get(label) or names.get(label.lower())


def top_level_of(category: Category | None) -> Category | None:
    """The top-level category above ``category`` (itself when it is one)."""
    if category is None:
        return None
    if category.parent_id is None:
        return category
    first = int(category.path.split(".")[0])
    return Category.objects.filter(pk=first).first()
