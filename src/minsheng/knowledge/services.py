"""The knowledge base's rules: writing articles, the centre's approval, versions, the review sweep,
and answering a consultation on the call.

An article's life: its owner unit writes a draft → submits it → the centre approves it, which
publishes the working copy as a new numbered ``ArticleVersion`` (kept for ever) → the owner edits
it again (a draft over the live version, which stays what operators read) → … → withdrawn.  The
full-text index (``search``) holds the words of each live article's current version, written in
the transaction that publishes or withdraws it.

Answering on the call goes through the demand workflow: ``answer_consultation`` registers the
consultation and takes the ``answer_directly`` row (closed at once, the article and version on the
event) or, for an article kept by an expert seat, the ``refer_to_expert`` row (to the owner unit's
queue) — both in one transaction with the registration.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.catalogue.models import Category
from minsheng.core import clock
from minsheng.core.dates import check_date
from minsheng.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from minsheng.demands import services as demand_services
from minsheng.demands.models import Demand
from minsheng.notifications.services import enqueue, notify_users, sms_opted_out, staff_users_of_units
from minsheng.organisation.models import Region, Unit
from minsheng.search import index
from minsheng.search.segmenter import tokens

from .access import is_centre, may_edit
from .models import SEARCH_TABLE, Article, ArticleVersion

MAX_ANSWER = 4000
MAX_LIST = 2000
MAX_NOTE = 1000
# The answer as texted to a resident: an SMS template's parameter is kept short.
SMS_ANSWER_CHARS = 300
Status = Article.Status



# --- the article's fields --------------------------------------------------------------

def _text(value: Any, field: str, label: str, max_length: int, *, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed.for_field(field, _("请填写%(label)s。") % {"label": label})
    if len(text) > max_length:
        raise ValidationFailed.for_field(field, _("%(label)s不能超过%(n)d个字。") % {"label": label, "n": max_length})
    return text


def _category(value) -> Category | None:
    if value in (None, ""):
        return None
    if isinstance(value, Category):
        return value
    found = Category.objects.filter(**({"pk": value} if str(value).isdigit() else {"code": value}), active=True).first()
    if found is None:
        raise ValidationFailed.for_field("category", _("分类“%(value)s”不存在或已停用。") % {"value": value})
    return found


def _regions(values) -> list[Region]:
    regions = []
    for value in values or ():
        if isinstance(value, Region):
            regions.append(value)
            continue
        found = Region.objects.filter(**({"pk": value} if str(value).isdigit() else {"code": value})).first()
        if found is None:
            raise ValidationFailed.for_field("regions", _("区域“%(value)s”不存在。") % {"value": value})
        regions.append(found)
    return regions


def _owner(actor, value) -> Unit:
    unit = value if isinstance(value, Unit) else Unit.objects.filter(
        **({"pk": value} if str(value or "").isdigit() else {"code": value or ""})).first()
    if unit is None or not unit.active:
        raise ValidationFailed.for_field("owner_unit", _("请选择维护单位。"))
    if not may_edit(actor, unit):
        raise PermissionDenied(_("你不能维护“%(unit)s”的知识库文章。") % {"unit": unit.name})
    return unit


def _review_by(value) -> date:
    if not isinstance(value, date):
        raise ValidationFailed.for_field("review_by", _("请填写复审日期。"))
    check_date(value, "review_by")
    if value < clock.today():
        raise ValidationFailed.for_field("review_by", _("复审日期不能早于今天。"))
    return value


def clean_fields(actor, *, title, answer, materials="", where_when="", legal_basis="", category=None,
                 regions=(), owner_unit, expert_seat=False, review_by) -> dict[str, Any]:
    """The article's fields as the services store them, or the refusal naming the field."""
    return {
        "title": _text(title, "title", _("标题"), 100, required=True),
        "answer": _text(answer, "answer", _("答复口径"), MAX_ANSWER, required=True),
        "materials": "\n".join(line.strip() for line in _text(materials, "materials", _("一次性告知材料"),
                                                               MAX_LIST, required=False).splitlines()
                               if line.strip()),
        "where_when": _text(where_when, "where_when", _("办理地点和时间"), MAX_NOTE, required=False),
        "legal_basis": _text(legal_basis, "legal_basis", _("政策依据"), MAX_NOTE, required=False),
        "category": _category(category),
        "regions": _regions(regions),
        "owner_unit": _owner(actor, owner_unit),
        "expert_seat": bool(expert_seat),
        "review_by": _review_by(review_by),
    }


def _lock(article_id: int) -> Article:
    try:
        return Article.objects.select_for_update(of=("self",)).select_related("owner_unit").get(pk=article_id)
    except (Article.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("文章不存在。")) from None


def _require_editor(actor, article: Article) -> None:
    if not may_edit(actor, article.owner_unit):
        raise PermissionDenied(_("只有维护单位可以修改这篇文章。"))


# --- writing, approving, withdrawing -------------------------------------------------------

def create_article(actor, **fields) -> Article:
    """A new draft by its owner unit (``clean_fields``'s arguments)."""
    cleaned = clean_fields(actor, **fields)
    regions = cleaned.pop("regions")
    now = clock.now()
    with transaction.atomic():
        article = Article.objects.create(**cleaned, status=Status.DRAFT, created_at=now, updated_at=now,
                                         updated_by=actor)
        article.regions.set(regions)
    return article


def update_article(actor, article_id: int, **fields) -> Article:
    """The owner unit edits its working copy; a published article stays live with its current
    version until the centre approves the new one."""
    with transaction.atomic():
        article = _lock(article_id)
        _require_editor(actor, article)
        cleaned = clean_fields(actor, **fields)
        regions = cleaned.pop("regions")
        for name, value in cleaned.items():
            setattr(article, name, value)
        article.status, article.reject_reason = Status.DRAFT, ""
        article.updated_at, article.updated_by = clock.now(), actor
        article.save()
        article.regions.set(regions)
        if article.current_id is not None:
            _index(article)  # the regions may have changed; the words stay the live version's
    return article


def submit_article(actor, article_id: int) -> Article:
    """The owner unit asks the centre to publish its working copy."""
    with transaction.atomic():
        article = _lock(article_id)
        _require_editor(actor, article)
        if article.status not in (Status.DRAFT, Status.WITHDRAWN):
            raise InvalidTransition(_("文章当前为“%(status)s”，不能提交审核。")
                                    % {"status": article.get_status_display()})
        _review_by(article.review_by)
        article.status, article.reject_reason = Status.SUBMITTED, ""
        article.updated_at, article.updated_by = clock.now(), actor
        article.save(update_fields=["status", "reject_reason", "updated_at", "updated_by"])
    return article


def _submitted(actor, article_id: int) -> Article:
    if not is_centre(actor):
        raise PermissionDenied(_("只有接诉即办中心可以审核知识库文章。"))
    article = _lock(article_id)
    if article.status != Status.SUBMITTED:
        raise InvalidTransition(_("文章当前为“%(status)s”，不在待审核状态。")
                                % {"status": article.get_status_display()})
    return article


def approve_article(actor, article_id: int) -> ArticleVersion:
    """The centre publishes the submitted copy as the next version; it is what operators read from now on."""
    with transaction.atomic():
        article = _submitted(actor, article_id)
        number = (article.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = ArticleVersion.objects.create(
            article=article, number=number, title=article.title, answer=article.answer,
            materials=article.materials, where_when=article.where_when, legal_basis=article.legal_basis,
            expert_seat=article.expert_seat, review_by=article.review_by, submitted_by=article.updated_by,
            approved_by=actor, published_at=clock.now())
        article.current, article.status, article.review_flagged_for = version, Status.PUBLISHED, None
        article.save(update_fields=["current", "status", "review_flagged_for"])
        _index(article)
    return version


def reject_article(actor, article_id: int, *, reason: str) -> Article:
    """The centre sends the copy back to its owner with the reason; a live version stays live."""
    reason = _text(reason, "reason", _("退回原因"), 200, required=True)
    with transaction.atomic():
        article = _submitted(actor, article_id)
        article.status, article.reject_reason = Status.DRAFT, reason
        article.save(update_fields=["status", "reject_reason"])
    return article


def withdraw_article(actor, article_id: int) -> Article:
    """撤下: operators and residents no longer read it (its versions stay, cited by past demands)."""
    with transaction.atomic():
        article = _lock(article_id)
        if not (may_edit(actor, article.owner_unit) or is_centre(actor)):
            raise PermissionDenied(_("只有维护单位或接诉即办中心可以撤下文章。"))
        if article.status == Status.WITHDRAWN:
            raise InvalidTransition(_("文章已撤下。"))
        article.status = Status.WITHDRAWN
        article.updated_at, article.updated_by = clock.now(), actor
        article.save(update_fields=["status", "updated_at", "updated_by"])
        index.delete_documents([article.pk], table=SEARCH_TABLE)
    return article


# --- the full-text index -------------------------------------------------------------------

def document_words(version: ArticleVersion) -> list[str]:
    """The words of an article's document: its live version's title, answer and materials."""
    return tokens(version.title, version.answer, version.materials)


def _index(article: Article) -> None:
    if article.live:
        index.write_documents([(article.pk, document_words(article.current))], table=SEARCH_TABLE)
    else:
        index.delete_documents([article.pk], table=SEARCH_TABLE)


def rebuild_index() -> int:
    """Every live article's document again (``rebuild_search`` runs it after the demands')."""
    from django.db import connection

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{SEARCH_TABLE}"')
        live = Article.objects.filter(current__isnull=False).exclude(status=Status.WITHDRAWN).select_related("current")
        return index.write_documents(((a.pk, document_words(a.current)) for a in live.iterator()),
                                     new=True, table=SEARCH_TABLE)


# --- review dates ----------------------------------------------------------------------------

def overdue_q():
    from django.db.models import Q

    return Q(current__isnull=False, review_by__lt=clock.today()) & ~Q(status=Status.WITHDRAWN)


def flag_overdue_reviews() -> int:
    """The worker's sweep: each live article past its review date is told once (per date) to its
    owner unit's inbox.  Returns the number of articles told."""
    told = 0
    for article in Article.objects.filter(overdue_q()).select_related("owner_unit").order_by("pk"):
        with transaction.atomic():
            claimed = Article.objects.filter(pk=article.pk).exclude(review_flagged_for=article.review_by).update(
                review_flagged_for=article.review_by)
            if not claimed:
                continue  # another sweep told it first
            notify_users(staff_users_of_units([article.owner_unit_id]), message="knowledge.review_overdue",
                         params={"title": article.title, "date": article.review_by.isoformat()},
                         link=f"/work/knowledge/{article.pk}/", source=f"knowledge.review:{article.pk}")
            told += 1
    return told


# --- answering on the call -----------------------------------------------------------------

def live_article(article_id) -> Article:
    """A live article by id, with its current version (what an operator may answer from)."""
    article = Article.objects.select_related("current", "owner_unit").filter(pk=article_id).first() \
        if str(article_id).isdigit() else None
    if article is None or not article.live:
        raise ValidationFailed.for_field("article", _("该知识库文章不存在或已撤下。"))
    return article


def answer_text(version: ArticleVersion) -> str:
    """The answer as recorded on the demand: the article's answer and its 一次性告知 list."""
    parts = [version.answer]
    if version.materials_list:
        parts.append(_("所需材料：") + "；".join(version.materials_list))
    if version.where_when:
        parts.append(_("办理地点和时间：") + version.where_when)
    return "\n".join(parts)[:demand_services.MAX_DESCRIPTION]


def answer_consultation(actor, *, article_id, send_sms: bool = False, **registration) -> Demand:
    """Register a consultation (``register_demand``'s arguments) and, in the same transaction,
    close it with the article's answer (``answer_directly``) — or, for an expert-seat article, send
    it to the owner unit (``refer_to_expert``).  ``send_sms`` texts the answer to the caller."""
    article = live_article(article_id)
    version = article.current
    with transaction.atomic():
        demand = demand_services.register_demand(actor, **registration)
        if version.expert_seat:
            note = _("知识库文章“%(title)s”由专家座席答复。") % {"title": version.title}
            return demand_services.refer_to_expert(actor, demand.pk, demand.version, unit=article.owner_unit,
                                                   article_id=article.pk, article_version=version.number, note=note)
        demand = demand_services.answer_directly(actor, demand.pk, demand.version, article_id=article.pk,
                                                 article_version=version.number, result=answer_text(version))
        if send_sms:
            _text_answer(demand, version)
    return demand


def _text_answer(demand: Demand, version: ArticleVersion) -> None:
    phone = demand.reporter.phone if demand.reporter_id else ""
    if not phone:
        raise ValidationFailed.for_field("phone", _("没有来电号码，不能发送答复短信。"))
    if sms_opted_out(phone):
        raise ValidationFailed.for_field("send_sms", _("该号码已退订短信，请口头告知。"))
    answer = answer_text(version)
    if len(answer) > SMS_ANSWER_CHARS:
        answer = answer[:SMS_ANSWER_CHARS - 1] + "…"
    enqueue(channel="sms", message="knowledge.answer", params={"number": demand.number, "title": version.title,
                                                               "answer": answer},
            address=phone, source=f"knowledge.answer:{demand.pk}")


def editable_units_exist(user) -> bool:
    """Whether ``user`` writes articles for some unit (the list's 新建 button)."""
    from .access import editable_units

    return editable_units(user).exists()
