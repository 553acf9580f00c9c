"""The classifier itself: calibrated top-k, the fast path equal to scikit-learn, files checked."""

import copy
import math

import numpy as np
import pytest

from minsheng.routing.classifier import (
    NBSVM,
    Block,
    Config,
    ModelIntegrityError,
    Router,
    WordSegmenter,
    file_sha256,
    recommended_config,
)

from .conftest import generated_rows


def test_top_k_are_probabilities_in_order_and_the_fast_path_equals_scikit_learn(model_file):
    router = Router.load(model_file)
    rows = generated_rows(1, seed=9)
    texts = [t for t, _ in rows]
    assert router.check_fast_path(texts) < 1e-8
    top = router.top(texts[0], 3)
    assert len(top) == 3 and all(0 <= p <= 1 for _c, p in top)
    assert [p for _c, p in top] == sorted((p for _c, p in top), reverse=True)
    assert abs(sum(router.predict_proba(texts[0]).values()) - 1) < 1e-9
    assert router.predict_batch(texts) == [router.predict(t) for t in texts]
    # Texts the model has never seen, with no known n-gram, still get an answer.
    assert router.top("", 1)[0][0] in router.classes_


def test_a_file_with_another_checksum_is_refused(model_file, tmp_path):
    copy = tmp_path / "m.joblib"
    copy.write_bytes(model_file.read_bytes())
    sha = file_sha256(copy)
    assert Router.load(copy, sha).classes_
    copy.write_bytes(copy.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(ModelIntegrityError):
        Router.load(copy, sha)


def test_detail_only_rows_train_the_model_and_two_categories_are_enough():
    rows = [("路灯不亮了晚上看不见", "construction"), ("小区路灯坏了", "construction"),
            ("垃圾没人清运", "environment"), ("垃圾桶满了臭味大", "environment")]
    router = Router(recommended_config(calib_folds=2)).fit([t for t, _ in rows], [y for _, y in rows])
    assert router.predict("路灯又坏了") == "construction" and router.predict("垃圾好臭") == "environment"
    with pytest.raises(ValueError):
        Router().fit(["一", "二"], ["construction", "construction"])


def test_words_are_the_longest_known_words_of_the_chinese_runs():
    words = WordSegmenter.from_file()
    assert words("小区路灯不亮了，晚上看不见") == ["小区", "路灯", "晚上", "不见"]
    assert words("ABC垃圾桶满了 臭味大") == ["垃圾桶", "臭味"]  # longest first; Latin and single characters dropped
    assert words("") == [] and words("路") == []
    assert words.hashes("垃圾桶满了").size == 1


@pytest.mark.parametrize("cfg", [
    recommended_config(calib_folds=2),
    recommended_config(calib_folds=2, words=False),
    # the earlier LinearSVC models
    Config(blocks=[Block("full", ngram=(1, 3)), Block("title", ngram=(1, 3))], calib_folds=2),
], ids=["nbsvm-with-words", "nbsvm", "linear-svc"])
def test_each_configuration_saves_loads_and_its_fast_path_equals_scikit_learn(cfg, tmp_path):
    rows = generated_rows(4, seed=3)
    router = Router(cfg).fit([t for t, _ in rows], [y for _, y in rows])
    path = tmp_path / "m.joblib"
    loaded = Router.load(path, router.save(path))
    texts = [t for t, _ in generated_rows(1, seed=11)]
    assert loaded.check_fast_path(texts) < 1e-8
    assert loaded.predict_batch(texts) == router.predict_batch(texts)
    assert isinstance(loaded.clf, NBSVM) == (cfg.nb_alpha is not None)


def test_four_character_words_and_word_models_trained_before_their_prefixes_were_kept(tmp_path):
    rows = [*generated_rows(4, seed=3),
            ("人民政府门口的停车位被占。路灯不亮，人民政府不管", "construction"),
            ("人民政府旁垃圾处理站臭味大。垃圾处理不及时", "environment"),
            ("垃圾处理站太吵。停车位不够", "environment")]
    router = Router(recommended_config(calib_folds=0)).fit([t for t, _ in rows], [y for _, y in rows])
    assert {"人民政府", "垃圾处理"} <= set(router.vecs[-1].vocabulary_)
    texts = [t for t, _ in generated_rows(1, seed=11)] + [
        "人民政府门前垃圾处理不及时。人民政府", "人民政", "政府。人民政府", "垃圾处理", "人民政府😀垃圾处理站",
    ]
    assert router.check_fast_path(texts) < 1e-8 and router._fast.sparse_long
    old = copy.copy(router.vecs[-1].analyzer)  # as pickled before the prefixes were kept
    del old.long_prefixes
    router.vecs[-1].analyzer = old
    router._fast = None
    assert router.check_fast_path(texts) < 1e-8 and not router._fast.sparse_long


def test_the_word_block_counts_a_repeated_word_sublinearly():
    # 1 + ln tf: a word said nine times weighs 1 + ln 9 against a word said once, not 9 to 1.
    rows = [("路灯坏了。路灯路灯", "construction"), ("井盖丢了。井盖", "construction"),
            ("垃圾没人清运。垃圾", "environment"), ("噪音扰民。噪音", "environment")]
    router = Router(recommended_config(calib_folds=0)).fit([t for t, _ in rows], [y for _, y in rows])
    words = router.vecs[2]
    x = words.transform(["路灯" * 9 + "垃圾"]).toarray()[0]
    lamp, waste = x[words.vocabulary_["路灯"]], x[words.vocabulary_["垃圾"]]
    idf = words.idf_
    assert lamp / waste == pytest.approx((1 + math.log(9)) * idf[words.vocabulary_["路灯"]]
                                         / idf[words.vocabulary_["垃圾"]])
    assert router.check_fast_path(["路灯" * 9 + "垃圾", "垃圾垃圾。路灯"]) < 1e-8


def test_the_chosen_configuration_smooths_the_log_count_ratios_with_alpha_two():
    # docs/routing.md, sixth round: NBSVM with alpha=2 is the cross-validated choice.  A smoother
    # ratio: an n-gram found in one row of one category weighs less than with alpha=1.
    cfg = recommended_config(calib_folds=0)
    assert cfg.nb_alpha == 2.0 and recommended_config(words=False).nb_alpha == 2.0
    rows = generated_rows(2, seed=4)
    texts, labels = [t for t, _ in rows], [y for _, y in rows]
    smooth = Router(cfg).fit(texts, labels)
    sharp = Router(Config(blocks=cfg.blocks, calib_folds=0, nb_alpha=1.0)).fit(texts, labels)
    assert smooth.clf.alpha == 2.0 and sharp.clf.alpha == 1.0
    assert not np.allclose(smooth.clf.coef_, sharp.clf.coef_)
