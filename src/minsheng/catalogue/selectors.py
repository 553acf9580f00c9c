"""Reads of the catalogue."""

from django.db.models import Q

from minsheng.core import versioned
from minsheng.organisation.models import Region, Unit

from .models import Category, DispatchRule


def _path_ids(path: str) -> list[int]:
    return [int(p) for p in path.split(".") if p]


def responsible_unit(category: Category | None, region: Region) -> Unit | None:
    """The unit the dispatch catalogue names for this category and region (``dispatch_rule``)."""
    rule = dispatch_rule(category, region)
    return rule.unit if rule else None


def dispatch_rule(category: Category | None, region: Region) -> DispatchRule | None:
    """The rule of the dispatch catalogue for this category and region: its unit and time limit.

    A rule matches when its category is the demand's category or an ancestor of it and
    its region is the demand's region, an ancestor of it, or blank (the whole district).
    The most specific match wins: the deepest category first, then the deepest region.
    """
    if category is None:
        return None
    rules = (
        DispatchRule.objects.filter(category_id__in=_path_ids(category.path), unit__active=True)
        .filter(Q(region__isnull=True) | Q(region_id__in=_path_ids(region.path)))
        .select_related("category", "region", "unit", "time_limit")
    )
    rule = max(rules, key=lambda r: (r.category.depth, r.region.depth if r.region else -1), default=None)
    if rule is not None and rule.to_estate_property:
        company = estate_property_company(region)
        if company is not None:
            rule.unit = company  # this loaded rule answers for this region: the estate's company
    return rule


def estate_property_company(region: Region) -> Unit | None:
    """The active property company of the estate ``region`` lies in (the region itself, or its
    estate ancestor), or None outside estates and where the estate has no company."""
    from minsheng.grids.models import Estate

    estate = (Estate.objects.filter(region_id__in=_path_ids(region.path), property_company__active=True)
              .select_related("property_company").first())
    return estate.property_company if estate else None


def service_categories():
    """The categories a demand can be filed under from outside (Open311's services): the
    leaves of the tree, and a top level with no active children."""
    return (Category.objects.filter(active=True).filter(Q(depth__gt=0) | ~Q(children__active=True))
            .select_related("parent").distinct().order_by("path"))


# Words residents use → the words a catalogue uses for the same thing (both ways where it helps):
# a search for "井盖" also finds a category named or tagged "窨井".  A deployment's own words go in
# a category's keywords; these are the common ones every catalogue needs.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "井盖": ("窨井", "检查井", "下水井", "市政设施"),
    "窨井": ("井盖", "检查井"),
    "下水道": ("排水", "污水", "管道", "堵塞"),
    "堵了": ("堵塞", "排水"),
    "路灯": ("照明", "市政设施"),
    "坑": ("坑洼", "路面"),
    "噪音": ("噪声", "扰民"),
    "吵": ("噪声", "噪音", "扰民"),
    "垃圾": ("清运", "垃圾清运"),
    "没水": ("停水", "供水"),
    "没电": ("停电", "供电"),
    "暖气": ("供暖", "采暖"),
    "不热": ("供暖", "暖气"),
    "电梯": ("物业", "加装电梯"),
    "停车": ("车位", "占道"),
    "乱停": ("停车", "占道"),
    "工资": ("欠薪", "劳务费"),
    "老人": ("养老", "居家养老"),
    "油烟": ("餐饮", "异味"),
    "树": ("树木", "绿化", "修剪"),
}


def _terms(text: str) -> list[str]:
    words = [w for w in (text or "").replace("，", " ").replace(",", " ").split() if w]
    terms = list(words)
    for word in words:
        for key, synonyms in SYNONYMS.items():
            if key in word or (word in key and len(word) >= 2):
                terms.extend((key, *synonyms))
    return list(dict.fromkeys(terms))


def _category_rows() -> list[tuple[Category, str, str]]:
    """Active categories with the text a search looks at (name, English name, keywords)."""
    def load():
        rows = []
        for c in Category.objects.filter(active=True).select_related("parent").order_by("path"):
            rows.append((c, f"{c.name} {c.parent.name if c.parent_id else ''}", f"{c.keywords} {c.name_en}".lower()))
        return rows
    return versioned.cached("catalogue.search_rows", load)


def search_categories(text: str, limit: int = 8) -> list[Category]:
    """Active categories a resident's search words (or their common synonyms, ``SYNONYMS``) name,
    in their names or keywords; best first (a leaf before its top level at equal score)."""
    terms = _terms(text.strip())
    if not terms:
        return []
    scored = []
    for category, names, keywords in _category_rows():
        score = 0
        for i, term in enumerate(terms):
            weight = 2 if i == 0 else 1  # the word typed counts more than a synonym of it
            if term in names:
                score += 3 * weight
            if term.lower() in keywords.split() or term.lower() in keywords:
                score += 2 * weight
        if score:
            scored.append((-score, -category.depth, category.path, category))
    scored.sort(key=lambda row: row[:3])
    return [row[3] for row in scored[:limit]]


def categories_in_text(text: str) -> list[tuple[Category, int]]:
    """Categories whose keywords (or the catalogue words for the resident's words, ``SYNONYMS``)
    occur in a description, with how many: the detail the router's top-level suggestion lacks."""
    text = (text or "").lower()
    if not text:
        return []
    meant = {s for key, synonyms in SYNONYMS.items() if key in text for s in synonyms}
    found = []
    for category, _names, keywords in _category_rows():
        hits = sum(1 for w in set(keywords.split()) if len(w) >= 2 and (w in text or w in meant))
        if hits:
            found.append((category, hits))
    return sorted(found, key=lambda row: (-row[1], -row[0].depth, row[0].path))
