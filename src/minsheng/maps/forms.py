"""The public reports page's filter and the area subscription form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.catalogue.models import Category
from minsheng.organisation.models import Region

from .models import AreaSubscription
from .public import AREA_KINDS, STATE_GROUPS, area_choices, category_choices


class PublicReportFilter(forms.Form):
    area = forms.ChoiceField(label=_("区域"), required=False)
    category = forms.ChoiceField(label=_("分类"), required=False)
    state = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("全部区域")), *area_choices()]
        self.fields["category"].choices = [("", _("全部分类")), *category_choices()]
        self.fields["state"].choices = [("", _("全部状态")), *((k, label) for k, (label, _s) in STATE_GROUPS.items())]

    def clean_area(self) -> Region | None:
        code = self.cleaned_data["area"]
        return Region.objects.get(code=code, kind__in=AREA_KINDS) if code else None

    def clean_category(self) -> Category | None:
        code = self.cleaned_data["category"]
        return Category.objects.get(code=code) if code else None


class SubscriptionForm(forms.Form):
    area = forms.ChoiceField(label=_("订阅区域"))
    channel = forms.ChoiceField(label=_("接收方式"), choices=AreaSubscription.Channel.choices,
                                initial=AreaSubscription.Channel.IN_APP, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("请选择街道或社区")), *area_choices()]

    def clean_area(self) -> Region:
        return Region.objects.get(code=self.cleaned_data["area"], kind__in=AREA_KINDS)
