"""Forms of the station pages; they parse input, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.web.forms import ActionForm, PhotosField, ReasonForm

from .models import Station, Way


def _when(label, required=False):
    return forms.DateTimeField(label=label, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                               required=required)


class UndertakeForm(ActionForm):
    way = forms.ChoiceField(label=_("办理方式"), choices=[(Way.TIMED, Way.TIMED.label),
                                                         (Way.GUIDED, Way.GUIDED.label)])
    promised_at = _when(_("承诺办结时间（限时代办必填）"))
    note = forms.CharField(label=_("告知居民的内容"), widget=forms.Textarea, required=False)


STATION_ACTION_FORMS = {"station_undertake": UndertakeForm, "station_report": ReasonForm}


class StationRequestForm(forms.Form):
    """A resident's request at a station (its QR page) or an agent's intake at the counter."""

    service_item = forms.ChoiceField(label=_("服务事项"), required=False)
    title = forms.CharField(label=_("事项简述"), max_length=100)
    description = forms.CharField(label=_("具体情况"), widget=forms.Textarea, max_length=4000)
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20, widget=forms.TextInput(attrs={"type": "tel"}))
    address = forms.CharField(label=_("住址"), max_length=255, required=False)
    hide_name = forms.BooleanField(label=_("公开时隐藏我的姓名"), required=False)
    photos = PhotosField(label=_("照片（最多6张）"))
    consent = forms.BooleanField(label=_("我已阅读并同意隐私告知：联系方式仅用于办理和回访本事项"), required=False)

    def __init__(self, *args, station: Station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_item"].choices = [("", "—")] + [
            (i.code, i.name) for i in station.service_items.filter(active=True)]


class OnSpotForm(ActionForm):
    result = forms.CharField(label=_("当场办理结果"), widget=forms.Textarea, required=False)


class TimedForm(ActionForm):
    promised_at = _when(_("承诺办结时间"))
    note = forms.CharField(label=_("告知居民的内容"), widget=forms.Textarea, required=False)


class GuidedForm(ActionForm):
    promised_at = _when(_("约定办理时间（可选）"))
    note = forms.CharField(label=_("指引内容（去哪里、带什么）"), widget=forms.Textarea, required=False)


class JointForm(ActionForm):
    reason = forms.CharField(label=_("上报原因"), widget=forms.Textarea, required=False)


WAY_FORMS = {Way.ON_SPOT: OnSpotForm, Way.TIMED: TimedForm, Way.GUIDED: GuidedForm, Way.JOINT: JointForm}


class CircleForm(forms.Form):
    latitude = forms.DecimalField(label=_("纬度"), min_value=-90, max_value=90, required=False)
    longitude = forms.DecimalField(label=_("经度"), min_value=-180, max_value=180, required=False)
    address = forms.CharField(label=_("或输入地址（小区、楼栋）"), max_length=100, required=False)
    include_closed = forms.BooleanField(label=_("包括当前未开放的站点"), required=False)


class CoverageForm(forms.Form):
    speed = forms.FloatField(label=_("步行速度（米/分钟）"), min_value=10, max_value=300, required=False)
    minutes = forms.FloatField(label=_("步行时间上限（分钟）"), min_value=1, max_value=60, required=False)


class AwardForm(forms.Form):
    count = forms.IntegerField(label=_("表彰站点数"), min_value=1, max_value=1000)
    funds_each = forms.DecimalField(label=_("每站奖励资金（元）"), min_value=0, max_digits=10, decimal_places=2)
