"""The message catalogue: every message the system sends, by key.

A message is stored as its key and its parameters (``OutboxMessage.template`` / ``params``), not
as text: the in-app inbox renders it in the reader's language when it is read, and the SMS channel
sends the provider the key's pre-approved template code (``MINSHENG_SMS_TEMPLATES``) with the
parameters, because mainland SMS providers only send approved templates.  The Chinese text of
each entry is its gettext msgid; the English is in the .po file like every other page text.

Parameters are plain JSON values (numbers, names, dates already formatted).  A parameter that is
itself a word to translate (a project's colour, its status) is stored as its code and named in
``choices`` with the TextChoices that label it, so it too is read in the reader's language.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MessageTemplate:
    key: str
    subject: Promise
    body: Promise | str = ""
    # The text of the SMS (the template registered with the provider, with ${name} or {n} in place of
    # %(name)s); empty: the message is not sent by SMS.
    sms: Promise | str = ""
    # The parameters the SMS template takes, in the order of a positional template (Tencent's {1}, {2}).
    sms_params: tuple[str, ...] = ()
    # parameter → dotted path of the TextChoices whose label shows its stored code
    choices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str


CATALOGUE: dict[str, MessageTemplate] = {t.key: t for t in [
    # --- to the resident who reported a demand (and, later, those who follow it) ----------------
    # In-app the subject links to the tracking page, so the body carries no link; the SMS does.
    MessageTemplate("demand.received", _("您的诉求已受理：%(number)s"),
                    _("请记下编号，凭编号和手机号后四位查询办理进度。"),
                    sms=_("您的诉求已受理，编号%(number)s，可凭编号和手机号后四位查询进度：%(link)s"),
                    sms_params=("number", "link")),
    MessageTemplate("demand.dispatched", _("您的诉求 %(number)s 已交 %(unit)s 办理"),
                    _("承办单位：%(unit)s；办理时限：%(due)s。"),
                    sms=_("您的诉求%(number)s已交%(unit)s办理，时限%(due)s，进度：%(link)s"),
                    sms_params=("number", "unit", "due", "link")),
    MessageTemplate("demand.progress", _("您的诉求 %(number)s 有新进展"), _("%(note)s"),
                    sms=_("您的诉求%(number)s有新进展，详情：%(link)s"), sms_params=("number", "link")),
    MessageTemplate("demand.resolved", _("您的诉求 %(number)s 已办结"), _("办理结果：%(result)s"),
                    sms=_("您的诉求%(number)s已办结，办理结果：%(link)s"), sms_params=("number", "link")),
    MessageTemplate("demand.resolved_with_photos", _("您的诉求 %(number)s 已办结"),
                    _("办理结果：%(result)s\n现场照片 %(photos)s 张，请在查询页查看。"),
                    sms=_("您的诉求%(number)s已办结，办理结果及现场照片：%(link)s"), sms_params=("number", "link")),
    MessageTemplate("demand.invalid", _("您的诉求 %(number)s 经核实不予受理"), _("说明：%(reason)s"),
                    sms=_("您的诉求%(number)s经核实不予受理，说明：%(link)s"), sms_params=("number", "link")),
    MessageTemplate("demand.merged", _("您的诉求 %(number)s 已与诉求 %(target)s 合并办理"),
                    _("同一问题已有诉求 %(target)s 在办理，办理结果会显示在您的诉求查询页。"),
                    sms=_("您的诉求%(number)s已与同一问题的诉求%(target)s合并办理，进度：%(link)s"),
                    sms_params=("number", "target", "link")),
    MessageTemplate("demand.escalated", _("您的诉求 %(number)s 已上报 %(unit)s 协调办理"),
                    _("承办单位：%(unit)s。"),
                    sms=_("您的诉求%(number)s已上报%(unit)s协调办理，进度：%(link)s"),
                    sms_params=("number", "unit", "link")),
    MessageTemplate("demand.revisit_link", _("【民生】您的诉求 %(number)s 已办结，请对办理结果进行评价："),
                    _("评价链接：%(link)s"),
                    sms=_("您的诉求%(number)s已办结，请对办理结果进行评价：%(link)s"), sms_params=("number", "link")),
    MessageTemplate("wish.deferred", _("您的微心愿 %(number)s 暂不具备实现条件：%(text)s"),
                    sms=_("您的微心愿%(number)s暂不具备实现条件：%(text)s"), sms_params=("number", "text")),
    # --- to a resident subscribed to an area's new public reports (maps.subscriptions) -----------
    MessageTemplate("area.new_report", _("%(area)s有新的公开诉求：%(category)s"),
                    _("%(place)s，%(date)s登记，%(state)s。"),
                    sms=_("%(area)s有新的公开诉求：%(category)s，%(date)s登记。"),
                    sms_params=("area", "category", "date"),
                    choices={"state": "minsheng.demands.workflow.State"}),
    # --- a notice to the residents of a region or group (notifications.notices) -------------------
    MessageTemplate("notice.sent", _("%(sender)s通知：%(title)s"), _("%(body)s"),
                    sms=_("【%(sender)s】%(title)s，详情请查看：%(link)s"), sms_params=("sender", "title", "link")),
    MessageTemplate("notice.reply", _("居民回复通知“%(title)s”"), _("%(body)s")),
    # --- a consultation answered from the knowledge base (knowledge.services) --------------------
    MessageTemplate("knowledge.answer", _("您咨询的“%(title)s”答复如下"), _("%(answer)s"),
                    sms=_("您的咨询%(number)s“%(title)s”答复：%(answer)s"),
                    sms_params=("number", "title", "answer")),
    # --- sign-in (sent at once, never through the outbox: the code must not be stored in clear) ----
    MessageTemplate("signin.code", _("您的登录验证码是 %(code)s，%(minutes)s 分钟内有效。"),
                    sms=_("您的登录验证码是%(code)s，%(minutes)s分钟内有效。如非本人操作，请忽略本短信。"),
                    sms_params=("code", "minutes")),
    # --- to staff ------------------------------------------------------------------------------
    MessageTemplate("demand.dispatch", _("新派工单：%(number)s %(title)s"), _("办理时限：%(due)s")),
    MessageTemplate("demand.escalate", _("上报工单：%(number)s %(title)s"), _("办理时限：%(due)s")),
    MessageTemplate("demand.reopen", _("重办工单：%(number)s %(title)s"), _("办理时限：%(due)s")),
    MessageTemplate("demand.supplement", _("居民补充信息：%(number)s %(title)s"), _("%(note)s")),
    MessageTemplate("demand.supplement_with_photos", _("居民补充信息：%(number)s %(title)s"),
                    _("%(note)s（附照片 %(photos)s 张）")),
    MessageTemplate("demand.first_received", _("首问跟踪：%(number)s %(title)s · %(state)s"),
                    _("您单位首问受理的诉求有新进展，办结前请继续跟踪。"),
                    choices={"state": "minsheng.demands.workflow.State"}),
    MessageTemplate("demand.yellow", _("临期提醒：%(number)s %(title)s"), _("该诉求将于 %(due)s 到期，请抓紧办理。")),
    MessageTemplate("demand.red", _("超期提醒：%(number)s %(title)s"), _("该诉求已于 %(due)s 超期，请立即办理。")),
    MessageTemplate("supervision.ordered", _("督办：%(number)s %(title)s"),
                    _("请于 %(due)s 前书面回复。\n%(instruction)s")),
    MessageTemplate("supervision.reply_overdue", _("督办回复超期：%(number)s %(unit)s"),
                    _("%(unit)s 未在 %(due)s 前回复督办。")),
    MessageTemplate("summons.summoned", _("吹哨报到：%(number)s %(title)s"), _("请于 %(due)s 前报到。\n%(reason)s")),
    MessageTemplate("summons.report_overdue", _("报到超期：%(number)s %(unit)s"), _("%(unit)s 未在 %(due)s 前报到。")),
    MessageTemplate("wish.claim_overdue", _("微心愿 %(number)s 已超过承诺日期 %(date)s 未实现"),
                    _("认领方：%(name)s。可督促实现，或退回心愿墙。")),
    MessageTemplate("homecare.cancelled", _("居家养老任务已取消：%(name)s %(day)s %(service)s"), _("%(note)s")),
    MessageTemplate("homecare.unclaimed", _("居家养老任务超时未认领：%(name)s %(service)s")),
    MessageTemplate("projects.status", _("书记项目“%(name)s”：%(colour)s · %(status)s"),
                    _("完成时限 %(deadline)s，完成进度 %(percent)d%%。请及时更新进展。"),
                    choices={"colour": "minsheng.projects.status.Colour", "status": "minsheng.projects.status.Status"}),
    MessageTemplate("knowledge.review_overdue", _("知识库文章到期待复审：%(title)s"),
                    _("该文章的复审日期为 %(date)s，请核对内容是否仍然准确，修改后提交审核。")),
    MessageTemplate("grids.missed_patrol", _("漏巡提醒：%(grid)s %(day)s 巡查 %(done)d/%(planned)d 次")),
    MessageTemplate("care.visit_overdue", _("走访逾期：%(name)s 应于 %(day)s 走访")),
    MessageTemplate("volunteers.application_approved", _("志愿者申请已通过：%(name)s"),
                    _("%(community)s已通过%(name)s的志愿者申请，爱心卡号 %(card)s。")),
    MessageTemplate("volunteers.application_refused", _("志愿者申请未通过：%(name)s"),
                    _("%(community)s未通过%(name)s的志愿者申请。原因：%(reason)s")),
    MessageTemplate("stations.nomination_decided", _("代办员提名：%(name)s %(outcome)s"), _("%(note)s"),
                    choices={"outcome": "minsheng.stations.models.NominationState"}),
    MessageTemplate("stations.team_case", _("服务队有新任务：%(number)s %(title)s"),
                    _("%(team)s 收到一件待认领的任务，先认领者办理。")),
    MessageTemplate("stations.service_notice", _("喜报：%(name)s同志%(year)d年在社区代办服务%(n)d件"),
                    _("贵单位在职党员%(name)s同志按照“双报到”要求到%(station)s报到服务，%(year)d年共代办群众事项"
                      "%(n)d件，特此报喜。")),
]}


def message_template(key: str) -> MessageTemplate:
    try:
        return CATALOGUE[key]
    except KeyError:
        raise LookupError(f"no message {key!r} in the catalogue") from None


def _values(template: MessageTemplate, params: dict[str, Any]) -> dict[str, Any]:
    values = dict(params)
    for name, path in template.choices.items():
        if name in values:
            values[name] = dict(import_string(path).choices).get(values[name], values[name])
    return values


def _fill(text: Promise | str, values: dict[str, Any]) -> str:
    text = str(text)
    try:
        return text % values if text else ""
    except (KeyError, TypeError, ValueError):  # a row written before a parameter was added
        return text


def render(key: str, params: dict[str, Any], language: str | None = None) -> Rendered:
    """The message in ``language`` (the active language when None)."""
    template = message_template(key)
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        values = _values(template, params)
        return Rendered(_fill(template.subject, values), _fill(template.body, values), _fill(template.sms, values))


def render_stored(key: str, params: dict[str, Any], subject: str, body: str) -> tuple[str, str]:
    """A stored message's subject and body in the active language; rows without a key (written
    before the catalogue) and keys no longer in it keep the text stored with them."""
    if key in CATALOGUE:
        rendered = render(key, params or {})
        return rendered.subject, rendered.body
    return subject, body


def sms_template_code(key: str) -> str:
    """The provider's code of the approved template for this message: the one the administrators
    keep in the workbench (``SmsTemplateCode``), else ``MINSHENG_SMS_TEMPLATES``."""
    from .models import SmsTemplateCode

    code = (SmsTemplateCode.objects.filter(message=key).values_list("code", flat=True).first()
            or settings.MINSHENG_SMS_TEMPLATES.get(key, ""))
    if not code:
        raise LookupError(f"no SMS template code for {key!r} in the workbench or MINSHENG_SMS_TEMPLATES")
    return code


def sms_keys() -> list[tuple[str, str]]:
    """(key, SMS text) of every message that is sent by SMS."""
    return [(t.key, str(t.sms)) for t in CATALOGUE.values() if t.sms]


def sms_parameters(key: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """The SMS template's parameters, in order, as the strings the provider takes (in the site's
    language: the approved templates are Chinese)."""
    template = message_template(key)
    with translation.override(settings.LANGUAGE_CODE):
        values = _values(template, params)
    return [(name, str(values.get(name, ""))) for name in template.sms_params]
