"""How demands are classified and routed, and how long handling may take."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from minsheng.organisation.models import Region, TreeNode, Unit


def localised(chinese: str, english: str | None) -> str:
    """The English text on English pages when one is set, else the Chinese."""
    return english if english and (get_language() or "").startswith("en") else chinese


class LocalisedName:
    """``str()`` gives the English name on English pages when one is set, else the Chinese."""

    def __str__(self) -> str:
        return localised(self.name, self.name_en)


class DemandType(LocalisedName, models.Model):
    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=20)
    name_en = models.CharField(_("英文名称"), max_length=40, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诉求类型")
        verbose_name_plural = _("诉求类型")
        ordering = ["order", "code"]


class Category(LocalisedName, TreeNode):
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("上级分类"))
    code = models.CharField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    keywords = models.CharField(_("关键词"), max_length=255, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["path"]


class TimeLimitPolicy(LocalisedName, models.Model):
    """An urgency level with its handling limit and the limit for first contact."""

    class LimitUnit(models.TextChoices):
        HOURS = "hours", _("小时（自然时）")
        WORKDAYS = "workdays", _("工作日")

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    handle_amount = models.PositiveIntegerField(_("办理时限"))
    handle_unit = models.CharField(_("时限单位"), max_length=10, choices=LimitUnit.choices)
    contact_hours = models.PositiveIntegerField(_("联系居民时限（小时）"), default=24)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return _("%(name)s（%(amount)d %(unit)s）") % {
            "name": super().__str__(), "amount": self.handle_amount, "unit": self.get_handle_unit_display()}

    def clean(self) -> None:
        if self.handle_amount == 0:
            raise ValidationError({"handle_amount": _("办理时限必须大于零。")})


class DispatchRule(models.Model):
    """Category × region → the unit responsible (权责清单), and the matter's time limit where
    the list sets one.  Blank region means everywhere (the whole district, or city)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="dispatch_rules",
                                 verbose_name=_("分类"))
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("区域"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="dispatch_rules",
                             verbose_name=_("承办单位"))
    # 物业类事项: the unit is then the property company of the estate the demand lies in (its region
    # or an ancestor is an estate with a company); ``unit`` answers where no such company is known.
    to_estate_property = models.BooleanField(_("交小区物业办理"), default=False,
                                             help_text=_("勾选后派给诉求所在小区的物业服务企业；小区未登记物业时派给上面的承办单位"))
    time_limit = models.ForeignKey(TimeLimitPolicy, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("办理时限"),
                                   help_text=_("为空时按诉求的紧急程度"))

    class Meta:
        verbose_name = _("派单目录")
        verbose_name_plural = _("派单目录")
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="dispatch_rule_unique"),
            models.UniqueConstraint(fields=["category"], condition=models.Q(region__isnull=True),
                                    name="dispatch_rule_unique_district_wide"),
        ]

    def __str__(self) -> str:
        region = self.region or _("全区")
        return f"{self.category} · {region} → {self.unit}"


class CalendarOverride(models.Model):
    """A local exception to the official holiday calendar (a local holiday, a make-up day)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {_('工作日') if self.is_workday else _('休息日')}"


class ServiceAttribute(models.Model):
    """An extra question asked when a demand of one category is filed (Open311's service
    definition): its answer is kept on the registration event."""

    class Datatype(models.TextChoices):
        STRING = "string", _("短文本")
        NUMBER = "number", _("数字")
        DATETIME = "datetime", _("日期时间")
        TEXT = "text", _("长文本")
        SINGLEVALUELIST = "singlevaluelist", _("单选")
        MULTIVALUELIST = "multivaluelist", _("多选")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes",
                                 verbose_name=_("分类"))
    code = models.SlugField(_("编码"), max_length=32)
    description = models.CharField(_("问题"), max_length=200)
    description_en = models.CharField(_("英文问题"), max_length=200, blank=True)
    datatype = models.CharField(_("数据类型"), max_length=16, choices=Datatype.choices)
    datatype_description = models.CharField(_("填写说明"), max_length=200, blank=True)
    required = models.BooleanField(_("必填"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    values = models.JSONField(_("选项"), default=list, blank=True,
                              help_text=_('单选、多选的选项：[{"key": "编码", "name": "名称"}, …]'))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求附加信息项")
        verbose_name_plural = _("诉求附加信息项")
        ordering = ["category", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="service_attribute_unique")]

    def __str__(self) -> str:
        return f"{self.category} · {self.code}"

    @property
    def is_list(self) -> bool:
        return self.datatype in (self.Datatype.SINGLEVALUELIST, self.Datatype.MULTIVALUELIST)

    def clean(self) -> None:
        keys = [v.get("key") for v in self.values if isinstance(v, dict)] if isinstance(self.values, list) else None
        well_formed = bool(keys) and len(keys) == len(self.values) and len(set(keys)) == len(keys) and all(
            isinstance(k, str) and k for k in keys)
        if self.is_list and not well_formed:
            raise ValidationError({"values": _("单选、多选必须给出选项，每项有不重复的 key 和 name。")})
        if not self.is_list and self.values:
            raise ValidationError({"values": _("只有单选、多选才能有选项。")})

    def localised_description(self) -> str:
        return localised(self.description, self.description_en)
