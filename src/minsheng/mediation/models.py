"""Dispute mediation (矛盾纠纷调解): the side tables of a demand of kind ``mediation``.

The case's lifecycle (accepted → sessions → agreement or failure → follow-ups → closed) is the
demand's, written as events by ``actions.py``; these rows carry what the events refer to — the
parties, the sessions, the signed agreement and its follow-up visits — and are written in the
transaction of the event that creates them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.demands.models import Demand
from minsheng.organisation.models import Region, Unit
from minsheng.people.models import Resident
from minsheng.people.validation import mask_phone


class DisputeType(models.TextChoices):
    NEIGHBOUR = "neighbour", _("邻里纠纷")
    FAMILY = "family", _("婚姻家庭纠纷")
    PROPERTY = "property", _("物业纠纷")
    LABOUR = "labour", _("劳动争议")
    LAND = "land", _("土地纠纷")
    DEBT = "debt", _("债务纠纷")
    CONSUMER = "consumer", _("消费纠纷")
    OTHER = "other", _("其他纠纷")


class MediatorKind(models.TextChoices):
    AGENT = "agent", _("代办员")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    COMMITTEE = "committee", _("人民调解委员会")


class Outcome(models.TextChoices):
    AGREEMENT = "agreement", _("达成调解协议")
    FAILED = "failed", _("调解未成功")


class Referral(models.TextChoices):
    COURT = "court", _("引导至人民法院诉讼")
    ARBITRATION = "arbitration", _("引导至仲裁机构")
    OTHER_BODY = "other_body", _("移交其他部门处理")
    NONE = "none", _("当事人放弃")


class MediationCase(models.Model):
    demand = models.OneToOneField(Demand, on_delete=models.PROTECT, related_name="mediation",
                                  verbose_name=_("调解案件"))
    dispute_type = models.CharField(_("纠纷类型"), max_length=16, choices=DisputeType.choices)
    # The community the dispute lies in (counts per community); set once at acceptance.
    community = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("所属社区"))
    mediator_kind = models.CharField(_("调解人类型"), max_length=16, choices=MediatorKind.choices)
    mediator_name = models.CharField(_("调解人"), max_length=100)
    mediator_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("调解人账号"))
    # The unit answering for the mediation (the demand's handling unit): a station, a community
    # committee (its grid workers, its staff, its mediation committee) or a street office.
    mediator_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("调解单位"))
    # The demand or station case the dispute came from; the result goes back to it as an event.
    source = models.ForeignKey(Demand, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="mediation_cases", verbose_name=_("来源诉求"))
    outcome = models.CharField(_("调解结果"), max_length=16, choices=Outcome.choices, blank=True)
    referred_to = models.CharField(_("去向"), max_length=16, choices=Referral.choices, blank=True)
    outcome_note = models.TextField(_("结果说明"), blank=True)
    concluded_at = models.DateTimeField(_("调解结束时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("受理时间"))

    class Meta:
        verbose_name = _("矛盾纠纷调解案件")
        verbose_name_plural = _("矛盾纠纷调解案件")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.demand.number} {self.get_dispute_type_display()}"


class MediationParty(models.Model):
    class Side(models.TextChoices):
        APPLICANT = "applicant", _("申请人")
        RESPONDENT = "respondent", _("被申请人")

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("居民")
        HOUSEHOLD = "household", _("住户")
        ENTERPRISE = "enterprise", _("企业")
        PROPERTY_COMPANY = "property_company", _("物业公司")

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="parties",
                             verbose_name=_("调解案件"))
    side = models.CharField(_("当事人身份"), max_length=12, choices=Side.choices)
    kind = models.CharField(_("当事人类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("姓名或名称"), max_length=100)
    # A resident's own number, or an enterprise's or property company's contact line; shown masked,
    # each reveal logged (people.PersonalDataAccess).
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("居民"))

    class Meta:
        verbose_name = _("调解当事人")
        verbose_name_plural = _("调解当事人")
        ordering = ["case", "side", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


class MediationSession(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="sessions",
                             verbose_name=_("调解案件"))
    held_on = models.DateField(_("调解日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    attendees = models.CharField(_("参加人员"), max_length=300)
    notes = models.TextField(_("调解记录"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["case", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_on}"


class MediationAgreement(models.Model):
    case = models.OneToOneField(MediationCase, on_delete=models.CASCADE, related_name="agreement",
                                verbose_name=_("调解案件"))
    matter = models.TextField(_("纠纷事项"))
    terms = models.TextField(_("协议内容"))
    signed_on = models.DateField(_("签订日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("调解协议")
        verbose_name_plural = _("调解协议")

    def __str__(self) -> str:
        return f"{self.case_id} {self.signed_on}"


def _signature_path(instance: "AgreementSignature", filename: str) -> str:
    return f"mediation/signatures/{instance.agreement_id}/{filename}"


class AgreementSignature(models.Model):
    """A party's signature drawn on the screen (signature_pad), a PNG checked and re-encoded by
    ``homecare.records.clean_signature``, rendered into the agreement's PDF."""

    agreement = models.ForeignKey(MediationAgreement, on_delete=models.CASCADE, related_name="signatures",
                                  verbose_name=_("调解协议"))
    party = models.ForeignKey(MediationParty, on_delete=models.CASCADE, related_name="signatures",
                              verbose_name=_("当事人"))
    image = models.ImageField(_("签名"), upload_to=_signature_path)
    signed_at = models.DateTimeField(_("签名时间"))

    class Meta:
        verbose_name = _("当事人签名")
        verbose_name_plural = _("当事人签名")
        constraints = [models.UniqueConstraint(fields=["agreement", "party"], name="mediation_one_signature_per_party")]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.party_id}"


class MediationFollowUp(models.Model):
    """A visit to check that the agreement is kept, due a set number of days after it
    (``MINSHENG_MEDIATION_FOLLOW_UP_DAYS``); the next one due is the case's deadline on the engine."""

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="follow_ups",
                             verbose_name=_("调解案件"))
    days = models.PositiveSmallIntegerField(_("协议后天数"))
    due_on = models.DateField(_("回访日期"))
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    kept = models.BooleanField(_("协议是否履行"), null=True, blank=True)
    note = models.TextField(_("回访情况"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("回访人"))

    class Meta:
        verbose_name = _("协议履行回访")
        verbose_name_plural = _("协议履行回访")
        ordering = ["case", "due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "days"], name="mediation_one_follow_up_per_interval")]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"
