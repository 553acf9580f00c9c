"""A small router trained on the demo generator's texts (never on the shared complaint data)."""

import csv
import random

import pytest

from minsheng.demo.texts import category_codes, compose_demand
from minsheng.routing import registry
from minsheng.routing.classifier import Router, file_sha256, recommended_config
from minsheng.routing.text import join_text

PLACES = ["玫瑰城社区5号楼", "雷锋社区", "光明街道", "和平街道幸福里", "建设路与光明街交叉口"]


def generated_rows(n_per_leaf: int, seed: int) -> list[tuple[str, str]]:
    """(text, top-level category code) from the demo text generator."""
    rng = random.Random(seed)
    rows = []
    for leaf in category_codes():
        for _ in range(n_per_leaf):
            d = compose_demand(rng, leaf, rng.choice(PLACES))
            rows.append((join_text(d.title, d.description), leaf.split(".")[0]))
    return rows


def write_csv(path, rows, label_names: dict[str, str] | None = None) -> str:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        for text, label in rows:
            w.writerow([text, (label_names or {}).get(label, label)])
    return str(path)


@pytest.fixture(scope="session")
def model_file(tmp_path_factory):
    rows = generated_rows(6, seed=1)
    router = Router(recommended_config(calib_folds=3)).fit([t for t, _ in rows], [y for _, y in rows])
    path = tmp_path_factory.mktemp("models") / "test-router.joblib"
    router.save(path)
    return path


@pytest.fixture
def active_model(db, model_file):
    """The test router registered and active."""
    router = Router.load(model_file)
    return registry.register(router, model_file, file_sha256(model_file), activate=True)
