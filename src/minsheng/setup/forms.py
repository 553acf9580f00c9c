import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from minsheng.assessment.models import Rule
from minsheng.homecare.models import ProviderContract
from minsheng.knowledge.models import Article
from minsheng.ledger.models import Item, Supermarket
from minsheng.notifications.catalogue import sms_keys
from minsheng.notifications.models import SmsTemplateCode
from minsheng.organisation.models import Membership, Region, SetupImport, Unit
from minsheng.party.models import PartyMember, PartyOrganisation
from minsheng.stations.models import Agent, Station

from .services import ASSIGNABLE_ROLES

# A date field's value as <input type="date"> reads it (ISO), whatever the language's date format:
# otherwise an edit form shows its dates empty and saving asks for them again.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

class SetupImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=SetupImport.Kind.choices)
    file = forms.FileField(label=_("文件（Excel .xlsx、CSV；边界为 GeoJSON）"))


# --- the administration area's forms (setup.sections): they parse; setup.services decides ----------

def _regions(*kinds: str):
    qs = Region.objects.order_by("path")
    return qs.filter(kind__in=kinds) if kinds else qs


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "code", "parent", "region", "phone", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(*[k for k in Region.Kind if k != Region.Kind.BUILDING])
        self.fields["parent"].queryset = Unit.objects.filter(active=True).order_by("path")


class AccountCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150, help_text=_("登录时填写，建议用拼音或工号"))
    first_name = forms.CharField(label=_("姓名"), max_length=150)
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.filter(active=True).order_by("path"))
    role = forms.ChoiceField(label=_("角色"), choices=[(r.value, r.label) for r in ASSIGNABLE_ROLES])
    region = forms.ModelChoiceField(label=_("负责区域"), queryset=_regions(Region.Kind.COMMUNITY, Region.Kind.GRID),
                                    required=False, help_text=_("网格员填所负责的网格；为空时为单位所在区域"))


class AccountForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["first_name", "is_active"]
        labels = {"first_name": _("姓名"), "is_active": _("启用（可以登录）")}


class PostForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["unit", "role", "region", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(active=True).order_by("path")
        self.fields["role"].choices = [(r.value, r.label) for r in ASSIGNABLE_ROLES]
        self.fields["region"].queryset = _regions(Region.Kind.COMMUNITY, Region.Kind.GRID)


class StationForm(forms.ModelForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    region = forms.ModelChoiceField(label=_("所在社区或网格"),
                                    queryset=_regions(Region.Kind.COMMUNITY, Region.Kind.GRID))
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    class Meta:
        model = Station
        fields = ["name", "region", "tier", "place_type", "address", "latitude", "longitude", "staggered", "extended",
                  "by_appointment", "home_visits", "service_items", "active"]
        widgets = {"service_items": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            unit = self.instance.unit
            self.initial.update(name=unit.name, region=unit.region_id, active=unit.active)


class AgentForm(forms.ModelForm):
    class Meta:
        model = Agent
        fields = ["kind", "home_organisation", "home_organisation_email", "active"]


class AgentCreateForm(AgentForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号码"), max_length=20)

    class Meta(AgentForm.Meta):
        fields = ["name", "phone", *AgentForm.Meta.fields]


class SupermarketForm(forms.ModelForm):
    class Meta:
        model = Supermarket
        fields = ["name", "region", "address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(Region.Kind.STREET, Region.Kind.COMMUNITY)


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = ["name", "points", "active"]


class RestockForm(forms.Form):
    quantity = forms.IntegerField(label=_("补货数量"), min_value=1, max_value=100_000)
    source = forms.CharField(label=_("来源"), max_length=100, required=False, help_text=_("捐赠单位或采购说明"))


class SmsTemplateForm(forms.ModelForm):
    message = forms.ChoiceField(label=_("消息"), choices=())

    class Meta:
        model = SmsTemplateCode
        fields = ["message", "code", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].choices = [(key, f"{key}：{text}") for key, text in sms_keys()]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not re.fullmatch(r"[A-Za-z0-9_\-]{1,40}", code):
            raise forms.ValidationError(_("模板编号只含字母、数字、下划线和连字符。"))
        return code


class PartyMemberForm(forms.ModelForm):
    class Meta:
        model = PartyMember
        fields = ["in_service", "workplace", "reporting_community", "central_household", "building", "joined_on",
                  "active"]
        widgets = {"joined_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reporting_community"].queryset = _regions(Region.Kind.COMMUNITY)
        self.fields["building"].queryset = _regions(Region.Kind.BUILDING)


class PartyMemberCreateForm(PartyMemberForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号码"), max_length=20)

    class Meta(PartyMemberForm.Meta):
        fields = ["name", "phone", *PartyMemberForm.Meta.fields]


class PartyOrganisationForm(forms.ModelForm):
    class Meta:
        model = PartyOrganisation
        fields = ["level", "name", "region", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(Region.Kind.STREET, Region.Kind.COMMUNITY, Region.Kind.GRID)


class ContractForm(forms.ModelForm):
    class Meta:
        model = ProviderContract
        fields = ["provider", "start", "end", "services", "communities", "status", "status_reason"]
        widgets = {"start": DATE_INPUT, "end": DATE_INPUT,
                   "services": forms.CheckboxSelectMultiple, "communities": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Unit.objects.filter(kind=Unit.Kind.CARE_PROVIDER).order_by("path")
        self.fields["communities"].queryset = _regions(Region.Kind.COMMUNITY)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("合同结束日期不能早于开始日期。"))
        return data


class OwnerUnitForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["owner_unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.filter(active=True).order_by("path")


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = ["effective_from", "weight_response", "weight_resolution", "weight_satisfaction", "min_volume",
                  "cutoff_days", "note"]
        widgets = {"effective_from": DATE_INPUT}
