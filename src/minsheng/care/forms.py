from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.web.forms import PhotosField

from .models import CarePerson


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    found = forms.CharField(label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 3}))
    risk = forms.ChoiceField(label=_("健康风险等级"), choices=[("", _("不变")), *CarePerson.Risk.choices],
                             required=False)
    problem_title = forms.CharField(label=_("发现的问题（标题）"), max_length=100, required=False)
    problem = forms.CharField(label=_("问题说明（填写后转为诉求）"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotosField(label=_("照片"))


class PersonForm(forms.Form):
    phone = forms.CharField(label=_("居民联系电话"), max_length=20)
    category = forms.ChoiceField(label=_("类别"), choices=CarePerson.Category.choices)
    risk = forms.ChoiceField(label=_("健康风险等级"), choices=CarePerson.Risk.choices)
    plan = forms.CharField(label=_("一人一策"), widget=forms.Textarea(attrs={"rows": 3}))
    services = forms.CharField(label=_("承诺服务"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible_phone = forms.CharField(label=_("责任人电话"), max_length=20)
