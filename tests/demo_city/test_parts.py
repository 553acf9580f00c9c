"""Every part of the demo city seeded its live data, and seeding again adds nothing (the order of
the parts and each part's own rules: tests/demo/test_demo_parts.py)."""

from minsheng.demo.management.commands.seed_demo import PARTS

from ..demo.test_demo_parts import _assert_everything_seeded, _sizes


def test_every_part_seeds_live_data_once(demo):
    _assert_everything_seeded()
    before = _sizes()

    again = demo.seed_again()
    assert _sizes() == before
    for part in set(PARTS) - {"stations", "history"}:
        assert f"{part}: already seeded" in again, part
