"""The outbox (every message to send, written in the transaction of what caused it) and
the in-app inbox (the in-app channel's delivery target)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .catalogue import render_stored


class OutboxMessage(models.Model):
    """One message to one recipient over one channel.  The worker claims it under a lease,
    hands it to the channel with its ``delivery_id`` and marks it delivered; after too many
    failures it becomes a dead letter an administrator may retry."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        DELIVERED = "delivered", _("已送达")
        DEAD = "dead", _("发送失败")

    delivery_id = models.UUIDField(_("投递编号"), default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("渠道"), max_length=16)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("接收人"))
    address = models.CharField(_("地址"), max_length=255, blank=True, help_text=_("邮箱或手机号"))
    # The message: its catalogue key and parameters (``catalogue.py``); subject and body are its
    # text in the site's language, kept for the record (the admin, the grouped inbox's fallback).
    key = models.CharField(_("消息模板"), max_length=64, blank=True, default="")
    params = models.JSONField(_("参数"), default=dict, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=255, blank=True)
    source = models.CharField(_("来源"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        ordering = ["pk"]
        # Partial indexes: a delivered message (nearly every row) is in none of them.  ``outbox_due``
        # serves the worker's claim (due messages by time), ``outbox_pending_since`` finds the oldest
        # pending message (the months the claim reads on PostgreSQL, where the table is partitioned
        # by month of ``created_at``: ops.partitions), ``outbox_dead`` counts the dead letters.
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], condition=models.Q(status="pending"), name="outbox_due"),
            models.Index(fields=["created_at"], condition=models.Q(status="pending"), name="outbox_pending_since"),
            models.Index(fields=["created_at"], condition=models.Q(status="dead"), name="outbox_dead"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.delivery_id} {self.subject}"


class InAppNotification(models.Model):
    """A message in a user's inbox on the staff pages.  ``delivery_id`` is unique, so a
    message delivered again after a worker crash lands once."""

    delivery_id = models.UUIDField(_("投递编号"), unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox",
                                  verbose_name=_("接收人"))
    # Rendered from key and params in the reader's language when read (``text``); messages stored
    # before the catalogue have no key and show the Chinese subject and body stored with them.
    key = models.CharField(_("消息模板"), max_length=64, blank=True, default="")
    params = models.JSONField(_("参数"), default=dict, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=255, blank=True)
    # What the message is about, for the inbox's filter: the outbox source's first part ("red",
    # "supervision", "demand", …), which its sender chose; this app does not interpret it.
    kind = models.CharField(_("类型"), max_length=40, blank=True, default="")
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject

    @cached_property
    def text(self) -> tuple[str, str]:
        """(subject, body) in the active language."""
        return render_stored(self.key, self.params, self.subject, self.body)

    @property
    def title(self) -> str:
        return self.text[0]

    @property
    def content(self) -> str:
        return self.text[1]


class SmsTemplateCode(models.Model):
    """The provider's code of the approved SMS template for one message of the catalogue, kept by
    the city's administrators in the workbench; ``MINSHENG_SMS_TEMPLATES`` in the settings still
    answers for a message that has no row."""

    message = models.CharField(_("消息"), max_length=80, unique=True)
    code = models.CharField(_("模板编号"), max_length=40,
                            help_text=_("服务商审核通过的模板编号，如 SMS_123456789（阿里云）或 1234567（腾讯云）。"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("短信模板编号")
        verbose_name_plural = _("短信模板编号")
        ordering = ["message"]

    def __str__(self) -> str:
        return self.message

    @property
    def sms_text(self) -> str:
        from .catalogue import CATALOGUE

        template = CATALOGUE.get(self.message)
        return str(template.sms) if template is not None else self.message


class SmsOptOut(models.Model):
    """A phone number whose owner asked for no more text messages about their demands.  Kept by
    number, not on the resident: hotline callers without an account opt out too, and a number is
    what the SMS channel has."""

    phone = models.CharField(_("手机号"), max_length=20, unique=True)
    created_at = models.DateTimeField(_("退订时间"))

    class Meta:
        verbose_name = _("短信退订")
        verbose_name_plural = _("短信退订")

    def __str__(self) -> str:
        return self.phone


class Notice(models.Model):
    """A notice to the residents of a region (grid, estate, building, unit) or of a group in it
    (a vulnerable tag: elders living alone, people in difficulty): one ``NoticeRecipient`` per
    resident reached, sent in-app, by SMS template and as a printable letter per household."""

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notices_sent",
                               verbose_name=_("发送人"))
    region = models.ForeignKey("organisation.Region", on_delete=models.PROTECT, related_name="notices",
                               verbose_name=_("发送范围"))
    tag = models.ForeignKey("people.VulnerableTag", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+", verbose_name=_("人群"), help_text=_("为空时发给范围内全部居民"))
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"), max_length=2000)
    by_sms = models.BooleanField(_("短信"), default=False)
    by_letter = models.BooleanField(_("纸质信（每户一页）"), default=False)
    created_at = models.DateTimeField(_("发送时间"))

    class Meta:
        verbose_name = _("居民通知")
        verbose_name_plural = _("居民通知")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class NoticeRecipient(models.Model):
    """One resident a notice reached: when it was delivered (in-app or SMS) and read."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("通知"))
    resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, related_name="notices",
                                 verbose_name=_("居民"))
    in_app = models.BooleanField(_("站内送达"), default=False)  # the resident has an account to read it in
    # No database constraint: on PostgreSQL the outbox is partitioned by month and its key is
    # (id, created_at), which a foreign key on ``id`` alone cannot reference; Django still sets it to
    # NULL when the message is deleted.  A detached (archived) month's message is simply not found.
    sms = models.ForeignKey(OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            db_constraint=False, verbose_name=_("短信"))
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知接收人")
        verbose_name_plural = _("通知接收人")
        constraints = [models.UniqueConstraint(fields=["notice", "resident"], name="notice_recipient_once")]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.resident_id}"


class NoticeReply(models.Model):
    """A resident's reply to a notice, in-app; staff may turn it into a demand (``demand``)."""

    recipient = models.ForeignKey(NoticeRecipient, on_delete=models.CASCADE, related_name="replies",
                                  verbose_name=_("接收人"))
    body = models.TextField(_("回复内容"), max_length=1000)
    created_at = models.DateTimeField(_("回复时间"))
    demand = models.OneToOneField("demands.Demand", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="notice_reply", verbose_name=_("转为诉求"))

    class Meta:
        verbose_name = _("通知回复")
        verbose_name_plural = _("通知回复")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:30]
