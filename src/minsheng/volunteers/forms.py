"""Forms of the organisers' pages: register a volunteer, create a team, create an activity.  They
only parse input and offer what lies in the organiser's territory; the services decide."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minsheng.people.validation import mask_phone

from . import selectors
from .models import ServiceCategory, Team

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _region_label(region) -> str:
    return ("　" if region.kind == region.Kind.COMMUNITY else "") + region.name


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _region_label(obj)


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return gettext("%(name)s（%(note)s）") % {"name": obj.name, "note": obj.region.name}


class TeamsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return gettext("%(name)s（%(note)s）") % {"name": obj.name, "note": obj.region.name}


class VolunteerForm(forms.Form):
    """The resident is one of the search results (or the one already picked): only residents of
    the organiser's area who are not yet volunteers are accepted."""

    resident = forms.TypedChoiceField(label=_("居民"), coerce=int, widget=forms.RadioSelect,
                                      error_messages={"required": _("请先搜索并选择一位居民。"),
                                                      "invalid_choice": _("请在搜索结果中选择一位本辖区的居民。")})
    region = RegionChoiceField(label=_("服务社区"), queryset=None, empty_label="—")
    categories = forms.MultipleChoiceField(label=_("服务类别"), choices=ServiceCategory.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    skills = forms.CharField(label=_("特长"), max_length=200, required=False)
    availability = forms.CharField(label=_("可服务时间"), max_length=100, required=False,
                                   help_text=_("例如：周末上午、工作日晚上"))
    teams = TeamsChoiceField(label=_("所属队伍"), queryset=None, required=False,
                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        people = list(candidates)
        picked = selectors.resident_to_register(user, self.data.get("resident")) if self.is_bound else None
        if picked is not None and picked not in people:
            people.insert(0, picked)  # the choice survives a re-rendered form without a new search
        self._people = {r.pk: r for r in people}
        self.fields["resident"].choices = [
            (r.pk, f"{r.name} {mask_phone(r.phone)}" + (f" · {r.region.name}" if r.region else "")) for r in people]
        self.fields["region"].queryset = selectors.organiser_regions(user, kinds=["community"])
        self.fields["teams"].queryset = selectors.teams_within_reach(user)
        communities = list(self.fields["region"].queryset)
        if len(communities) == 1:
            self.fields["region"].initial = communities[0]
        elif len(people) == 1 and people[0].region is not None:
            # One resident found: their own community, when it is one the organiser keeps.
            path = people[0].region.path
            self.fields["region"].initial = next((c for c in communities if path.startswith(c.path)), None)

    def clean_resident(self):
        """The chosen Resident itself (the choices hold only residents the organiser may register)."""
        return self._people[self.cleaned_data["resident"]]


class TeamForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Team.Kind.choices,
                             help_text=_("1+8+N：一个管理委员会、8支服务分队、N支志愿服务队"))
    name = forms.CharField(label=_("名称"), max_length=100)
    region = RegionChoiceField(label=_("所在区域"), queryset=None, empty_label="—")
    category = forms.ChoiceField(label=_("服务类别"), required=False,
                                 choices=[("", "—"), *ServiceCategory.choices],
                                 help_text=_("服务分队必须选择服务类别"))
    parent = TeamChoiceField(label=_("上级"), queryset=None, required=False, empty_label="—")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = selectors.organiser_regions(user)
        self.fields["parent"].queryset = selectors.teams_within_reach(user)


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    description = forms.CharField(label=_("活动内容"), widget=forms.Textarea, required=False)
    category = forms.ChoiceField(label=_("服务类别"), choices=[("", "—"), *ServiceCategory.choices])
    region = RegionChoiceField(label=_("所在区域"), queryset=None, empty_label="—")
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    capacity = forms.IntegerField(label=_("名额"))
    hours = forms.DecimalField(label=_("服务时长（小时）"), max_digits=5, decimal_places=1)
    team = TeamChoiceField(label=_("组织队伍"), queryset=None, required=False, empty_label="—")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = selectors.organiser_regions(user)
        self.fields["team"].queryset = selectors.teams_within_reach(user)
        self.fields["hours"].help_text = _("每位到场志愿者计入的时长；每小时折合 %(points)s 爱心积分") % {
            "points": settings.MINSHENG_POINTS_PER_HOUR}


class RecommendationLayout:
    """A form of the way chosen (for oneself or recommending someone), the recommended person's name
    and phone, and the rest: the page shows the name and phone folded under the way, so that someone
    applying for themselves is not asked for another person's details."""

    way_field = "who"
    recommend_value = "recommend"

    def way_fields(self) -> list:
        return [self[self.way_field]]

    def recommend_fields(self) -> list:
        return [self["name"], self["phone"]]

    def other_fields(self) -> list:
        shown = {self.way_field, "name", "phone"}
        return [f for f in self.visible_fields() if f.name not in shown]

    def recommending(self) -> bool:
        return (self[self.way_field].value() == self.recommend_value or bool(self["name"].errors)
                or bool(self["phone"].errors))


class ApplicationForm(RecommendationLayout, forms.Form):
    """A resident's volunteer application (本人申请) or recommendation of a neighbour (推荐他人)."""

    who = forms.ChoiceField(label=_("申请方式"), choices=[("self", _("本人申请")), ("recommend", _("推荐他人"))],
                            initial="self", widget=forms.RadioSelect)
    name = forms.CharField(label=_("被推荐人姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("被推荐人手机号"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
                            help_text=_("社区会电话联系本人确认"))
    region = RegionChoiceField(label=_("服务社区"), queryset=None, empty_label="—")
    categories = forms.MultipleChoiceField(label=_("服务类别"), choices=ServiceCategory.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    skills = forms.CharField(label=_("特长"), max_length=200, required=False,
                             help_text=_("例如：水电维修、理发、法律咨询"))
    availability = forms.CharField(label=_("可服务时间"), max_length=100, required=False,
                                   help_text=_("例如：周末上午、工作日晚上"))
    statement = forms.CharField(label=_("申请说明"), max_length=500, required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    consent = forms.BooleanField(
        label=_("我同意社区登记并使用以上信息联系和安排志愿服务（推荐他人时，已征得本人同意）"), required=False)

    def __init__(self, *args, resident=None, **kwargs):
        super().__init__(*args, **kwargs)
        from minsheng.organisation.models import Region

        communities = Region.objects.filter(kind=Region.Kind.COMMUNITY).order_by("path")
        self.fields["region"].queryset = communities
        if resident is not None and resident.region is not None and not self.is_bound:
            path = resident.region.path
            self.fields["region"].initial = next((c for c in communities if path.startswith(c.path)), None)


class DecisionForm(forms.Form):
    """The community's decision on an application: approve, or refuse with a reason."""

    reason = forms.CharField(label=_("未通过原因"), max_length=255, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("不通过时必填，申请人会收到这条说明"))
