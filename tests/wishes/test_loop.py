"""The micro-wish loop on the demand engine: collect → register → publish → claim → fulfil →
the resident confirms → close, each routing class, release of an overdue claim, replay from events."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from minsheng.demands import services, workflow
from minsheng.demands.models import Demand
from minsheng.demands.projection import differences, rebuild
from minsheng.demands.selectors import available_actions, merge_target
from minsheng.demands.workflow import Kind, State
from minsheng.ledger.models import Account, Measure
from minsheng.ledger.selectors import check_ledger
from minsheng.notifications.models import OutboxMessage
from minsheng.wishes import selectors
from minsheng.wishes.models import WishClaim, WishClass
from minsheng.wishes.sweeps import flag_overdue_claims

from .helpers import act, party, plain_volunteer, promise, register_wish, wish_at

pytestmark = pytest.mark.django_db


def replays(demand) -> bool:
    stored = Demand.objects.get(pk=demand.pk)
    return differences(stored, rebuild(list(stored.events.order_by("seq")))) == []


def test_the_whole_loop_from_registration_to_close(world):
    p = party(world)
    wish = register_wish(world)
    assert wish.kind == Kind.WISH and wish.hide_name and wish.state == State.REGISTERED
    assert wish.wish.wish_class == ""
    assert wish not in selectors.wall()

    wish = act(world, "staff1", wish, "publish_wish")
    assert wish.state == State.PENDING_DISPATCH and wish.wish.wish_class == WishClass.INDIVIDUAL
    on_wall = list(selectors.wall(world.regions["c1"]))
    assert on_wall == [wish] and selectors.public_name(on_wall[0]) == ""  # identity hidden by default
    assert list(selectors.wall(world.regions["c2"])) == []

    wish = act(world, "volunteer", wish, "claim_wish", promised_by=promise(5))
    claim = WishClaim.objects.get(demand=wish)
    assert (claim.claimer_kind, claim.party_member, claim.claimer_name) == ("party_member", p.member, "刘建国")
    assert claim.volunteer is not None  # a party member is a volunteer too
    assert wish.state == State.IN_PROGRESS and wish.assignee_id == world.users["volunteer"].pk
    assert wish not in selectors.wall()

    wish = act(world, "volunteer", wish, "fulfil_wish", result="已送去助听器并调试好", hours="2.5")
    assert wish.state == State.RESOLVED and wish.result == "已送去助听器并调试好"

    wish = services.rate_as_reporter(wish.number, "5678", satisfaction="satisfied", solved="solved", comment="谢谢！")
    assert wish.state == State.REVISITED and wish.satisfaction == "satisfied"
    wish = act(world, "staff1", wish, "close")
    assert wish.state == State.CLOSED
    assert [e.action for e in wish.events.order_by("seq")] == [
        "register", "publish_wish", "claim_wish", "fulfil_wish", "revisit", "close"]
    assert replays(wish)
    # 销号 credits the hours (and points) to the party member's volunteer account.
    hours = Account.objects.get(volunteer=claim.volunteer, measure=Measure.HOURS)
    points = Account.objects.get(volunteer=claim.volunteer, measure=Measure.POINTS)
    assert hours.balance == Decimal("2.5") and points.balance == Decimal("25")
    assert check_ledger().ok


def test_handling_rows_of_plain_demands_do_not_apply_to_wishes(world):
    wish = register_wish(world)
    with pytest.raises(InvalidTransition):
        act(world, "staff1", wish, "verify")
    offered = [t.action for t in available_actions(world.user("staff1"), wish)]
    assert "publish_wish" in offered and "verify" not in offered
    assert "claim_wish" not in [t.action for t in workflow.actions_from(State.PENDING_DISPATCH, Kind.DEMAND)]


def test_a_volunteer_who_is_no_party_member_claims_as_a_volunteer(world):
    volunteer = plain_volunteer(world)
    wish = wish_at(world, "published")
    wish = act(world, "helper", wish, "claim_wish", promised_by=promise())
    claim = WishClaim.objects.get(demand=wish)
    assert claim.claimer_kind == "volunteer" and claim.volunteer == volunteer and claim.party_member is None


def test_a_user_who_is_no_volunteer_cannot_claim(world):
    wish = wish_at(world, "published")  # the world's volunteer user has no party or volunteer record here
    with pytest.raises(PermissionDenied):
        act(world, "volunteer", wish, "claim_wish", promised_by=promise())
    assert Demand.objects.get(pk=wish.pk).state == State.PENDING_DISPATCH
    assert not WishClaim.objects.exists()


def test_staff_record_a_claim_by_a_unit_and_a_claim_needs_a_sensible_date(world):
    wish = wish_at(world, "published")
    with pytest.raises(ValidationFailed) as err:
        act(world, "staff1", wish, "claim_wish", promised_by=promise(-1), unit=world.units["zj"].pk)
    assert "promised_by" in err.value.field_errors
    with pytest.raises(ValidationFailed) as err:
        act(world, "staff1", wish, "claim_wish", promised_by=promise())
    assert "claimer" in err.value.field_errors
    wish = act(world, "staff1", wish, "claim_wish", promised_by=promise(), unit=world.units["zj"].pk)
    claim = WishClaim.objects.get(demand=wish)
    assert claim.claimer_kind == "unit" and claim.claimer_name == "区住建局" and claim.user is None


def test_staff_record_a_claim_made_in_person_by_a_volunteer(world, login):
    volunteer = plain_volunteer(world)
    wish = wish_at(world, "published")
    response = login("staff1").post(reverse("web:act", args=[wish.pk, "claim_wish"]), {
        "version": wish.version, "promised_by": promise().isoformat(), "volunteer": "AX0000000000"})
    assert response.status_code == 400 and "认领志愿者不存在" in response.content.decode()
    response = login("staff1").post(reverse("web:act", args=[wish.pk, "claim_wish"]), {
        "version": wish.version, "promised_by": promise().isoformat(), "volunteer": volunteer.card_number.lower()})
    assert response.status_code == 302
    claim = WishClaim.objects.get(demand=wish)
    assert claim.claimer_kind == "volunteer" and claim.volunteer == volunteer
    assert claim.user_id == world.users["helper"].pk  # the volunteer then fulfils it on their own page


def test_a_claim_by_a_party_organisation_counts_towards_its_practical_things(world):
    p = party(world)
    wish = wish_at(world, "published")
    wish = act(world, "staff1", wish, "claim_wish", promised_by=promise(), party_organisation=p.community.pk)
    act(world, "staff1", wish, "fulfil_wish", result="社区党委联系捐赠了助听器")
    year = clock.today().year  # the year of the fulfilment, local time
    assert selectors.practical_things_from_wishes([p.community.pk], year) == {p.community.pk: 1}


def test_only_the_claimer_fulfils_or_releases_their_claim(world):
    party(world)
    plain_volunteer(world)
    wish = wish_at(world, "claimed")
    with pytest.raises(PermissionDenied):
        act(world, "helper", wish, "fulfil_wish", result="我来帮忙")
    with pytest.raises(PermissionDenied):
        act(world, "helper", wish, "release_wish", reason="不是我的")
    assert Demand.objects.get(pk=wish.pk).state == State.IN_PROGRESS


def test_fulfilling_needs_a_note_and_keeps_the_photos(world, tiny_jpeg):
    party(world)
    wish = wish_at(world, "claimed")
    with pytest.raises(ValidationFailed) as err:
        act(world, "volunteer", wish, "fulfil_wish", result=" ")
    assert "result" in err.value.field_errors
    wish = act(world, "volunteer", wish, "fulfil_wish", result="已送达", photos=[tiny_jpeg()])
    assert wish.attachments.filter(event_seq=wish.version).count() == 1


def test_an_overdue_claim_is_flagged_once_and_released_back_to_the_wall(world):
    party(world)
    wish = wish_at(world, "claimed")
    claim = WishClaim.objects.get(demand=wish)
    assert flag_overdue_claims() == 0  # not yet due
    later = clock.now() + timedelta(days=9)
    with clock.frozen_at(later):
        assert flag_overdue_claims() == 1
        assert flag_overdue_claims() == 0  # flagged once
    claim.refresh_from_db()
    assert claim.overdue_at is not None
    told = OutboxMessage.objects.filter(channel="in_app", source=f"wish-overdue:{claim.pk}")
    told_ids = {m.recipient_id for m in told}
    assert {world.users["volunteer"].pk, world.users["staff1"].pk} <= told_ids  # the claimer, the community
    assert world.users["staff2"].pk not in told_ids
    assert "已超过承诺日期" in told.first().subject
    # Each is sent where they may go: the staff to the wish's page, the claimer to their claims.
    assert {m.link for m in told if m.recipient_id == world.users["volunteer"].pk} == {reverse("wishes:mine")}
    assert {m.link for m in told if m.recipient_id == world.users["staff1"].pk} == {
        reverse("web:demand", args=[wish.pk])}
    assert list(selectors.overdue_claims_visible_to(world.user("staff1"))) == [claim]

    with clock.frozen_at(later):
        wish = act(world, "staff1", wish, "release_wish", reason="逾期未实现，重新发布")
    assert wish.state == State.PENDING_DISPATCH and wish.assignee_id is None
    assert wish in selectors.wall()
    claim.refresh_from_db()
    assert claim.released_at is not None and wish.events.last().payload["overdue"] is True
    # Someone else may now claim it.
    plain_volunteer(world)
    wish = act(world, "helper", wish, "claim_wish", promised_by=promise())
    assert WishClaim.objects.filter(demand=wish, released_at__isnull=True).get().claimer_name == "赵志愿"
    assert replays(wish)


def test_the_system_job_is_registered_with_the_worker(settings):
    assert ("minsheng.wishes.sweeps.flag_overdue_claims", settings.MINSHENG_SWEEP_SECONDS) in \
        settings.MINSHENG_PERIODIC_JOBS


# --- routing classes -----------------------------------------------------------------------

def test_a_common_problem_becomes_a_plain_demand_through_the_normal_engine(world):
    wish = register_wish(world, title="小区路灯不亮", description="我们楼前的路灯坏了好几个月，大家晚上出行不便。")
    wish = act(world, "staff1", wish, "route_wish_as_demand", note="多户反映，属共性问题")
    assert wish.state == State.MERGED and wish.wish.wish_class == WishClass.COMMON
    plain = wish.wish.demand_for_common
    assert plain.kind == Kind.DEMAND and plain.parent_id == wish.pk and plain.state == State.REGISTERED
    assert plain.reporter_id == wish.reporter_id and plain.title == "小区路灯不亮"
    assert merge_target(wish) == plain  # the resident's tracking follows the demand
    # The plain demand runs the ordinary workflow.
    plain = act(world, "staff1", plain, "verify")
    assert plain.state == State.PENDING_DISPATCH
    assert replays(wish) and replays(plain)


def test_a_hard_problem_goes_to_a_named_leader(world):
    wish = register_wish(world, title="老楼加装电梯", description="我们是六层老楼，老人多，盼了很多年加装电梯。")
    with pytest.raises(ValidationFailed) as err:
        act(world, "staff1", wish, "assign_wish_to_leader", leader=world.users["handler_cg"].pk,
            promised_by=promise(90))
    assert "leader" in err.value.field_errors
    wish = act(world, "staff1", wish, "assign_wish_to_leader", leader=world.users["leader"].pk,
               promised_by=promise(90))
    assert wish.state == State.IN_PROGRESS and wish.wish.wish_class == WishClass.HARD
    assert wish.assignee_id == world.users["leader"].pk
    claim = WishClaim.objects.get(demand=wish)
    assert claim.claimer_kind == "leader" and claim.user_id == world.users["leader"].pk
    wish = act(world, "leader", wish, "fulfil_wish", result="协调资金，电梯已开工")
    assert wish.state == State.RESOLVED and replays(wish)


def test_a_wish_not_yet_feasible_is_explained_and_waits_in_the_pending_archive(world):
    wish = register_wish(world, title="想在小区建游泳池", description="希望小区里能有一个游泳池。")
    with pytest.raises(ValidationFailed):
        act(world, "staff1", wish, "defer_wish", explanation="")
    wish = act(world, "staff1", wish, "defer_wish", explanation="小区用地有限，暂不具备建设条件，已记录在案。")
    assert wish.state == State.SUSPENDED and wish.wish.wish_class == WishClass.NOT_FEASIBLE
    assert list(selectors.pending_archive(world.user("staff1"))) == [wish]
    assert list(selectors.pending_archive(world.user("staff2"))) == []  # another community's staff
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.address == "13700005678" and "暂不具备" in sms.subject
    event = wish.events.last()
    assert event.public and event.note.startswith("小区用地有限")  # on the resident's tracking timeline
    # Once feasible, it goes on the wall.
    wish = act(world, "staff1", wish, "publish_wish", note="条件具备，发布认领")
    assert wish.state == State.PENDING_DISPATCH and wish.suspended_at is None and replays(wish)


def test_staff_outside_the_community_cannot_route_its_wishes(world):
    from minsheng.core.errors import OutOfScope

    wish = register_wish(world)
    with pytest.raises(OutOfScope):
        act(world, "staff2", wish, "publish_wish")
