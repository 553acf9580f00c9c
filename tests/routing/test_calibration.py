"""Expected calibration error and the reliability table (routing.metrics.reliability)."""

import random

import pytest

from minsheng.routing.metrics import reliability


def test_hand_built_bins():
    # 0.95 bin: 4 predictions, 3 right (acc 0.75, conf 0.95); 0.55 bin: 2, 1 right (acc 0.5, conf 0.55).
    ece, rows = reliability([0.95, 0.95, 0.95, 0.95, 0.55, 0.55], [True, True, True, False, True, False])
    assert [(n, round(c, 2), round(a, 2)) for _lo, _hi, n, c, a in rows] == [(2, 0.55, 0.5), (4, 0.95, 0.75)]
    assert ece == pytest.approx(4 / 6 * 0.2 + 2 / 6 * 0.05)


def test_a_probability_of_one_falls_in_the_last_bin_and_bad_input_is_refused():
    _ece, rows = reliability([1.0, 0.0], [True, False])
    assert rows[-1][:3] == (0.9, 1.0, 1) and rows[0][:3] == (0.0, 0.1, 1)
    with pytest.raises(ValueError):
        reliability([1.2], [True])
    with pytest.raises(ValueError):
        reliability([0.5, 0.4], [True])
    assert reliability([], []) == (0.0, [])


@pytest.mark.parametrize("seed", range(5))
def test_honest_probabilities_score_near_zero_and_overconfident_ones_do_not(seed):
    rng = random.Random(seed)
    stated = [rng.uniform(0.3, 1.0) for _ in range(20000)]
    honest = [rng.random() < p for p in stated]  # right exactly as often as stated
    ece, rows = reliability(stated, honest)
    assert ece < 0.02 and sum(n for _lo, _hi, n, _c, _a in rows) == len(stated)
    overconfident = [rng.random() < p - 0.25 for p in stated]
    assert reliability(stated, overconfident)[0] == pytest.approx(0.25, abs=0.03)
