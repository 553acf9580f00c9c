"""People in difficulty (DOMAIN.md §6): the register with a plan per person (一人一策) and a named
responsible person, and care visits whose frequency follows the person's health risk."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand
from minsheng.organisation.models import Region
from minsheng.people.models import Resident


class CarePerson(models.Model):
    class Category(models.TextChoices):
        ELDERLY_ALONE = "elderly_alone", _("独居老人")
        CHILD = "child", _("困境儿童")
        MEMBER = "member", _("困难党员")
        DISABLED = "disabled", _("残疾人")
        LOST_ONLY_CHILD = "lost_only_child", _("失独家庭")
        LOW_INCOME = "low_income", _("低保特困")
        OTHER = "other", _("其他")

    class Risk(models.TextChoices):
        HIGH = "high", _("高")
        MEDIUM = "medium", _("中")
        LOW = "low", _("低")

    resident = models.OneToOneField(Resident, on_delete=models.PROTECT, related_name="care",
                                    verbose_name=_("居民"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="care_people",
                               verbose_name=_("所在网格"))
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    risk = models.CharField(_("健康风险等级"), max_length=8, choices=Risk.choices)
    plan = models.TextField(_("一人一策"), help_text=_("针对此人的帮扶措施"))
    services = models.TextField(_("承诺服务"), blank=True, help_text=_("印在爱心联系牌上，每行一项"))
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_people",
                                    verbose_name=_("责任人"))
    responsible_name = models.CharField(_("责任人姓名"), max_length=50)
    responsible_phone = models.CharField(_("责任人电话"), max_length=20)
    registered_on = models.DateField(_("登记日期"))
    next_visit_due = models.DateField(_("下次走访日期"), db_index=True)
    overdue_flagged_for = models.DateField(_("已提醒的逾期日期"), null=True, blank=True)
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("困难群体人员")
        verbose_name_plural = _("困难群体人员")
        ordering = ["next_visit_due", "pk"]

    def __str__(self) -> str:
        return self.resident.name


class CareVisit(models.Model):
    person = models.ForeignKey(CarePerson, on_delete=models.PROTECT, related_name="visits", verbose_name=_("走访对象"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("走访人"))
    visited_on = models.DateField(_("走访日期"), db_index=True)
    risk = models.CharField(_("走访时风险等级"), max_length=8, choices=CarePerson.Risk.choices)
    found = models.TextField(_("走访情况"))
    # A problem the visit found is a demand of its own; the visit only points at it.
    demand = models.OneToOneField(Demand, null=True, blank=True, on_delete=models.PROTECT, related_name="care_visit",
                                  verbose_name=_("转办诉求"))
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("关爱走访")
        verbose_name_plural = _("关爱走访")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.person} {self.visited_on}"
