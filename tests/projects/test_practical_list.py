"""The yearly list of practical things: items ticked off with evidence count towards each grassroots
organisation's quota; the leaders' key projects (领办) are a list of their own."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from minsheng.party import selectors as party_selectors
from minsheng.party.quotas import practical_things_progress
from minsheng.projects import selectors, services
from minsheng.projects.models import PracticalThing

pytestmark = pytest.mark.django_db
AT = datetime(2026, 9, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def _item(world, party, title, actor="staff1", **extra):
    kwargs = {"region": world.regions["c1"], "title": title, "owner_label": "社区居委会", "due": date(2026, 10, 31),
              "organisation": party.community1}
    kwargs.update(extra)
    return services.add_practical_thing(world.user(actor), **kwargs)


def test_items_done_with_evidence_fill_the_quota(world, party, settings):
    settings.MINSHENG_PARTY_QUOTAS = {"organisation_practical_things": 3, "member_wish_claims": 1}
    with clock.frozen_at(AT):
        items = [_item(world, party, t) for t in ("修缮活动室", "加装路灯", "疏通下水道", "安装充电桩")]
        for item in items[:2]:
            services.tick_off(world.user("staff1"), item.pk, evidence="已完工，居民代表验收", done_on=date(2026, 8, 20))
        progress = practical_things_progress([party.community1.pk], 2026)[party.community1.pk]
        assert (progress.done, progress.required, progress.met) == (2, 3, False)
        assert progress.by_source["practical_list"] == 2
        services.tick_off(world.user("staff1"), items[2].pk, evidence="已疏通，附照片")
        board = dict(party_selectors.quota_board(world.user("staff1"), 2026))
    assert board[party.community1].done == 3 and board[party.community1].met
    assert party.street1 not in board  # the street committee is not a grassroots organisation
    # Items done in another year count for that year.
    assert practical_things_progress([party.community1.pk], 2025)[party.community1.pk].done == 0


def test_ticking_off_needs_evidence_and_happens_once(world, party):
    with clock.frozen_at(AT):
        item = _item(world, party, "修缮活动室")
        with pytest.raises(ValidationFailed) as err:
            services.tick_off(world.user("staff1"), item.pk, evidence="  ")
        assert "evidence" in err.value.field_errors
        with pytest.raises(ValidationFailed):
            services.tick_off(world.user("staff1"), item.pk, evidence="已完工", done_on=date(2026, 9, 30))
        services.tick_off(world.user("staff1"), item.pk, evidence="已完工")
        with pytest.raises(InvalidTransition):
            services.tick_off(world.user("staff1"), item.pk, evidence="再次销号")
    item.refresh_from_db()
    assert (item.done_on, item.evidence, item.done_by) == (date(2026, 9, 1), "已完工", world.users["staff1"])


def test_key_projects_led_by_leaders_are_their_own_list(world, party):
    with clock.frozen_at(AT):
        with pytest.raises(PermissionDenied):
            _item(world, party, "全区老旧管网改造", list_kind="led_by_leader", organisation=None)
        led = _item(world, party, "全区老旧管网改造", actor="leader", list_kind="led_by_leader", organisation=None,
                    region=world.regions["d"], owner_label="区委副书记")
        _item(world, party, "修缮活动室")
    assert list(PracticalThing.objects.filter(list_kind="led_by_leader")) == [led]
    assert selectors.practical_things_visible_to(world.user("staff1")).filter(list_kind="led_by_leader").count() == 0


def test_an_item_for_another_communitys_organisation_is_refused(world, party):
    with clock.frozen_at(AT), pytest.raises(ValidationFailed):
        _item(world, party, "修缮活动室", organisation=party.community2)
