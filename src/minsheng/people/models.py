"""Residents, their vulnerable-group tags, and the log of every unmasked view."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minsheng.organisation.models import Region

from .validation import mask_id_number, mask_phone


class VulnerableTag(models.Model):
    """A vulnerable group (低保, 失独, 独居老人…): demands from its members are served first."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=1, help_text=_("数字越大越优先"))

    class Meta:
        verbose_name = _("困难群体标签")
        verbose_name_plural = _("困难群体标签")
        ordering = ["-priority", "code"]

    def __str__(self) -> str:
        return self.name


class Resident(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, unique=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, default="")
    address = models.CharField(_("住址"), max_length=255, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="residents",
                               verbose_name=_("所属区域"))
    # The household (户) the resident belongs to: a dwelling of the house register (grids.House),
    # under its building and unit.  Notices to a building or unit reach residents through it.
    house = models.ForeignKey("grids.House", null=True, blank=True, on_delete=models.SET_NULL, related_name="residents",
                              verbose_name=_("所在户"))
    tags = models.ManyToManyField(VulnerableTag, blank=True, related_name="residents", verbose_name=_("困难群体"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="resident", verbose_name=_("登录账号"))
    # The WeChat official account's openid for this resident, bound once the resident proved the
    # phone with a text-message code after WeChat authorisation (never from WeChat alone).
    wechat_openid = models.CharField(_("微信 OpenID"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        indexes = [models.Index(fields=["name"])]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], condition=~models.Q(id_number=""),
                                    name="resident_unique_id_number"),
            models.UniqueConstraint(fields=["wechat_openid"], condition=~models.Q(wechat_openid=""),
                                    name="resident_unique_wechat_openid"),
        ]

    def __str__(self) -> str:
        return gettext("%(name)s（%(note)s）") % {"name": self.name, "note": self.masked_phone}

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class PersonalDataAccess(models.Model):
    """One unmasked view of a resident's personal data: who, whose, what, why, when."""

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("查看人"))
    # Empty for a search by phone that matched no resident (a house's or an enterprise's phone, or
    # nothing at all): the search itself is what is logged, ``subject`` says what was looked for.
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.CASCADE, related_name="accesses",
                                 verbose_name=_("居民"))
    subject = models.CharField(_("查找内容"), max_length=100, blank=True)
    fields = models.CharField(_("字段"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=200)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.resident_id} {self.fields}"


class SignInCode(models.Model):
    """A one-time code sent by text message to sign a resident in by phone.

    Only a keyed hash of the code is kept (a 6-digit code hashed without a secret key is found
    by trying the million of them).  The rows double as the count behind the sending limits (per
    phone and per client address in the last hour), which therefore hold across processes."""

    phone = models.CharField(_("手机号码"), max_length=20)
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    client = models.CharField(_("客户端地址"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    failed_attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录验证码")
        verbose_name_plural = _("登录验证码")
        indexes = [models.Index(fields=["phone", "created_at"], name="signin_code_phone"),
                   models.Index(fields=["client", "created_at"], name="signin_code_client")]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} {self.created_at:%Y-%m-%d %H:%M}"
