"""Forms of the co-building pages: they parse input and offer what lies in the user's reach; the
services decide."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minsheng.organisation.models import Region
from minsheng.organisation.scope import region_filter
from minsheng.party.models import PartyMember
from minsheng.volunteers.forms import DATETIME_FORMATS, DATETIME_INPUT, ActivityForm
from minsheng.volunteers.models import ServiceCategory

from .models import Alliance, MemberUnit, Resource
from .services import KEEPER_ROLES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def kept_regions(user):
    return Region.objects.filter(region_filter(user, "", roles=KEEPER_ROLES))


class CommunitiesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class MemberForm(forms.Form):
    alliance = forms.ModelChoiceField(label=_("所属联盟"), queryset=None, empty_label="—")
    name = forms.CharField(label=_("单位名称"), max_length=100)
    kind = forms.ChoiceField(label=_("单位类型"), choices=[("", "—"), *MemberUnit.Kind.choices])
    party_organisation = forms.CharField(label=_("单位党组织"), max_length=100, required=False)
    communities = CommunitiesField(label=_("共建社区"), queryset=None, widget=forms.CheckboxSelectMultiple)
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20)
    email = forms.EmailField(label=_("党组织邮箱"), required=False, help_text=_("月度双报到服务清单报送至此"))
    agreement_start = forms.DateField(label=_("共建协议起始日"), widget=DATE_INPUT)
    agreement_end = forms.DateField(label=_("共建协议截止日"), widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        kept = kept_regions(user)
        communities = kept.filter(kind=Region.Kind.COMMUNITY).order_by("path")
        paths = list(communities.values_list("path", flat=True))
        # The alliances a kept community lies in (its street's 党建联盟, its own 大党委).
        wanted = [a.pk for a in Alliance.objects.select_related("region")
                  if any(p.startswith(a.region.path) for p in paths)]
        self.fields["alliance"].queryset = Alliance.objects.filter(pk__in=wanted).select_related("region")
        self.fields["communities"].queryset = communities


class MemberEditForm(MemberForm):
    """A registered unit's particulars.  The alliance stays; the phone is never shown whole (an
    empty field keeps it); a community it serves outside the user's territory is listed, and the
    service refuses to change it."""

    active = forms.BooleanField(label=_("在册"), required=False, help_text=_("退出共建时取消勾选"))

    def __init__(self, *args, user, member: MemberUnit, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["alliance"]
        kept = self.fields["communities"].queryset
        self.fields["communities"].queryset = Region.objects.filter(
            Q(pk__in=kept.values("pk")) | Q(pk__in=member.communities.values("pk"))).order_by("path")
        phone = self.fields["contact_phone"]
        phone.required = False
        phone.help_text = _("现为 %(phone)s；留空则不变") % {"phone": member.masked_phone}


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label=_("资源类型"), choices=[("", "—"), *Resource.Kind.choices])
    name = forms.CharField(label=_("资源名称"), max_length=100)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, initial=1,
                                  help_text=_("同一时段最多可同时预约的数量"))
    measure = forms.CharField(label=_("计量单位"), max_length=10, required=False, help_text=_("如：间、台、辆、次"))
    availability = forms.CharField(label=_("可用时间"), max_length=100, required=False,
                                   help_text=_("如：工作日 18:00 以后、周末全天"))
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    bookable = forms.BooleanField(label=_("可预约"), required=False, initial=True)


class ResourceEditForm(ResourceForm):
    active = forms.BooleanField(label=_("在用"), required=False,
                                help_text=_("停用后资源共享清单不再列出；有未到期的预约时不能停用"))


class OfferForm(forms.Form):
    category = forms.ChoiceField(label=_("服务类别"), choices=[("", "—"), *ServiceCategory.choices])
    name = forms.CharField(label=_("服务项目"), max_length=100)
    schedule = forms.CharField(label=_("服务时间"), max_length=100, required=False,
                               help_text=_("如：每月第一个周六上午"))
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class OfferEditForm(OfferForm):
    active = forms.BooleanField(label=_("在用"), required=False, help_text=_("停用的服务项目留在单位页面，标为已停用"))


class BookingForm(forms.Form):
    community = forms.ModelChoiceField(label=_("使用社区"), queryset=None, empty_label="—")
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, initial=1)
    purpose = forms.CharField(label=_("用途"), max_length=200, help_text=_("如：老年合唱队排练、社区议事会"))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        if len(communities) == 1:
            self.fields["community"].initial = communities[0]


class JointActivityForm(ActivityForm):
    """The volunteers' activity form, in the communities the unit serves and with no team."""

    def __init__(self, *args, member: MemberUnit, **kwargs):
        forms.Form.__init__(self, *args, **kwargs)
        del self.fields["team"]
        self.fields["region"].label = _("活动社区")
        self.fields["region"].queryset = member.communities.order_by("path")


class ReportForm(forms.Form):
    """双报到 by community staff: an in-service member of their communities' register."""

    member = forms.ModelChoiceField(label=_("党员"), queryset=None, empty_label="—")
    community = forms.ModelChoiceField(label=_("报到社区"), queryset=None, empty_label="—")
    home_member = forms.ModelChoiceField(label=_("所在单位（共建单位）"), queryset=None, required=False,
                                         empty_label="—")
    home_organisation = forms.CharField(label=_("所在单位党组织"), max_length=100, required=False,
                                        help_text=_("所在单位不是共建单位时填写"))

    def __init__(self, *args, user, members, **kwargs):
        super().__init__(*args, **kwargs)
        kept = kept_regions(user)
        self.fields["community"].queryset = kept.filter(kind=Region.Kind.COMMUNITY).order_by("path")
        self.fields["member"].queryset = (PartyMember.objects.filter(active=True, dual_report__isnull=True)
                                          .filter(_living_in(kept))
                                          .select_related("resident").order_by("resident__name"))
        self.fields["member"].label_from_instance = lambda m: gettext("%(name)s（%(note)s）") % {
            "name": m.resident.name, "note": m.workplace or "—"}
        self.fields["home_member"].queryset = members


def _living_in(regions) -> Q:
    q = Q(pk__in=[])
    for path in regions.filter(kind=Region.Kind.COMMUNITY).values_list("path", flat=True):
        q |= Q(resident__region__path__startswith=path)
    return q


class SelfReportForm(forms.Form):
    """双报到 by the in-service member themself: their home community and their own organisation."""

    community = forms.ModelChoiceField(label=_("报到社区"), queryset=None, empty_label="—",
                                       help_text=_("居住地所在的社区"))
    home_member = forms.ModelChoiceField(label=_("所在单位（共建单位）"), queryset=None, required=False,
                                         empty_label="—")
    home_organisation = forms.CharField(label=_("所在单位党组织"), max_length=100, required=False,
                                        help_text=_("所在单位不是共建单位时填写"))

    def __init__(self, *args, home=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Region.objects.filter(kind=Region.Kind.COMMUNITY).order_by("path")
        self.fields["community"].initial = home
        self.fields["home_member"].queryset = MemberUnit.objects.filter(active=True).order_by("name")
