"""Forms of the home-care pages; the services decide, the forms only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.demands.workflow import Channel
from minsheng.web.forms import PhotosField

from .models import CareService, Elder, Grade, ProviderCheck, ProviderContract

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
    """A visit as the worker's phone records it: the times and positions of check-in and check-out
    are the phone's (homecare/visit.js fills the hidden fields; no one types a time), the
    signature is the PNG drawn on the pad."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    started_at = forms.DateTimeField(label=_("签到时间"), input_formats=LOCAL, widget=forms.HiddenInput)
    ended_at = forms.DateTimeField(label=_("签退时间"), input_formats=LOCAL, widget=forms.HiddenInput)
    check_in_latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    check_in_longitude = forms.DecimalField(required=False, max_digits=10, decimal_places=6,
                                            widget=forms.HiddenInput)
    check_out_latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6,
                                            widget=forms.HiddenInput)
    check_out_longitude = forms.DecimalField(required=False, max_digits=10, decimal_places=6,
                                             widget=forms.HiddenInput)
    services_done = forms.MultipleChoiceField(label=_("本次还做了"), required=False, choices=(),
                                              widget=forms.CheckboxSelectMultiple)
    confirmed_by = forms.CharField(label=_("确认人（老人或家属姓名）"), max_length=50)
    # homecare/visit.js puts the signature pad in this input's place
    signature = forms.FileField(label=_("老人或家属签名"), required=False,
                                widget=forms.FileInput(attrs={"accept": "image/png", "data-signature": ""}))
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


# --- the register, for community staff and the street office -------------------------------

def _blank(choices) -> list:
    return [("", "—"), *choices]


class ApplyForm(forms.Form):
    """An application taken at the community or by phone; ``communities`` are the ones the
    staff member may take applications for."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20, widget=forms.TextInput(attrs={"type": "tel"}))
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    address = forms.CharField(label=_("住址"), max_length=255, required=False)
    community = forms.ChoiceField(label=_("服务社区"))
    birth_year = forms.IntegerField(label=_("出生年份"), widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    support = forms.ChoiceField(label=_("救助类别"), choices=_blank(Elder.Support.choices))
    condition = forms.ChoiceField(label=_("困难情形"), choices=_blank(Elder.Condition.choices))
    self_care = forms.ChoiceField(label=_("自理能力"), choices=_blank(Elder.SelfCare.choices))
    health = forms.CharField(label=_("健康状况"), max_length=200, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    family = forms.CharField(label=_("家庭情况"), max_length=200, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    channel = forms.ChoiceField(label=_("申请渠道"), initial=Channel.STATION)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.code, c.name) for c in communities]
        # Applications come in person at the community (its station), by phone or through another
        # demand channel; never from another system's API.
        self.fields["channel"].choices = [(v, label) for v, label in Channel.choices if v != Channel.API]


class AssessForm(forms.Form):
    grade = forms.ChoiceField(label=_("评估等级"), choices=_blank(Grade.choices))
    note = forms.CharField(label=_("评估说明"), max_length=300, required=False)


class ApproveForm(forms.Form):
    on = forms.DateField(label=_("服务开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("审批意见"), max_length=300, required=False)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("不予通过的理由"), max_length=200, required=False)


class ReviewEligibilityForm(forms.Form):
    still_eligible = forms.TypedChoiceField(label=_("复核结论"), coerce=lambda v: v == "yes", choices=[
        ("yes", _("继续享受服务")), ("no", _("不再符合条件，退出"))])
    grade = forms.ChoiceField(label=_("等级（不变则不选）"), choices=_blank(Grade.choices), required=False)
    on = forms.DateField(label=_("复核日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("复核意见"), max_length=200, required=False)
    false_information = forms.BooleanField(label=_("提供了虚假信息"), required=False)


class ChangeGradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("新等级"), choices=_blank(Grade.choices))
    on = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("调整理由"), max_length=200, required=False)


class LeaveForm(forms.Form):
    on = forms.DateField(label=_("退出日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("退出原因"), max_length=200, required=False)
    false_information = forms.BooleanField(label=_("提供了虚假信息"), required=False)


class ExceptionForm(forms.Form):
    month = forms.DateField(label=_("月份"), input_formats=["%Y-%m", "%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    extra_hours = forms.DecimalField(label=_("增加时长（小时）"), max_digits=6, decimal_places=2)
    reason = forms.CharField(label=_("理由"), max_length=200, required=False)


class ProviderStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("处理"), choices=_blank(ProviderContract.Status.choices))
    reason = forms.CharField(label=_("理由"), max_length=200, required=False)


class ProviderCheckForm(forms.Form):
    """A random home visit (入户抽查) or a complaint about a provider, for the yearly evaluation."""

    kind = forms.ChoiceField(label=_("检查类型"), choices=_blank(ProviderCheck.Kind.choices))
    on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    good = forms.BooleanField(label=_("结果良好（投诉属实时不勾选）"), required=False)
    elder = forms.ModelChoiceField(label=_("抽查对象（选填）"), queryset=Elder.objects.none(), required=False,
                                   empty_label="—")
    note = forms.CharField(label=_("情况说明"), max_length=200, required=False)

    def __init__(self, *args, elders=None, **kwargs):
        super().__init__(*args, **kwargs)
        if elders is not None:
            self.fields["elder"].queryset = elders
        self.fields["elder"].label_from_instance = lambda e: f"{e.resident.name} · {e.community.name}"
