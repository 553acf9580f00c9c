"""Forms of the home-care pages; the services decide, the forms only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.web.forms import PhotosField

from .models import CareService

LOCAL = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _services():
    return [(s.code, s.name) for s in CareService.objects.filter(active=True)]


class RequestForm(forms.Form):
    service = forms.ChoiceField(label=_("服务项目"), choices=())
    planned_on = forms.DateField(label=_("服务日期"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label=_("时长（小时）"), min_value=0, max_digits=4, decimal_places=1)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = _services()


class VisitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    started_at = forms.DateTimeField(label=_("开始时间"), input_formats=LOCAL,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ended_at = forms.DateTimeField(label=_("结束时间"), input_formats=LOCAL,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    services_done = forms.MultipleChoiceField(label=_("本次还做了"), required=False, choices=(),
                                              widget=forms.CheckboxSelectMultiple)
    confirmed_by = forms.CharField(label=_("确认人（老人或家属签名）"), max_length=50)
    photos = PhotosField(label=_("服务照片"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services_done"].choices = _services()


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核结论"), choices=[
        ("approve", _("通过")), ("query", _("存疑")), ("reject", _("驳回"))])
    reason = forms.CharField(label=_("理由"), required=False, max_length=200)


class RevisitForm(forms.Form):
    answer = forms.CharField(label=_("回访情况"), max_length=200)
    satisfied = forms.BooleanField(label=_("老人确认服务属实且满意"), required=False)
