"""The region and unit trees, and who sees which demands.

World: 望花区 → 光明街道 (s1) → 玫瑰城社区 (c1) → grids g1, g1b; 和平街道 (s2) → 雷锋社区 (c2) → g2.
"""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError

from minsheng.core.errors import NotFound
from minsheng.demands import services
from minsheng.demands.models import Demand
from minsheng.demands.selectors import demands_visible_to, get_demand_for
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.organisation.roles import Role
from tests.demands.helpers import register

# --- materialised paths ---------------------------------------------------------------


def test_children_paths_extend_their_parents(world):
    r = world.regions
    for child, parent in [("s1", "d"), ("c1", "s1"), ("g1", "c1"), ("g1b", "c1"), ("g2", "c2")]:
        assert r[child].path.startswith(r[parent].path), child
        assert r[child].path != r[parent].path
        assert r[child].depth == r[parent].depth + 1
    assert world.units["st1"].path.startswith(world.units["cc1"].path)
    assert {x.code for x in r["c1"].descendants()} == {"c1", "g1", "g1b"}
    assert [x.code for x in r["g1"].ancestors()] == ["d", "s1", "c1", "g1"]


def test_moving_a_subtree_moves_its_descendants(world):
    c1 = world.regions["c1"]
    c1.parent = world.regions["s2"]
    c1.save()

    s2 = Region.objects.get(code="s2")
    for code in ["c1", "g1", "g1b"]:
        node = Region.objects.get(code=code)
        assert node.path.startswith(s2.path), code
    assert Region.objects.get(code="g1").depth == 3
    assert {x.code for x in s2.descendants(include_self=False)} == {"c2", "g2", "c1", "g1", "g1b"}
    assert {x.code for x in Region.objects.get(code="s1").descendants(include_self=False)} == set()
    assert [x.code for x in Region.objects.get(code="g1b").ancestors()] == ["d", "s2", "c1", "g1b"]


def test_moving_a_unit_moves_the_units_below_it(world):
    cc1 = world.units["cc1"]
    cc1.parent = world.units["so2"]
    cc1.save()
    assert Unit.objects.get(code="st1").path.startswith(Unit.objects.get(code="so2").path)


def test_moving_a_subtree_changes_who_sees_its_demands(world):
    demand = register(world, region="g1")
    assert demand in demands_visible_to(world.user("dispatcher1"))
    assert demand not in demands_visible_to(world.user("dispatcher2"))

    c1 = world.regions["c1"]
    c1.parent = world.regions["s2"]
    c1.save()

    assert demand not in demands_visible_to(world.user("dispatcher1"))
    assert demand in demands_visible_to(world.user("dispatcher2"))


@pytest.mark.parametrize(("node", "new_parent"), [("s1", "g1"), ("s1", "c1"), ("c1", "c1")])
def test_a_node_cannot_move_under_itself_or_its_descendants(world, node, new_parent):
    paths = dict(Region.objects.values_list("code", "path"))
    region = world.regions[node]
    region.parent = world.regions[new_parent]
    with pytest.raises(ValidationError):
        region.save()
    assert dict(Region.objects.values_list("code", "path")) == paths
    assert Region.objects.get(code=node).parent_id != world.regions[new_parent].pk


# --- clean() --------------------------------------------------------------------------

def test_membership_region_must_lie_within_the_units_region(world):
    membership = Membership(user=world.user("nobody"), unit=world.units["cc1"], role=Role.GRID_WORKER,
                            region=world.regions["g2"])
    with pytest.raises(ValidationError) as info:
        membership.clean()
    assert "region" in info.value.message_dict

    Membership(user=world.user("nobody"), unit=world.units["cc1"], role=Role.GRID_WORKER,
               region=world.regions["g1b"]).clean()  # inside: accepted
    Membership(user=world.user("nobody"), unit=world.units["cc1"], role=Role.GRID_WORKER).clean()


@pytest.mark.parametrize(("kind", "parent", "field"), [
    ("grid", "s1", "kind"),  # skips the community level
    ("street", "c1", "kind"),  # higher than its parent
    ("district", "g1", "kind"),
    ("street", None, "parent"),  # only a district may be a root
])
def test_region_level_must_be_one_below_its_parent(world, kind, parent, field):
    region = Region(kind=kind, name="新区域", code="new", parent=world.regions.get(parent))
    with pytest.raises(ValidationError) as info:
        region.clean()
    assert field in info.value.message_dict


@pytest.mark.parametrize(("kind", "parent"), [("community", "s1"), ("building", "g1"), ("district", None)])
def test_region_one_level_below_its_parent_is_accepted(world, kind, parent):
    Region(kind=kind, name="新区域", code="new", parent=world.regions.get(parent)).clean()


# --- demands_visible_to ---------------------------------------------------------------

@dataclass
class Demands:
    roads_g1: Demand  # g1, dispatched to 城管局
    property_g1b: Demand  # g1b, dispatched to 住建局
    waiting_g1b: Demand  # g1b, not yet dispatched
    roads_g2: Demand  # g2, dispatched to 城管局
    waiting_g2: Demand  # g2, not yet dispatched
    residents_own: Demand  # g1, reported by the resident with an account, not yet dispatched


def _dispatched(world, region, category, verifier, dispatcher) -> Demand:
    demand = register(world, region=region, category=category)
    demand = services.verify_demand(world.user(verifier), demand.pk, demand.version)
    return services.dispatch_demand(world.user(dispatcher), demand.pk, demand.version)


@pytest.fixture
def demands(world) -> Demands:
    own = register(world, region="g1", category="environment.noise",
                   reporter=services.ReporterInput(name="王奎", phone="138-1234-1234"))
    assert own.reporter.user == world.users["resident"]
    return Demands(
        roads_g1=_dispatched(world, "g1", "construction.roads", "staff1", "dispatcher1"),
        property_g1b=_dispatched(world, "g1b", "construction.property", "staff1", "dispatcher1"),
        waiting_g1b=register(world, region="g1b"),
        roads_g2=_dispatched(world, "g2", "construction.roads", "staff2", "dispatcher2"),
        waiting_g2=register(world, region="g2"),
        residents_own=own,
    )


def visible(world, demands, who) -> set[str]:
    pks = set(demands_visible_to(world.user(who)).values_list("pk", flat=True))
    return {name for name, demand in vars(demands).items() if demand.pk in pks}



ALL = {"roads_g1", "property_g1b", "waiting_g1b", "roads_g2", "waiting_g2", "residents_own"}
IN_S1 = {"roads_g1", "property_g1b", "waiting_g1b", "residents_own"}


EXPECTED_VISIBILITY = {
    "handler_cg": {"roads_g1", "roads_g2"},
    "handler_zj": {"property_g1b"},
    "staff1": IN_S1,
    "staff2": {"roads_g2", "waiting_g2"},
    "gridworker": {"roads_g1", "residents_own"},  # membership narrowed to grid g1
    "agent": {"roads_g1", "residents_own"},  # a station in grid g1
    "dispatcher1": IN_S1,
    "dispatcher2": {"roads_g2", "waiting_g2"},
    "operator": ALL,
    "dispatcher": ALL,
    "leader": ALL,
    "auditor": ALL,
    "resident": {"residents_own"},
    "nobody": set(),
}


def test_each_role_sees_its_own_demands(world, demands):
    # One fixture for all roles keeps this fast; the dict diff names the role that differs.
    assert {who: visible(world, demands, who) for who in EXPECTED_VISIBILITY} == EXPECTED_VISIBILITY


def test_the_administrator_role_sees_everything(world, demands):
    assert visible(world, demands, "admin") == ALL


def test_a_department_sees_a_demand_only_once_it_is_dispatched_to_it(world):
    demand = register(world, region="g1", category="construction.roads")
    handler = world.user("handler_cg")
    assert not demands_visible_to(handler).filter(pk=demand.pk).exists()
    demand = services.verify_demand(world.user("staff1"), demand.pk, demand.version)
    services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version)
    assert demands_visible_to(world.user("handler_cg")).filter(pk=demand.pk).exists()
    assert not demands_visible_to(world.user("handler_zj")).filter(pk=demand.pk).exists()


def test_a_superuser_without_membership_sees_everything(world, demands):
    user = world.user("nobody")
    user.is_superuser = True
    user.save()
    assert visible(world, demands, "nobody") == ALL


def test_an_inactive_membership_or_user_sees_nothing(world, demands):
    Membership.objects.filter(user=world.users["staff1"]).update(active=False)
    assert visible(world, demands, "staff1") == set()
    world.users["operator"].is_active = False
    world.users["operator"].save()
    assert visible(world, demands, "operator") == set()


def test_anonymous_sees_nothing(world, demands):
    assert not demands_visible_to(None).exists()


def test_grid_worker_does_not_see_another_grids_demand_dispatched_to_the_committee(world):
    demand = _dispatched(world, "g1b", "environment.noise", "staff1", "dispatcher1")
    assert demand.handling_unit == world.units["cc1"]
    assert demand in demands_visible_to(world.user("staff1"))
    assert demand not in demands_visible_to(world.user("gridworker"))


# --- get_demand_for -------------------------------------------------------------------

def test_get_demand_for_returns_a_demand_in_scope(world, demands):
    assert get_demand_for(world.user("staff2"), demands.roads_g2.pk) == demands.roads_g2
    assert get_demand_for(world.user("resident"), demands.residents_own.pk) == demands.residents_own


def test_out_of_scope_and_missing_demands_are_indistinguishable(world, demands):
    missing_pk = Demand.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with pytest.raises(NotFound) as out_of_scope:
        get_demand_for(world.user("staff1"), demands.roads_g2.pk)
    with pytest.raises(NotFound) as missing:
        get_demand_for(world.user("staff1"), missing_pk)
    assert out_of_scope.value.message == missing.value.message
    assert out_of_scope.value.status == missing.value.status == 404


def test_malformed_demand_id_is_not_found(world, demands):
    for bad_id in ["abc", None, ""]:
        with pytest.raises(NotFound):
            get_demand_for(world.user("operator"), bad_id)


def test_others_cannot_open_a_demand(world, demands):
    assert get_demand_for(world.user("handler_cg"), demands.roads_g1.pk) == demands.roads_g1
    for who in ["resident", "nobody", "handler_zj", "staff2", "dispatcher2"]:
        with pytest.raises(NotFound):
            get_demand_for(world.user(who), demands.roads_g1.pk)
