"""Forms of the station pages; they parse input, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.volunteers.forms import RecommendationLayout
from minsheng.web.forms import ActionForm, PhotosField, ReasonForm

from .models import AgentKind, Station, Way


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


class AssignTeamForm(ActionForm):
    """派给服务队 on the staff demand page: a skills team or a volunteers' 小分队."""

    team = forms.ChoiceField(label=_("服务队"))
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .teamwork import team_choices

        self.fields["team"].choices = [("", "—"), *team_choices()]


STATION_ACTION_FORMS["assign_team"] = AssignTeamForm


class NominationForm(RecommendationLayout, forms.Form):
    """A resident puts themselves forward (本人自荐) or recommends a neighbour (群众推荐) as an agent."""

    way = forms.ChoiceField(label=_("提名方式"), widget=forms.RadioSelect, initial="self",
                            choices=[("self", _("本人自荐")), ("recommended", _("群众推荐"))])
    name = forms.CharField(label=_("被推荐人姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("被推荐人手机号"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    region = forms.ModelChoiceField(label=_("所在社区"), queryset=None, empty_label="—")
    kind = forms.ChoiceField(label=_("类型"), choices=AgentKind.choices)
    statement = forms.CharField(label=_("推荐理由"), max_length=500, required=False,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("服务意愿、特长、群众信任度等"))

    way_field, recommend_value = "way", "recommended"

    def __init__(self, *args, resident=None, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        from minsheng.organisation.models import Region

        communities = regions if regions is not None else Region.objects.filter(kind=Region.Kind.COMMUNITY)
        self.fields["region"].queryset = communities.order_by("path")
        if resident is not None and resident.region is not None and not self.is_bound:
            path = resident.region.path
            self.fields["region"].initial = next((c for c in communities if path.startswith(c.path)), None)


class SelectionForm(NominationForm):
    """组织选聘: community or street staff name someone for the street's approval."""

    way = None
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))


class NominationDecisionForm(forms.Form):
    reason = forms.CharField(label=_("未通过原因"), max_length=255, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}), help_text=_("不通过时必填"))


class AppointForm(forms.Form):
    station = forms.ModelChoiceField(label=_("任命到代办站"), queryset=None, empty_label="—")

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
