"""train_router and evaluate_router: from CSV files, from the deployment's own demands with
dispatchers' corrections, and their refusals."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minsheng.demands import services
from minsheng.routing import registry
from minsheng.routing.classifier import Router, file_sha256
from minsheng.routing.models import Correction, RouterModel
from minsheng.routing.services import training_rows_from_demands

from ..demands.helpers import bring_to
from .conftest import generated_rows, write_csv

NAMES = {"construction": "城乡建设", "environment": "环境保护", "transport": "交通运输", "education": "教育文体",
         "labour": "劳动和社会保障", "commerce": "商贸旅游", "health": "卫生计生"}


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_train_from_csv_with_chinese_labels_then_evaluate(db, tmp_path, settings):
    settings.MINSHENG_MODELS_DIR = tmp_path / "models"
    train = write_csv(tmp_path / "train.csv", generated_rows(4, seed=2), NAMES)
    dev = write_csv(tmp_path / "dev.csv", generated_rows(2, seed=3), NAMES)
    out = _run("train_router", "--csv", train, "--out", "m1.joblib", "--calib-folds", "2")
    entry = RouterModel.objects.get()
    assert entry.path == str(tmp_path / "models" / "m1.joblib") and not entry.active
    assert entry.sha256 == file_sha256(entry.path) and f"version={entry.version}" in out
    assert sorted(entry.labels) == sorted(NAMES)
    assert [b["kind"] for b in entry.training["config"]["blocks"]] == ["char", "char", "words"]  # words by default

    last = _run("evaluate_router", "--csv", dev, "--model", entry.version).strip().splitlines()
    figures = dict(part.split("=") for part in last[-1].split())
    assert last[-1].startswith("accuracy=") and int(figures["n"]) == 2 * 32
    # the generator's categories are learnable
    assert float(figures["accuracy"]) > 0.8 and float(figures["macro_f1"]) > 0.8
    assert 0 <= float(figures["ece"]) <= 1
    text = "\n".join(last)
    assert "confusion matrix" in text and "texts/s per CPU-second" in text and "precision" in text
    assert "reliability of the top suggestion" in text


def test_train_without_the_word_block(db, tmp_path, settings):
    settings.MINSHENG_MODELS_DIR = tmp_path / "models"
    train = write_csv(tmp_path / "train.csv", generated_rows(3, seed=2), NAMES)
    _run("train_router", "--csv", train, "--out", "chars.joblib", "--calib-folds", "0", "--no-words")
    entry = RouterModel.objects.get()
    assert [b["kind"] for b in entry.training["config"]["blocks"]] == ["char", "char"]


def test_evaluate_without_an_active_model_or_with_a_tampered_file_is_refused(db, tmp_path, settings, model_file):
    dev = write_csv(tmp_path / "dev.csv", generated_rows(1, seed=3))
    with pytest.raises(CommandError, match="no active model"):
        _run("evaluate_router", "--csv", dev)
    copy = tmp_path / "copy.joblib"
    copy.write_bytes(model_file.read_bytes())
    entry = registry.register(Router.load(copy), copy, file_sha256(copy), activate=True)
    copy.write_bytes(copy.read_bytes() + b"x")
    with pytest.raises(CommandError, match="checksum"):
        _run("evaluate_router", "--csv", dev, "--model", entry.version)


@pytest.mark.parametrize("content, message", [
    ("words,label\n一,城乡建设\n", "text,label"),
    ("text,label\n路灯坏了,不存在的分类\n", "unknown category"),
    ("text,label\n", "no labelled rows"),
])
def test_unusable_training_files_are_refused_with_the_reason(db, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        _run("train_router", "--csv", str(path), "--out", str(tmp_path / "m.joblib"))
    assert not RouterModel.objects.exists()


def test_train_needs_a_source(db, tmp_path):
    with pytest.raises(CommandError, match="--csv FILE or --from-demands"):
        _run("train_router", "--out", str(tmp_path / "m.joblib"))


def test_retraining_learns_the_dispatchers_correction(world, tmp_path, settings, active_model):
    settings.MINSHENG_MODELS_DIR = tmp_path / "models"
    text = {"title": "楼下商铺占用盲道摆放货物",
            "description": "楼下几家商铺长期把货物摆在人行道的盲道上，行人只能走机动车道，希望有关部门管一管。",
            "category": None}
    demand = bring_to(world, "pending_dispatch", **text)
    suggested = demand.routing_suggestion.best[0]
    chosen = "commerce.market_order" if suggested != "commerce" else "transport.traffic"
    services.dispatch_demand(world.user("dispatcher1"), demand.pk, demand.version, category=chosen,
                             unit=world.units["cg"])
    correction = Correction.objects.get(demand=demand)
    assert correction.chosen.code == chosen  # the category the person chose, leaf included
    assert (correction.text, chosen.split(".")[0]) in training_rows_from_demands()

    train = write_csv(tmp_path / "train.csv", generated_rows(3, seed=4))
    out = _run("train_router", "--csv", train, "--from-demands", "--out", "retrained.joblib", "--activate",
               "--calib-folds", "2")
    assert "demands: 1" in out
    entry = RouterModel.objects.get(active=True)
    assert entry != active_model and entry.training["sources"]["demands"] == 1
    assert registry.active()[1].predict(correction.text) == chosen.split(".")[0]
