"""Notices to residents (docs/estates.md): to the residents of a grid, estate, building or unit, or
to a group among them (a vulnerable tag: elders living alone, people in difficulty), in-app, by SMS
template and as a printable letter — one page per household ("致居民的一封信").

Who may send: staff with a territory covering the region (community staff, grid workers, street
dispatchers, administrators) and a chief (网格长, 楼栋长, 单元长) for their own grid, building or unit.
A notice to a region outside that is refused whole.  Residents read and reply in-app; staff whose
territory covers the resident turn a reply into a demand through ``demands.services``."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import NotFound, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_with_roles
from minsheng.people.models import Resident, VulnerableTag

from .models import InAppNotification, Notice, NoticeRecipient, NoticeReply, OutboxMessage, SmsOptOut
from .services import _record_text

NOTICE_SENDERS = frozenset({Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})
# The levels a notice goes to (a street or community sends through its grids, estates, buildings).
TARGET_KINDS = (Region.Kind.COMMUNITY, Region.Kind.GRID, Region.Kind.ESTATE, Region.Kind.BUILDING,
                Region.Kind.ENTRANCE)
MAX_TITLE = 100
MAX_BODY = 2000
MAX_REPLY = 1000


def _staff_grants(user):
    return [g for g in grants_with_roles(user, NOTICE_SENDERS) if g.region_path is not None]


def _chief_posts(user):
    from minsheng.grids.estates import chief_posts

    return list(chief_posts(user))


def may_send_to(user, region: Region) -> bool:
    """Whether ``user`` may send a notice to the residents of ``region``."""
    return (any(region.path.startswith(g.region_path) for g in _staff_grants(user))
            or any(region.path.startswith(p.region.path) for p in _chief_posts(user)))


def may_send(user) -> bool:
    return bool(_staff_grants(user)) or bool(_chief_posts(user))


def target_regions(user) -> QuerySet[Region]:
    """The regions the user may send to, at the levels a notice goes to (for the form's choice)."""
    q = Q(pk__in=[])
    for g in _staff_grants(user):
        q |= Q(path__startswith=g.region_path)
    for post in _chief_posts(user):
        q |= Q(path__startswith=post.region.path)
    return Region.objects.filter(q, kind__in=TARGET_KINDS).order_by("path")


def sender_name(user, region: Region) -> str:
    """How the notice is signed: the unit of the grant that covers the region, or the chief's post."""
    for g in _staff_grants(user):
        if region.path.startswith(g.region_path) and g.unit_id:
            from minsheng.organisation.models import Unit

            unit = Unit.objects.filter(pk=g.unit_id).first()
            if unit is not None:
                return unit.name
    post = next((p for p in _chief_posts(user) if region.path.startswith(p.region.path)), None)
    if post is not None:
        return f"{post.region.name}{post.get_kind_display()}"
    return _("社区")


def recipients_of(region: Region, tag: VulnerableTag | None = None) -> QuerySet[Resident]:
    """The residents a notice to ``region`` (and ``tag``) reaches: registered in the region or
    living in a household of it."""
    from minsheng.grids.estates import residents_in

    qs = residents_in(region)
    if tag is not None:
        qs = qs.filter(tags=tag)
    return qs


def notice_link(notice: Notice) -> str:
    return reverse("estates:my_notice", args=[notice.pk])


def send_notice(actor, *, region: Region, title: str, body: str, tag: VulnerableTag | None = None,
                by_sms: bool = False, by_letter: bool = False) -> Notice:
    """Send a notice: one recipient row per resident reached, an in-app message to each who has an
    account, an SMS (the approved template) to each with a phone who did not opt out; the letter is
    printed from the notice (``letter_pages``).  All in one transaction."""
    if not may_send(actor):
        raise PermissionDenied(_("你没有发送居民通知的权限。"))
    if region.kind not in TARGET_KINDS:
        raise ValidationFailed.for_field("region", _("通知范围须是社区、网格、小区、楼栋或单元。"))
    if not may_send_to(actor, region):
        raise OutOfScope(_("“%(region)s”不在你的管辖范围内，不能向其居民发送通知。") % {"region": region.full_name})
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = [_("请填写标题。")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("标题不能超过 %(n)d 字。") % {"n": MAX_TITLE}]
    if not body:
        errors["body"] = [_("请填写通知内容。")]
    elif len(body) > MAX_BODY:
        errors["body"] = [_("通知内容不能超过 %(n)d 字。") % {"n": MAX_BODY}]
    if errors:
        raise ValidationFailed(_("请检查标记的内容。"), field_errors=errors)
    residents = list(recipients_of(region, tag).select_related("user"))
    if not residents:
        raise ValidationFailed.for_field("region", _("该范围内没有符合条件的居民，通知未发送。"))
    now = clock.now()
    sender = sender_name(actor, region)
    with transaction.atomic():
        notice = Notice.objects.create(sender=actor, region=region, tag=tag, title=title, body=body, by_sms=by_sms,
                                       by_letter=by_letter, created_at=now)
        link = notice_link(notice)
        params = {"sender": sender, "title": title, "body": body, "link": link}
        text = _record_text("notice.sent", params)
        opted_out = set(SmsOptOut.objects.filter(phone__in=[r.phone for r in residents]).values_list("phone",
                                                                                                      flat=True))
        outbox = []
        rows = []
        for resident in residents:
            row = NoticeRecipient(notice=notice, resident=resident, in_app=resident.user_id is not None)
            if resident.user_id is not None:
                outbox.append(OutboxMessage(channel="in_app", recipient_id=resident.user_id, link=link,
                                            source=f"notice:{notice.pk}", next_attempt_at=now, created_at=now, **text))
            if by_sms and resident.phone and resident.phone not in opted_out:
                row.sms = OutboxMessage(channel="sms", address=resident.phone, link=link,
                                        source=f"notice:{notice.pk}", next_attempt_at=now, created_at=now, **text)
                outbox.append(row.sms)
            rows.append(row)
        OutboxMessage.objects.bulk_create(outbox)  # sets the rows' primary keys (SQLite ≥ 3.35, PostgreSQL)
        for row in rows:
            if row.sms is not None:
                row.sms_id = row.sms.pk
        NoticeRecipient.objects.bulk_create(rows)
    return notice


# --- reads ----------------------------------------------------------------------------------------

def notices_visible_to(user) -> QuerySet[Notice]:
    """The notices to regions the user may send to (their territory or post), newest first."""
    q = Q(pk__in=[])
    for g in _staff_grants(user):
        q |= Q(region__path__startswith=g.region_path)
    for post in _chief_posts(user):
        q |= Q(region__path__startswith=post.region.path)
    return Notice.objects.filter(q).select_related("region", "tag", "sender")


@dataclass
class NoticeCounts:
    recipients: int
    in_app: int  # in-app messages delivered to the residents' inboxes
    sms_sent: int  # SMS written to the outbox
    sms_delivered: int
    letters: int  # pages of the letter: one per household
    read: int
    replies: int

    @property
    def read_rate(self) -> float:
        return round(100 * self.read / self.recipients, 1) if self.recipients else 0.0


def counts(notice: Notice) -> NoticeCounts:
    rows = notice.recipients.aggregate(
        total=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False)),
        sms_sent=Count("sms"), sms_delivered=Count("pk", filter=Q(sms__status=OutboxMessage.Status.DELIVERED)))
    in_app = InAppNotification.objects.filter(link=notice_link(notice),
                                              recipient__resident__notices__notice=notice).distinct().count()
    return NoticeCounts(recipients=rows["total"], in_app=in_app, sms_sent=rows["sms_sent"],
                        sms_delivered=rows["sms_delivered"], letters=_households(notice), read=rows["read"],
                        replies=NoticeReply.objects.filter(recipient__notice=notice).count())


def _households(notice: Notice) -> int:
    """The letter's pages without building them: households reached, and residents without one."""
    rows = notice.recipients
    return (rows.filter(resident__house__isnull=False).values("resident__house").distinct().count()
            + rows.filter(resident__house__isnull=True).count())


@dataclass
class LetterPage:
    addressee: str  # the household's address (building, unit, room), never a phone
    names: list[str]


def letter_pages(notice: Notice) -> list[LetterPage]:
    """One page per household the notice reached (a resident without a household is one)."""
    pages: dict[object, LetterPage] = {}
    for row in notice.recipients.select_related("resident__house__building", "resident__house__entrance",
                                                "resident__region").order_by("resident__house_id", "resident_id"):
        resident = row.resident
        if resident.house_id:
            key, addressee = ("house", resident.house_id), (resident.house.building.full_name
                                                            + resident.house.unit_and_room)
        else:
            key, addressee = ("resident", resident.pk), resident.address or (
                resident.region.full_name if resident.region_id else "")
        page = pages.setdefault(key, LetterPage(addressee, []))
        page.names.append(resident.name)
    return list(pages.values())


# --- residents: read and reply --------------------------------------------------------------------

def notices_of(user) -> QuerySet[NoticeRecipient]:
    """The notices that reached the resident behind this account, newest first."""
    return (NoticeRecipient.objects.filter(resident__user=user).select_related("notice", "notice__region")
            .order_by("-notice__created_at", "-pk"))


def open_notice(user, notice_id: int) -> NoticeRecipient:
    """The resident's copy of a notice, marked read (and its inbox message) the first time."""
    row = notices_of(user).filter(notice_id=notice_id).first()
    if row is None:
        raise NotFound(_("没有这条通知。"))
    if row.read_at is None:
        now = clock.now()
        NoticeRecipient.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=now)
        InAppNotification.objects.filter(recipient=user, link=notice_link(row.notice), read_at__isnull=True).update(
            read_at=now)
        row.read_at = now
    return row


def reply(user, notice_id: int, body: str) -> NoticeReply:
    """A resident's reply to a notice that reached them."""
    row = open_notice(user, notice_id)
    body = (body or "").strip()
    if not body:
        raise ValidationFailed.for_field("body", _("请填写回复内容。"))
    if len(body) > MAX_REPLY:
        raise ValidationFailed.for_field("body", _("回复不能超过 %(n)d 字。") % {"n": MAX_REPLY})
    with transaction.atomic():
        answer = NoticeReply.objects.create(recipient=row, body=body, created_at=clock.now())
        notice = row.notice
        from .services import notify_users

        notify_users([notice.sender], message="notice.reply", params={"title": notice.title, "body": body},
                     link=reverse("estates:notice", args=[notice.pk]), source=f"notice:{notice.pk}")
    return answer


def reply_to_demand(actor, reply_id: int):
    """Turn a resident's reply into a demand (求助, filed for the resident where they live), once."""
    from minsheng.demands import services as demand_services
    from minsheng.demands.workflow import Channel
    from minsheng.grids.estates import resident_place

    with transaction.atomic():
        answer = (NoticeReply.objects.select_for_update().select_related("recipient__notice", "recipient__resident")
                  .filter(pk=reply_id).first())
        if answer is None:
            raise NotFound(_("没有这条回复。"))
        if answer.demand_id is not None:
            raise ValidationFailed(_("这条回复已转为诉求 %(number)s。") % {"number": answer.demand.number})
        notice, resident = answer.recipient.notice, answer.recipient.resident
        region = resident_place(resident) or notice.region
        title = _("居民回复通知：%(title)s") % {"title": notice.title}
        demand = demand_services.register_demand(
            actor, channel=Channel.WEB, demand_type="help", title=title[:demand_services.MAX_TITLE],
            description=answer.body, region=region, reporter=resident, consent=True,
            note=_("由居民对通知“%(title)s”的回复转来") % {"title": notice.title})
        answer.demand = demand
        answer.save(update_fields=["demand"])
    return demand
