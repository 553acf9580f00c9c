"""Forms of the elder-service pages: they parse and present input; the services decide what is valid
(ranges, capacity, scope) and their refusals come back on the form that was sent."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.organisation.models import Region

from .models import Facility, Service

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _elder_choices(elders) -> list:
    return [("", "—")] + [(e.pk, e.resident.name) for e in elders]


class ElderForm(forms.Form):
    name = forms.CharField(label=_("老人姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    address = forms.CharField(label=_("住址（选填）"), max_length=255, required=False)


class CheckForm(forms.Form):
    """Numbers are taken as text: the service checks each against its range and says which."""

    elder = forms.ChoiceField(label=_("老人"))
    systolic = forms.CharField(label=_("收缩压（mmHg）"), required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "120"}))
    diastolic = forms.CharField(label=_("舒张压（mmHg）"), required=False,
                                widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "80"}))
    blood_sugar = forms.CharField(label=_("血糖（mmol/L）"), required=False,
                                  widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "5.6"}))
    fasting = forms.BooleanField(label=_("空腹血糖"), required=False)
    heart_rate = forms.CharField(label=_("心率（次/分）"), required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "72"}))
    weight = forms.CharField(label=_("体重（kg）"), required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    notes = forms.CharField(label=_("咨询记录（选填）"), required=False, max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, elders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].choices = _elder_choices(elders)


class MoveInForm(forms.Form):
    elder = forms.ChoiceField(label=_("老人"))
    room = forms.ChoiceField(label=_("房间"))
    on = forms.DateField(label=_("入住日期"), widget=DATE)

    def __init__(self, *args, elders=(), rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].choices = _elder_choices(elders)
        self.fields["room"].choices = [("", "—")] + [
            (r.pk, _("%(room)s（空床 %(free)d / %(beds)d）") % {"room": r.name, "free": r.free, "beds": r.beds})
            for r in rooms]


class MoveOutForm(forms.Form):
    on = forms.DateField(label=_("退住日期"), widget=DATE)
    note = forms.CharField(label=_("说明（选填）"), max_length=200, required=False)


class ShiftForm(forms.Form):
    first_day = forms.DateField(label=_("首个日期"), widget=DATE)
    starts = forms.TimeField(label=_("开始"), widget=TIME)
    ends = forms.TimeField(label=_("结束"), widget=TIME)
    duty = forms.CharField(label=_("服务内容"), max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": _("如：陪护、送餐、打扫院落")}))
    capacity = forms.IntegerField(label=_("需要人数"), min_value=1, max_value=50)
    hours = forms.DecimalField(label=_("计服务时长（小时）"), max_digits=4, decimal_places=2)
    weeks = forms.IntegerField(label=_("每周重复（周数）"), min_value=1, max_value=12, initial=1)


class CheckInForm(forms.Form):
    elder = forms.ChoiceField(label=_("老人"))

    def __init__(self, *args, elders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].choices = _elder_choices(elders)


class FacilityForm(forms.Form):
    """A place's particulars; the regions offered are the communities of the user's territory (the
    service checks the choice again)."""

    name = forms.CharField(label=_("场所名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=Facility.Kind.choices)
    region = forms.ModelChoiceField(label=_("所在社区/村"), queryset=Region.objects.none())
    address = forms.CharField(label=_("地址（选填）"), max_length=255, required=False)
    phone = forms.CharField(label=_("联系电话（选填）"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    opening_hours = forms.CharField(label=_("开放时间"), max_length=100,
                                    widget=forms.TextInput(attrs={"placeholder": _("如：周一至周五 8:30–17:00")}))
    services = forms.MultipleChoiceField(label=_("服务项目"), choices=Service.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    capacity = forms.IntegerField(label=_("容纳人数"), min_value=0, required=False, initial=0,
                                  help_text=_("幸福院的容纳人数是各房间床位之和，在下方“房间与床位”中设置。"))
    staff = forms.CharField(label=_("场所工作人员账号（选填）"), max_length=500, required=False,
                            help_text=_("填写账号的用户名，多个用逗号分隔。工作人员只能打开本场所的页面。"))
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions


class RoomForm(forms.Form):
    name = forms.CharField(label=_("房间"), max_length=40,
                           widget=forms.TextInput(attrs={"placeholder": _("如：3号房")}))
    beds = forms.IntegerField(label=_("床位"), min_value=1, max_value=20)
