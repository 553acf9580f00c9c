"""Tests for the demo's generated citizen demands (pure Python, no database)."""

import random
import re
from collections import Counter

import pytest

from minsheng.demo import texts
from minsheng.demo.texts import DemandText, category_codes, compose_demand

LEAF_CODES = [
    "construction.property", "construction.old_estate", "construction.roads", "construction.utilities",
    "construction.illegal_building", "construction.housing",
    "environment.noise", "environment.waste", "environment.water", "environment.air", "environment.greening",
    "transport.bus", "transport.parking", "transport.traffic", "transport.taxi",
    "education.enrolment", "education.campus_safety", "education.facilities", "education.training",
    "labour.wages", "labour.insurance", "labour.elderly", "labour.assistance", "labour.employment",
    "commerce.consumer", "commerce.market_order", "commerce.prices", "commerce.tourism",
    "health.medical", "health.vaccination", "health.food_safety", "health.family_planning",
]

FIXED_PLACES = [
    "和平街道玫瑰城社区5号楼",
    "建设路与光明街交叉口",
    "光明街道雷锋社区",
    "幸福里小区3号楼",
    "望花区新华街道东风社区12号楼2单元",
    "抚顺城区人民路",
]

STREETS = ["和平街道", "光明街道", "新华街道", "建设街道", "站前街道", "东洲街道"]
COMMUNITIES = ["玫瑰城社区", "雷锋社区", "东风社区", "幸福里社区", "长青社区", "向阳社区", "丽景社区"]


def random_place(rng: random.Random) -> str:
    """A place phrase the way the demo seeder builds them: building, estate or road level."""
    kind = rng.random()
    if kind < 0.6:
        return f"{rng.choice(STREETS)}{rng.choice(COMMUNITIES)}{rng.randint(1, 30)}号楼"
    if kind < 0.8:
        return f"{rng.choice(STREETS)}{rng.choice(COMMUNITIES)}"
    roads = ["建设路", "光明街", "人民路", "新华街", "解放路", "抚顺街"]
    first, second = rng.sample(roads, 2)
    return f"{first}与{second}交叉口"


def sample(n: int, seed: int = 2024) -> list[DemandText]:
    rng = random.Random(seed)
    codes = category_codes()
    return [compose_demand(rng, rng.choice(codes), random_place(rng)) for _ in range(n)]


def assert_valid(demand: DemandText, place: str) -> None:
    assert isinstance(demand, DemandText)
    assert demand.demand_type in texts.DEMAND_TYPES
    assert demand.urgency in texts.URGENCIES
    assert 0 < len(demand.title) <= 40, demand.title
    assert 60 <= len(demand.description) <= 400, demand.description
    assert place in demand.title or place in demand.description
    # No unrendered template syntax or sentinel may leak into the text.
    for text in (demand.title, demand.description):
        assert not re.search(r"[{}\[\]|\x00]", text), text
        assert "，，" not in text and "。。" not in text, text


def test_category_codes_are_exactly_the_catalogue_leaves():
    assert category_codes() == LEAF_CODES


def test_category_codes_returns_a_fresh_list():
    codes = category_codes()
    codes.clear()
    assert category_codes() == LEAF_CODES


def test_every_leaf_has_at_least_four_templates():
    for code in LEAF_CODES:
        assert len(texts._TEMPLATES[code]) >= 4, code


def test_every_template_mentions_the_place_in_its_description():
    for code, templates in texts._TEMPLATES.items():
        for template in templates:
            assert "{place}" in template.description, (code, template.title)


@pytest.mark.parametrize("code", LEAF_CODES)
def test_every_leaf_produces_valid_demands(code):
    rng = random.Random(code)
    for i in range(300):
        place = FIXED_PLACES[i % len(FIXED_PLACES)]
        assert_valid(compose_demand(rng, code, place), place)


def test_every_template_renders_in_every_variant():
    # Rendering each template directly, many times, exercises every slot and alternative.
    rng = random.Random(7)
    for code, templates in texts._TEMPLATES.items():
        for template in templates:
            for place in FIXED_PLACES:
                for _ in range(15):
                    renderer = texts._Renderer(rng, template.slots)
                    title = texts._fit_title(renderer.render(template.title), place)
                    description = renderer.render(template.description).replace(texts._PLACE, place)
                    demand = DemandText(title, texts._fit_description(description), template.demand_type,
                                        template.urgency)
                    assert_valid(demand, place)
                    assert len(description) <= 400, (code, description)


def test_same_seed_gives_same_output():
    first = [compose_demand(random.Random(99), code, "光明街道雷锋社区8号楼") for code in LEAF_CODES]
    second = [compose_demand(random.Random(99), code, "光明街道雷锋社区8号楼") for code in LEAF_CODES]
    assert first == second
    assert sample(500, seed=5) == sample(500, seed=5)


def test_different_seeds_give_different_output():
    assert sample(200, seed=1) != sample(200, seed=2)


def test_variety():
    demands = sample(5000)
    assert len({d.description for d in demands}) >= 4000
    assert len({d.title for d in demands}) >= 1500


def test_variety_with_few_places():
    # Variety must come from the templates themselves, not only from the caller's places.
    rng = random.Random(11)
    codes = category_codes()
    demands = [compose_demand(rng, rng.choice(codes), rng.choice(FIXED_PLACES[:3])) for _ in range(5000)]
    assert len({d.description for d in demands}) >= 4000
    assert len({d.title for d in demands}) >= 1000


def test_every_demand_type_and_urgency_appears():
    demands = sample(5000, seed=3)
    types = Counter(d.demand_type for d in demands)
    urgencies = Counter(d.urgency for d in demands)
    assert set(types) == set(texts.DEMAND_TYPES)
    assert set(urgencies) == set(texts.URGENCIES)
    # Praise and suggestions are a small share; most demands are of general urgency.
    assert types["praise"] < types["complaint"] / 4
    assert types["suggestion"] < types["complaint"] / 2
    assert urgencies["general"] > len(demands) / 2


def test_unknown_code_raises_value_error_naming_it():
    with pytest.raises(ValueError, match=r"environment\.nosie"):
        compose_demand(random.Random(0), "environment.nosie", "光明街道雷锋社区")
    with pytest.raises(ValueError, match="construction"):
        compose_demand(random.Random(0), "construction", "光明街道雷锋社区")


def test_blank_place_raises_value_error():
    with pytest.raises(ValueError):
        compose_demand(random.Random(0), "transport.bus", "   ")


def test_long_place_is_shortened_in_the_title_only():
    place = "辽宁省抚顺市望花区和平街道玫瑰城社区幸福家园小区东门北侧5号楼3单元"
    rng = random.Random(4)
    for code in LEAF_CODES:
        for _ in range(20):
            demand = compose_demand(rng, code, place)
            assert len(demand.title) <= 40
            assert place in demand.description
            assert len(demand.description) <= 400


def test_people_are_named_by_surname_and_role_only():
    # Praise thanks "王师傅" or "李科长", never a full name: in every template and shared pool,
    # a surname slot is directly followed by a role word.
    follower = re.compile(r"\{surname\}(?!师傅|老师|科长|大姐|护士长|\{rank\})")
    sources = [str(v) for v in texts._SHARED.values()]
    for templates in texts._TEMPLATES.values():
        for template in templates:
            sources += [template.title, template.description, *(str(v) for v in template.slots.values())]
    offending = [text for text in sources if follower.search(text)]
    assert not offending
    assert any("{surname}" in text for text in sources)
