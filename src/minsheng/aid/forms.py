"""Forms of the aid pages: they parse and present input; the services decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Giver, Kind

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
# Suggested items (the form takes any): what 南芬's visits bring.
ITEMS = [_("大米"), _("面粉"), _("食用油"), _("棉衣"), _("棉被"), _("牛奶"), _("慰问金")]


def _decimal_input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **attrs})


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("名称（如 2027年春节慰问）"), max_length=100)
    region = forms.ChoiceField(label=_("区域"))
    starts_on = forms.DateField(label=_("开始日期"), **DATE)
    ends_on = forms.DateField(label=_("结束日期（选填）"), required=False, **DATE)
    budget = forms.CharField(label=_("预算（元）"), max_length=20, widget=_decimal_input())
    description = forms.CharField(label=_("说明（选填）"), max_length=500, required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.pk, r.name) for r in regions]


class GiverForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Giver.Kind.choices)
    name = forms.CharField(label=_("名称（单位、党组织可不填）"), max_length=100, required=False)
    unit = forms.ChoiceField(label=_("单位"), required=False)
    party_organisation = forms.ChoiceField(label=_("党组织"), required=False)
    region = forms.ChoiceField(label=_("慰问范围"))
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话（企业、个人必填）"), max_length=20, required=False)

    def __init__(self, *args, regions=(), units=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.pk, r.name) for r in regions]
        self.fields["unit"].choices = [("", "—")] + [(u.pk, u.name) for u in units]
        self.fields["party_organisation"].choices = [("", "—")] + [(o.pk, o.name) for o in organisations]


class _Goods(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=Kind.choices, initial=Kind.GOODS)
    item = forms.CharField(label=_("物品（现金可不填）"), max_length=50, required=False,
                           widget=forms.TextInput(attrs={"list": "aid-items"}))
    unit = forms.CharField(label=_("单位（袋、桶、件）"), max_length=10, required=False)
    quantity = forms.CharField(label=_("数量"), max_length=20, required=False, widget=_decimal_input())


class GiftForm(_Goods):
    recipient = forms.ChoiceField(label=_("受助人"), widget=forms.RadioSelect)
    giver = forms.ChoiceField(label=_("慰问方"))
    given_on = forms.DateField(label=_("慰问日期"), **DATE)
    value = forms.CharField(label=_("价值/金额（元；物资可不填，按接收均价计）"), max_length=20, required=False,
                            widget=_decimal_input())
    activity = forms.ChoiceField(label=_("关联志愿活动（选填）"), required=False)
    health_related = forms.BooleanField(label=_("医疗/健康相关（敏感）"), required=False)
    photo = forms.FileField(label=_("照片（选填）"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    note = forms.CharField(label=_("备注（选填）"), max_length=200, required=False)

    field_order = ["recipient", "giver", "given_on", "kind", "item", "unit", "quantity", "value", "activity",
                   "health_related", "photo", "note"]

    def __init__(self, *args, candidates=(), givers=(), activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [(r.pk, r.label) for r in candidates]
        self.fields["giver"].choices = [(g.pk, g.name) for g in givers]
        self.fields["activity"].choices = [("", "—")] + [(a.pk, f"{a.starts_at:%Y-%m-%d} {a.title}")
                                                        for a in activities]


class DonationForm(_Goods):
    donor = forms.ChoiceField(label=_("捐赠方"))
    received_on = forms.DateField(label=_("接收日期"), **DATE)
    value = forms.CharField(label=_("价值/金额（元）"), max_length=20, widget=_decimal_input())
    note = forms.CharField(label=_("备注（选填）"), max_length=200, required=False)

    field_order = ["donor", "received_on", "kind", "item", "unit", "quantity", "value", "note"]

    def __init__(self, *args, givers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor"].choices = [(g.pk, g.name) for g in givers]


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("从"), required=False, **DATE)
    end = forms.DateField(label=_("到"), required=False, **DATE)
    campaign = forms.ChoiceField(label=_("慰问活动"), required=False)
    q = forms.CharField(label=_("姓名、完整电话或姓名+电话后四位"), max_length=50, required=False)

    def __init__(self, *args, campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", _("全部"))] + [(c.pk, c.name) for c in campaigns]
