"""What other systems need to talk to Minsheng: API keys, remembered answers to retried
creates (idempotency), and Open311 tokens."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand
from minsheng.organisation.models import Region


class ApiKey(models.Model):
    """A key an integration (the 12345 platform, a mini-program, the 110 centre…) presents.

    Only a hash of the secret is stored.  The key acts as ``user``, whose memberships give
    its role and scope; the key narrows that further to ``region`` and ``actions``.
    """

    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(_("密钥摘要"), max_length=64, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_keys",
                             verbose_name=_("代表的账号"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("限定区域"))
    actions = models.JSONField(_("允许的操作"), default=list, blank=True,
                               help_text=_("“read”表示查询，“register”表示新建，其余为流转动作编码。"))
    rate_per_minute = models.PositiveIntegerField(_("每分钟请求上限"), default=600)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def allows(self, action: str) -> bool:
        return action in self.actions


class IdempotencyRecord(models.Model):
    """The first answer to a create sent with an ``Idempotency-Key``; a retry with the same
    key gets this answer again instead of a second demand."""

    owner = models.CharField(_("调用方"), max_length=40)  # "key:<id>" or "user:<id>"
    key = models.CharField(_("幂等键"), max_length=255)
    request_hash = models.CharField(_("请求摘要"), max_length=64)
    status = models.PositiveSmallIntegerField(_("响应状态"))
    body = models.JSONField(_("响应内容"))
    demand = models.ForeignKey(Demand, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("诉求"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class Open311Token(models.Model):
    """The token answered to an Open311 POST, resolvable later through ``tokens/{token}``."""

    token = models.CharField(_("令牌"), max_length=40, unique=True)
    demand = models.OneToOneField(Demand, on_delete=models.PROTECT, related_name="open311_token",
                                  verbose_name=_("诉求"))
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="+", verbose_name=_("接口密钥"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 令牌")
        verbose_name_plural = _("Open311 令牌")

    def __str__(self) -> str:
        return self.token
