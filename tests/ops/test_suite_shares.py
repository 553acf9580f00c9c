"""``make test``'s two runs share the browser tests (tests/e2e/conftest.py): every test in exactly
one share, the shares' weights as even as the heaviest test allows, and a clear error for a share
written wrong."""

import random

import pytest

from tests.e2e.conftest import browser_test_share


@pytest.mark.parametrize("n", [1, 2, 3])
def test_every_browser_test_runs_in_exactly_one_share_and_the_shares_are_even(n):
    rng = random.Random(n)
    for _round in range(50):
        weights = [rng.choice([1, 1, 1, 1, 40]) for _test in range(rng.randint(0, 90))]
        shares = [browser_test_share(weights, f"{k}/{n}") for k in range(1, n + 1)]
        assert sorted(i for share in shares for i in share) == list(range(len(weights)))
        loads = [sum(weights[i] for i in share) for share in shares]
        assert max(loads) - min(loads) <= max(weights, default=0)


def test_the_heaviest_test_goes_to_the_first_share():
    assert browser_test_share([1, 1, 40, 1, 40, 1], "1/2") == {2, 0, 3}
    assert browser_test_share([1, 1, 40, 1, 40, 1], "2/2") == {4, 1, 5}


@pytest.mark.parametrize("share", ["", "2", "a/b", "0/2", "3/2", "1/0"])
def test_a_share_written_wrong_is_refused_with_its_value(share):
    with pytest.raises(pytest.UsageError, match="MINSHENG_BROWSER_TESTS_SHARE"):
        browser_test_share([1, 1], share)
