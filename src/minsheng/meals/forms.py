"""Forms of the meal pages: they parse and present input; the services decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.web.forms import PhotosField

from .models import Meal, Sitting


class CounterForm(forms.Form):
    code = forms.CharField(label=_("助餐卡号 / 扫码 / 老人电话"), max_length=20,
                           widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off",
                                                         "inputmode": "numeric", "enterkeyhint": "done"}))
    sitting = forms.ChoiceField(label=_("餐次"), choices=Sitting.choices)

    def __init__(self, *args, sittings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sittings:
            self.fields["sitting"].choices = [(s, Sitting(s).label) for s in sittings]


class BookForm(forms.Form):
    diner = forms.ChoiceField(label=_("助餐对象"))
    day = forms.DateField(label=_("用餐日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sitting = forms.ChoiceField(label=_("餐次"), choices=Sitting.choices)
    channel = forms.ChoiceField(label=_("预订渠道"), choices=[(Meal.Channel.PHONE, Meal.Channel.PHONE.label),
                                                           (Meal.Channel.GROUP, Meal.Channel.GROUP.label)])
    deliver = forms.BooleanField(label=_("送餐上门（由志愿者认领送达）"), required=False)

    def __init__(self, *args, diners=(), sittings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diner"].choices = [("", "—")] + [(d.pk, f"{d.card_number} {d.resident.name}") for d in diners]
        if sittings:
            self.fields["sitting"].choices = [(s, Sitting(s).label) for s in sittings]


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)


class SafetyCheckForm(forms.Form):
    on = forms.DateField(label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    passed = forms.BooleanField(label=_("检查合格"), required=False)
    note = forms.CharField(label=_("检查情况（后厨、仓储、留样、健康证）"), max_length=500,
                           widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("现场照片（至少1张）"))


class DeliverForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("送达情况（选填）"), max_length=200, required=False)
