"""The calibration folds take their features from the full fit's counts (``Router._fold_features``)
instead of reading the texts again; the out-of-fold scores, hence T, must be those of routers
fitted on each fold's texts (``oof_scores``)."""

import random

import numpy as np
import pytest
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from minsheng.routing import classifier
from minsheng.routing.classifier import Block, Config, Router, fit_temperature, oof_scores, recommended_config

from .conftest import generated_rows


def _detail_only(text: str) -> str:
    return text.split("。", 1)[1]


@pytest.mark.parametrize("seed", [3, 11])
@pytest.mark.parametrize("cfg", [
    recommended_config(calib_folds=3),
    Config(blocks=[Block("full", ngram=(1, 2), sublinear_tf=True), Block("title", weight=0.5)], calib_folds=4),
    Config(blocks=[Block("full", ngram=(1, 2), max_df=0.9)], calib_folds=2),  # max_df: fitted from the texts
], ids=["words-nbsvm", "chars-linearsvc-sublinear", "max-df"])
def test_the_temperature_is_the_one_routers_fitted_on_each_fold_give(cfg, seed):
    rng = random.Random(seed)
    rows = generated_rows(2, seed=seed)
    rng.shuffle(rows)
    # some rows without a title: they train every fold and calibrate none
    rows = [(_detail_only(t), y) if i % 4 == 0 else (t, y) for i, (t, y) in enumerate(rows)]
    texts, labels = [t for t, _ in rows], [y for _, y in rows]
    calib = [t for t in texts if "。" in t]
    router = Router(cfg).fit(texts, labels, calib_texts=calib)

    cal = set(calib)
    own = [(t, y) for t, y in rows if t in cal]
    rest = [(t, y) for t, y in rows if t not in cal]
    oof = oof_scores(cfg, [t for t, _ in own], [y for _, y in own], rest, folds=cfg.calib_folds, seed=cfg.seed)
    expected = fit_temperature(oof, np.array([router.classes_.index(y) for _, y in own]))
    assert router.temperature == pytest.approx(expected, rel=1e-6)
    assert router.temperature != 1.0
    assert getattr(router, "_counts", None) is None  # not kept in the model


def test_the_shortcut_is_taken_and_reads_the_texts_only_once(monkeypatch):
    rows = generated_rows(2, seed=5)
    texts, labels = [t for t, _ in rows], [y for _, y in rows]
    calls = []
    original = classifier.oof_scores
    monkeypatch.setattr(classifier, "oof_scores", lambda *a, **k: calls.append(1) or original(*a, **k))
    Router(recommended_config(calib_folds=3)).fit(texts, labels)
    assert calls == []


def test_a_block_without_counts_falls_back_to_fitting_each_fold(monkeypatch):
    # No row has a title: the title block is the placeholder column, and the folds are fitted from texts.
    rows = [(t.replace("。", "，"), y) for t, y in generated_rows(2, seed=6)]
    texts, labels = [t for t, _ in rows], [y for _, y in rows]
    calls = []
    original = classifier.oof_scores
    monkeypatch.setattr(classifier, "oof_scores", lambda *a, **k: calls.append(1) or original(*a, **k))
    router = Router(recommended_config(calib_folds=2)).fit(texts, labels)
    assert calls == [1] and router.temperature != 1.0


@pytest.mark.parametrize("seed", [2, 7])
def test_cross_validation_reads_the_texts_once_and_scores_as_routers_fitted_on_each_fold(seed, monkeypatch):
    rng = random.Random(seed)
    rows = generated_rows(2, seed=seed)
    rng.shuffle(rows)
    always = [(_detail_only(t), y) for t, y in rows[:12]]  # as train_extra: never scored
    own = rows[12:]
    texts, labels = [t for t, _ in own], [y for _, y in own]
    cfg = recommended_config(calib_folds=0)
    expected = oof_scores(cfg, texts, labels, always, folds=3, seed=seed)
    calls = []
    original = classifier.oof_scores
    monkeypatch.setattr(classifier, "oof_scores", lambda *a, **k: calls.append(1) or original(*a, **k))
    oof, f1s = classifier.cross_validate(cfg, texts, labels, always, folds=3, seed=seed)
    assert calls == []
    assert np.allclose(oof, expected, atol=1e-10)
    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed).split(np.zeros(len(y)), labels)
    assert f1s == pytest.approx([f1_score(y[va], expected[va].argmax(1), average="macro") for _, va in folds])
    assert len(f1s) == 3 and all(0 <= f <= 1 for f in f1s)
