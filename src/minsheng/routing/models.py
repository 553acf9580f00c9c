"""The router's registry of trained models, its suggestions and dispatchers' corrections,
and proactive-governance items made from hot issues."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.catalogue.models import Category
from minsheng.demands.models import Demand
from minsheng.organisation.models import Region


class RouterModel(models.Model):
    """One trained category model.  Exactly one may be active; the file is checked against
    its sha256 when loaded."""

    version = models.CharField(_("版本"), max_length=40, unique=True)
    path = models.CharField(_("模型文件"), max_length=500)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    labels = models.JSONField(_("分类编码"), default=list)
    metrics = models.JSONField(_("评估指标"), default=dict, blank=True)
    training = models.JSONField(_("训练数据"), default=dict, blank=True)
    trained_at = models.DateTimeField(_("训练时间"))
    active = models.BooleanField(_("启用"), default=False)

    class Meta:
        verbose_name = _("分类模型")
        verbose_name_plural = _("分类模型")
        ordering = ["-trained_at"]
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="router_model_one_active")]

    def __str__(self) -> str:
        return self.version


class Suggestion(models.Model):
    """The categories the active model suggested for a demand, likeliest first."""

    demand = models.OneToOneField(Demand, on_delete=models.CASCADE, related_name="routing_suggestion",
                                  verbose_name=_("诉求"))
    model_version = models.CharField(_("模型版本"), max_length=40)
    top = models.JSONField(_("建议"), default=list)  # [[category code, probability], …]
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("分类建议")
        verbose_name_plural = _("分类建议")

    def __str__(self) -> str:
        return f"{self.demand_id}: {self.top[:1]}"

    @property
    def best(self) -> tuple[str, float] | None:
        return (self.top[0][0], float(self.top[0][1])) if self.top else None


class Correction(models.Model):
    """A dispatcher chose another category than the model's first suggestion.  Retraining
    with ``--from-demands`` learns from these."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="routing_corrections",
                               verbose_name=_("诉求"))
    text = models.TextField(_("文本"))
    suggested = models.CharField(_("建议分类"), max_length=64)
    chosen = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("确定分类"))
    model_version = models.CharField(_("模型版本"), max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("操作人"))
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("分类纠正")
        verbose_name_plural = _("分类纠正")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.demand_id}: {self.suggested} → {self.chosen}"


class GovernanceItem(models.Model):
    """主动治理 (未诉先办): a problem many residents share, taken up before more of them call."""

    title = models.CharField(_("标题"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("区域"))
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("分类"))
    demands = models.ManyToManyField(Demand, related_name="governance_items", verbose_name=_("相关诉求"))
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("主动治理事项")
        verbose_name_plural = _("主动治理事项")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class DuplicateSignature(models.Model):
    """A demand's text fingerprint (MinHash of its character bigrams, for the hot issues) with the
    fields the duplicate search filters on, kept flat so that one indexed query lists the open
    demands around a place in a time window."""

    demand = models.OneToOneField(Demand, on_delete=models.CASCADE, primary_key=True, related_name="+")
    grid = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    is_open = models.BooleanField(default=True)
    registered = models.BigIntegerField()  # epoch seconds: compared, never shown
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    minhash = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["grid", "is_open", "registered"])]

    def __str__(self) -> str:
        return f"{self.demand_id}"
