"""Quota boards: practical things per grassroots organisation, claims per member, and who has not
met the quota."""

import pytest

from minsheng.core import clock
from minsheng.party import quotas
from minsheng.party import selectors as party_selectors
from minsheng.wishes import selectors

from ..wishes.helpers import act, party, promise, wish_at

pytestmark = pytest.mark.django_db


def test_boards_count_wishes_towards_both_quotas(world, settings):
    settings.MINSHENG_PARTY_QUOTAS = {"organisation_practical_things": 2, "member_wish_claims": 1}
    p = party(world)
    year = clock.today().year  # the year the wish is fulfilled in, local time
    wish_at(world, "fulfilled")  # claimed and fulfilled by the member
    other = wish_at(world, "published")
    act(world, "staff1", other, "claim_wish", promised_by=promise(), party_organisation=p.community.pk)

    board = dict(party_selectors.quota_board(world.user("staff1"), year))
    progress = board[p.community]
    assert progress.by_source["wishes"] == 1 and progress.required == 2 and not progress.met
    assert p.street not in board  # a street committee is not grassroots
    other = act(world, "staff1", other, "fulfil_wish", result="党委联系爱心企业捐赠")
    progress = quotas.practical_things_progress([p.community.pk], year)[p.community.pk]
    assert progress.done == 2 and progress.met

    members = {m: (n, required) for m, n, required in selectors.member_board(world.user("staff1"), year)}
    assert members[p.member] == (1, 1) and members[p.idle_member] == (0, 1)
    behind = [m for m, (n, required) in members.items() if n < required]
    assert behind == [p.idle_member]
    # Another street's staff see neither board's rows.
    assert party_selectors.quota_board(world.user("staff2"), year) == []
    assert selectors.member_board(world.user("staff2"), year) == []
    # Last year nothing was done.
    assert dict(party_selectors.quota_board(world.user("staff1"), year - 1))[p.community].done == 0
