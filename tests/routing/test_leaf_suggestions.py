"""Suggestions at the leaf category (issue #33 item 1): P(leaf) = P(top) · P(leaf | top), the
unit the dispatch catalogue names for it, one click to apply, and the leaf level learnt from
dispatchers' decisions by train_router --from-demands."""

import math
import random
from io import StringIO

import pytest
from django.core.management import call_command

from minsheng.demands import services as demand_services
from minsheng.demands.workflow import State
from minsheng.demo.texts import category_codes, compose_demand
from minsheng.routing import registry
from minsheng.routing.classifier import Router, file_sha256, recommended_config
from minsheng.routing.models import RouterModel, Suggestion
from minsheng.routing.services import ranked
from minsheng.routing.text import join_text

from ..demands.helpers import bring_to
from .conftest import PLACES, generated_rows

GARBAGE = {"title": "小区垃圾堆放多日无人清运",
           "description": "我们小区3号楼旁边的垃圾桶已经满了好几天，垃圾堆在地上没人清运，天热臭味很大，"
                          "还招来很多苍蝇，希望尽快安排清运。",
           "category": None}


def leaf_rows(n_per_leaf: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [(join_text(d.title, d.description), leaf) for leaf in category_codes() for _ in range(n_per_leaf)
            for d in [compose_demand(rng, leaf, rng.choice(PLACES))]]


@pytest.fixture(scope="module")
def two_level_file(tmp_path_factory):
    rows = generated_rows(6, seed=1)
    router = Router(recommended_config(calib_folds=3)).fit([t for t, _ in rows], [y for _, y in rows])
    leaves = leaf_rows(6, seed=5)
    router.leaves = Router(recommended_config(calib_folds=3)).fit([t for t, _ in leaves], [y for _, y in leaves])
    router.leaves.parents = {code: code.split(".")[0] for code in router.leaves.classes_}
    path = tmp_path_factory.mktemp("models") / "two-level.joblib"
    router.save(path)
    return path


@pytest.fixture
def two_level_model(db, two_level_file):
    return registry.register(Router.load(two_level_file), two_level_file, file_sha256(two_level_file), activate=True)


def test_leaf_probabilities_are_shares_of_their_top_level_and_sum_to_one(two_level_file):
    router = Router.load(two_level_file)
    rng = random.Random(9)
    for leaf in rng.sample(category_codes(), 8):
        d = compose_demand(rng, leaf, rng.choice(PLACES))
        text = join_text(d.title, d.description)
        everything = ranked(router, text, k=1000)
        assert math.fsum(p for _c, p in everything) == pytest.approx(1.0)
        assert all(0.0 <= p <= 1.0 for _c, p in everything)
        tops = router.predict_proba(text)
        for code, p in everything:
            assert "." in code  # every top level of the generator has learnt leaves
            assert p <= tops[code.split(".")[0]] + 1e-12
        under = {}
        for code, p in everything:
            under[code.split(".")[0]] = under.get(code.split(".")[0], 0.0) + p
        assert under == pytest.approx(tops)
        assert ranked(router, text, k=3) == everything[:3]


def test_a_leaf_suggestion_names_the_catalogues_unit_and_one_click_dispatches_to_it(world, client, two_level_model):
    demand = bring_to(world, "pending_dispatch", **GARBAGE)
    best_code, best_p = Suggestion.objects.get(demand=demand).best
    assert best_code.startswith("environment.")
    client.force_login(world.users["dispatcher1"])
    html = client.get(f"/work/demands/{demand.pk}/").content.decode()
    assert f"置信度 {round(best_p * 100)}%" in html and "派单目录：" in html
    assert f'name="category" value="{best_code}"' in html and "采用并派给" in html
    # The button's form: the leaf and the catalogue's unit for it in the demand's region.
    from minsheng.catalogue.models import Category
    from minsheng.catalogue.selectors import responsible_unit
    unit = responsible_unit(Category.objects.get(code=best_code), demand.region)
    response = client.post(f"/work/demands/{demand.pk}/dispatch/",
                           {"version": demand.version, "category": best_code, "unit": unit.pk, "urgency": ""})
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.state == State.DISPATCHED and demand.category.code == best_code and demand.handling_unit == unit


def test_a_model_without_leaves_still_suggests_top_levels(world, active_model):
    demand = bring_to(world, "pending_dispatch", **GARBAGE)
    assert Suggestion.objects.get(demand=demand).best[0] == "environment"


def test_train_from_demands_learns_leaves_from_dispatch_decisions(world, tmp_path, settings):
    settings.MINSHENG_MODELS_DIR = tmp_path / "models"
    rng = random.Random(3)
    chosen = ["environment.waste", "environment.noise", "construction.roads"]
    for leaf in chosen:
        for _ in range(4):
            d = compose_demand(rng, leaf, rng.choice(PLACES))
            demand = bring_to(world, "pending_dispatch", title=d.title, description=d.description, category=None)
            demand_services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version, category=leaf,
                                            unit=world.units["cg"])
    out = StringIO()
    call_command("train_router", "--from-demands", "--out", "own.joblib", "--activate", "--calib-folds", "0",
                 stdout=out)
    assert "leaf level: 3 leaf categories from 12 dispatched demands" in out.getvalue()
    entry = RouterModel.objects.get(active=True)
    assert entry.training["leaves"] == 3
    router = registry.active()[1]
    assert sorted(router.leaves.classes_) == sorted(chosen)
    assert router.leaves.parents == {"environment.waste": "environment", "environment.noise": "environment",
                                     "construction.roads": "construction"}
    d = compose_demand(rng, "environment.noise", rng.choice(PLACES))
    assert ranked(router, join_text(d.title, d.description), 1)[0][0] == "environment.noise"


@pytest.mark.parametrize(("p", "shown"), [(0.0, "0"), (0.001, "<1"), (0.0049, "<1"), (0.005, "<1"), (0.426, "43"),
                                          (1.0, "100")])
def test_a_tiny_probability_reads_below_one_percent_not_zero(p, shown):
    from minsheng.routing.selectors import ShownSuggestion
    assert ShownSuggestion(category=None, probability=p).percent_text == shown
