"""The dispatch catalogue (category × region → unit) and the default catalogue every
installation starts with.

The world's rules: 城乡建设 → 住建局 (whole district), 道路与市政设施 → 城管局 (whole
district), 环境保护 in 玫瑰城 → 玫瑰城居委会.
"""

import pytest

from minsheng.catalogue.models import Category, DemandType, DispatchRule, TimeLimitPolicy
from minsheng.catalogue.selectors import responsible_unit
from minsheng.core.errors import ValidationFailed
from minsheng.demands import services
from minsheng.demands.models import Demand, DemandEvent
from tests.demands.helpers import bring_to


def cat(code) -> Category:
    return Category.objects.get(code=code)


def rule(world, category, unit, region=None) -> DispatchRule:
    return DispatchRule.objects.create(category=cat(category), unit=world.units[unit],
                                       region=world.regions[region] if region else None)


# --- responsible_unit -----------------------------------------------------------------

def test_rule_on_the_category_itself_wins_over_its_parent(world):
    assert responsible_unit(cat("construction.roads"), world.regions["g1"]) == world.units["cg"]


def test_parent_category_rule_applies_to_children_without_their_own(world):
    assert responsible_unit(cat("construction.property"), world.regions["g1"]) == world.units["zj"]
    assert responsible_unit(cat("construction"), world.regions["g2"]) == world.units["zj"]


def test_deeper_category_beats_deeper_region(world):
    # A street-level rule on the parent category loses to a district-wide rule on the child.
    rule(world, "construction", "so1", region="s1")
    assert responsible_unit(cat("construction.roads"), world.regions["g1"]) == world.units["cg"]
    assert responsible_unit(cat("construction.property"), world.regions["g1"]) == world.units["so1"]


def test_deepest_region_wins_for_the_same_category(world):
    rule(world, "construction.property", "so1", region="s1")
    rule(world, "construction.property", "cc1", region="c1")
    assert responsible_unit(cat("construction.property"), world.regions["g1"]) == world.units["cc1"]
    assert responsible_unit(cat("construction.property"), world.regions["g1b"]) == world.units["cc1"]
    assert responsible_unit(cat("construction.property"), world.regions["s1"]) == world.units["so1"]


def test_district_wide_rule_applies_where_no_regional_rule_matches(world):
    rule(world, "construction.property", "so1", region="s1")
    assert responsible_unit(cat("construction.property"), world.regions["g2"]) == world.units["zj"]


def test_regional_rule_does_not_reach_other_regions(world):
    assert responsible_unit(cat("environment.noise"), world.regions["g1"]) == world.units["cc1"]
    assert responsible_unit(cat("environment.noise"), world.regions["c1"]) == world.units["cc1"]
    assert responsible_unit(cat("environment.noise"), world.regions["g2"]) is None
    assert responsible_unit(cat("environment.noise"), world.regions["s1"]) is None  # above the rule's region


def test_inactive_unit_is_skipped_for_the_next_best_rule(world):
    world.units["cg"].active = False
    world.units["cg"].save()
    assert responsible_unit(cat("construction.roads"), world.regions["g1"]) == world.units["zj"]
    world.units["zj"].active = False
    world.units["zj"].save()
    assert responsible_unit(cat("construction.roads"), world.regions["g1"]) is None


def test_no_rule_or_no_category_gives_none(world):
    assert responsible_unit(cat("health.medical"), world.regions["g1"]) is None
    assert responsible_unit(None, world.regions["g1"]) is None


# --- dispatch_demand through the catalogue --------------------------------------------

def test_dispatch_without_a_unit_uses_the_catalogue(world):
    demand = bring_to(world, "dispatched", category="construction.roads")
    assert demand.handling_unit == world.units["cg"]
    assert demand.handle_due is not None and demand.contact_due is not None


def test_dispatch_uses_a_regional_rule(world):
    demand = bring_to(world, "dispatched", category="environment.noise", region="g1b")
    assert demand.handling_unit == world.units["cc1"]


def test_dispatch_with_a_corrected_category_routes_by_the_new_category(world):
    demand = bring_to(world, "pending_dispatch", category="construction.roads")
    demand = services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version,
                                      category="construction.property")
    demand.refresh_from_db()
    assert demand.handling_unit == world.units["zj"]
    assert demand.category.code == "construction.property"


def test_dispatch_with_an_explicit_unit_ignores_the_catalogue(world):
    demand = bring_to(world, "pending_dispatch", category="construction.roads")
    services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version, unit="so1")
    assert Demand.objects.get(pk=demand.pk).handling_unit == world.units["so1"]


def test_dispatch_without_a_matching_rule_asks_for_a_unit_and_changes_nothing(world):
    demand = bring_to(world, "pending_dispatch", category="health.medical")
    events = DemandEvent.objects.filter(demand=demand).count()
    with pytest.raises(ValidationFailed) as info:
        services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version)
    assert list(info.value.field_errors) == ["unit"]
    assert "请选择承办单位" in info.value.message
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.state == "pending_dispatch"
    assert stored.handling_unit is None
    assert DemandEvent.objects.filter(demand=demand).count() == events


def test_dispatch_of_an_uncategorised_demand_asks_for_a_unit(world):
    demand = bring_to(world, "pending_dispatch", category=None)
    with pytest.raises(ValidationFailed) as info:
        services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version)
    assert list(info.value.field_errors) == ["unit"]


def test_dispatch_when_the_catalogue_unit_is_inactive_asks_for_a_unit(world):
    demand = bring_to(world, "pending_dispatch", category="environment.noise", region="g1")
    world.units["cc1"].active = False
    world.units["cc1"].save()
    with pytest.raises(ValidationFailed) as info:
        services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version)
    assert list(info.value.field_errors) == ["unit"]


# --- the default catalogue ------------------------------------------------------------

@pytest.mark.django_db
def test_default_demand_types():
    assert list(DemandType.objects.values_list("code", "name")) == [
        ("consultation", "咨询"), ("help", "求助"), ("complaint", "投诉"), ("report", "举报"),
        ("suggestion", "建议"), ("praise", "表扬")]
    assert DemandType.objects.filter(active=True).count() == 6


@pytest.mark.django_db
def test_default_categories_are_seven_top_levels_each_with_children():
    tops = list(Category.objects.filter(parent=None))
    assert [c.name for c in tops] == ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游",
                                      "卫生计生"]
    for top in tops:
        children = list(top.children.all())
        assert children, top.name
        for child in children:
            assert child.code.startswith(top.code + ".")
            assert child.path.startswith(top.path)
            assert (top.depth, child.depth) == (0, 1)
    assert Category.objects.filter(depth__gt=1).count() == 0


@pytest.mark.django_db
def test_default_time_limit_policies_are_the_beijing_defaults():
    rows = list(TimeLimitPolicy.objects.values_list("code", "handle_amount", "handle_unit", "contact_hours"))
    assert rows == [
        ("danger", 2, "hours", 2),
        ("utilities", 24, "hours", 24),
        ("general", 7, "workdays", 24),
        ("complex", 15, "workdays", 24),
    ]
