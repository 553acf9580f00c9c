"""Recruiting volunteers (issue #32 item 6; 长白 recruited 12,000 with 10,000 letters): a signed-in
resident applies, for themselves or recommending a neighbour (the recommender is recorded), and the
community's staff approve or refuse with a reason.  Approval goes through ``register_volunteer``, the
registry's one way in, so an approved applicant is a Volunteer like any other (card, role, teams).
The applicant hears of the decision through the notification outbox (a catalogue key and its
parameters)."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, ValidationFailed
from minsheng.notifications.services import notify_users
from minsheng.organisation.models import Region
from minsheng.people.models import Resident
from minsheng.people.services import find_or_register_resident
from minsheng.people.validation import normalise_phone

from .models import Volunteer, VolunteerApplication
from .services import _categories, check_organiser, register_volunteer

MAX_REASON = 255


def _duplicate(applicant: Resident, *, recommended: bool) -> None:
    """One volunteer record and one pending application per person.  A recommender is told only that
    the person cannot be recommended now, never whose record it is."""
    if Volunteer.objects.filter(resident=applicant).exists():
        raise ValidationFailed(_("该居民已是注册志愿者，无需再申请。") if recommended
                               else _("你已是注册志愿者，无需再申请。"))
    pending = VolunteerApplication.objects.filter(applicant=applicant,
                                                  state=VolunteerApplication.State.PENDING).first()
    if pending is not None:
        raise ValidationFailed(
            _("该居民已有一份待社区审核的志愿者申请，请勿重复提交。") if recommended
            else _("你已于 %(date)s 提交过志愿者申请，社区正在审核，请勿重复提交。")
            % {"date": timezone.localtime(pending.created_at).strftime("%Y-%m-%d")})


def apply(account, *, applicant: Resident, region: Region, categories, skills: str = "", availability: str = "",
          statement: str = "", consent: bool = False, recommended: dict | None = None) -> VolunteerApplication:
    """File an application.  ``applicant`` is the account's own resident record; with ``recommended``
    ({"name", "phone"}) the account's resident recommends that person instead (found by phone, or
    registered as a resident of ``region``)."""
    if region is None or region.kind != Region.Kind.COMMUNITY:
        raise ValidationFailed.for_field("region", _("请选择服务社区。"))
    categories = _categories(categories)
    if not consent:
        raise ValidationFailed.for_field("consent", _("请确认同意社区登记和使用申请信息。"))
    recommender = None
    if recommended is not None:
        name = (recommended.get("name") or "").strip()
        if not name:
            raise ValidationFailed.for_field("name", _("请填写被推荐人的姓名。"))
        try:
            phone = normalise_phone(recommended.get("phone") or "")
        except ValidationFailed as exc:
            raise ValidationFailed.for_field("phone", exc.message) from None
        if phone == applicant.phone:
            raise ValidationFailed.for_field("phone", _("推荐他人时请填写被推荐人的电话；为自己申请请选择“本人申请”。"))
        recommender = applicant
        applicant = find_or_register_resident(name=name[:50], phone=phone, region=region)
    _duplicate(applicant, recommended=recommender is not None)
    try:
        with transaction.atomic():
            return VolunteerApplication.objects.create(
                applicant=applicant, recommender=recommender, submitted_by=account, region=region,
                categories=categories, skills=(skills or "").strip()[:200],
                availability=(availability or "").strip()[:100], statement=(statement or "").strip()[:500],
                consent=True, created_at=clock.now())
    except IntegrityError:  # a second submission raced this one past the check
        raise ValidationFailed(_("已有一份待审核的申请，请勿重复提交。")) from None


def _pending(application_id: int) -> VolunteerApplication:
    application = (VolunteerApplication.objects.select_for_update(of=("self",))
                   .select_related("applicant", "region").filter(pk=application_id).first())
    if application is None:
        raise NotFound(_("志愿者申请不存在。"))
    if application.state != VolunteerApplication.State.PENDING:
        raise InvalidTransition(_("该申请已审核（%(state)s），不能再次审核。") % {
            "state": application.get_state_display()})
    return application


def _tell(application: VolunteerApplication, message: str, params: dict) -> None:
    users = [r.user for r in (application.applicant, application.recommender) if r is not None and r.user_id]
    notify_users(users, message=message, params=params, link=reverse("volunteers:apply"),
                 source="volunteers.application")


def approve(actor, application_id: int) -> VolunteerApplication:
    """The community approves: the applicant is registered (card number, the volunteer role for an
    account) in the same transaction as the decision."""
    with transaction.atomic():
        application = _pending(application_id)
        check_organiser(actor, application.region)
        volunteer = register_volunteer(actor, resident=application.applicant, region=application.region,
                                       categories=application.categories, skills=application.skills,
                                       availability=application.availability)
        application.state = VolunteerApplication.State.APPROVED
        application.volunteer, application.decided_by, application.decided_at = volunteer, actor, clock.now()
        application.save(update_fields=["state", "volunteer", "decided_by", "decided_at"])
        _tell(application, "volunteers.application_approved",
              {"name": application.applicant.name, "community": application.region.name,
               "card": volunteer.card_number})
    return application


def refuse(actor, application_id: int, *, reason: str) -> VolunteerApplication:
    """The community refuses, with a reason the applicant reads."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.for_field("reason", _("请填写未通过的原因。"))
    if len(reason) > MAX_REASON:
        raise ValidationFailed.for_field("reason", _("原因不能超过%(n)d个字。") % {"n": MAX_REASON})
    with transaction.atomic():
        application = _pending(application_id)
        check_organiser(actor, application.region)
        application.state = VolunteerApplication.State.REFUSED
        application.reason, application.decided_by, application.decided_at = reason, actor, clock.now()
        application.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        _tell(application, "volunteers.application_refused",
              {"name": application.applicant.name, "community": application.region.name, "reason": reason})
    return application
