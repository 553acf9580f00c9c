"""Forms for the wish actions: on the staff demand page (added to web.forms.ACTION_FORMS) and on the
volunteers' own pages.  They only parse input; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from minsheng.organisation.models import Region, Unit
from minsheng.organisation.roles import Role
from minsheng.party.models import PartyMember, PartyOrganisation
from minsheng.volunteers.models import Volunteer
from minsheng.web.forms import ACTION_FORMS, ActionForm, NoteForm, PhotosField, ReasonForm

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class LeaderForm(ActionForm):
    leader = forms.ChoiceField(label=_("包案领导"))
    promised_by = forms.DateField(label=_("承诺完成日期"), widget=DATE_INPUT)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        leaders = get_user_model().objects.filter(memberships__role=Role.LEADER, memberships__active=True).distinct()
        self.fields["leader"].choices = [("", "—")] + [(u.pk, u.get_full_name() or u.username) for u in leaders]


class ExplanationForm(ActionForm):
    explanation = forms.CharField(label=_("向居民的说明"), widget=forms.Textarea, required=False)


class StaffClaimForm(ActionForm):
    """Staff record a claim made by a unit, a party organisation or a member in person."""

    promised_by = forms.DateField(label=_("承诺完成日期"), widget=DATE_INPUT)
    unit = forms.ChoiceField(label=_("认领单位"), required=False)
    party_organisation = forms.ChoiceField(label=_("认领党组织"), required=False)
    party_member = forms.ChoiceField(label=_("认领党员"), required=False)
    volunteer = forms.CharField(label=_("认领志愿者的爱心卡号"), required=False, max_length=16)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(u.pk, u.name) for u in Unit.objects.filter(active=True)]
        self.fields["party_organisation"].choices = [("", "—")] + [
            (o.pk, o.name) for o in PartyOrganisation.objects.filter(level__in=PartyOrganisation.GRASSROOTS)]
        self.fields["party_member"].choices = [("", "—")] + [
            (m.pk, m.resident.name) for m in PartyMember.objects.filter(active=True).select_related("resident")]

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        for key in ("unit", "party_organisation", "party_member"):
            data[key] = int(data[key]) if data.get(key) else None
        card = (data.pop("volunteer", "") or "").strip().upper()
        # Unknown card numbers become a claimer that does not exist, which the service refuses.
        data["volunteer"] = (Volunteer.objects.filter(card_number=card).values_list("pk", flat=True).first() or -1
                             if card else None)
        return data


class FulfilForm(ActionForm):
    # Required in the browser too: on the phone the form may be queued offline, and an empty note
    # would come back refused only once the connection returns (the service requires it).
    result = forms.CharField(label=_("实现情况"), widget=forms.Textarea(attrs={"required": True, "rows": 4}),
                             required=False)
    hours = forms.DecimalField(label=_("服务时长（小时）"), required=False, min_value=0, max_digits=4,
                               decimal_places=1)
    photos = PhotosField(label=_("现场照片（最多6张）"))


class ClaimForm(forms.Form):
    """A volunteer or a party member claims a wish for themselves."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    promised_by = forms.DateField(label=_("承诺完成日期"), widget=DATE_INPUT)


class WallFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("社区或街道"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("全部"))] + [
            (r.code, ("　" if r.kind == Region.Kind.COMMUNITY else "") + r.name)
            for r in Region.objects.filter(kind__in=[Region.Kind.STREET, Region.Kind.COMMUNITY]).order_by("path")]


def register_action_forms() -> None:
    ACTION_FORMS.update({
        "publish_wish": NoteForm, "route_wish_as_demand": NoteForm, "assign_wish_to_leader": LeaderForm,
        "defer_wish": ExplanationForm, "claim_wish": StaffClaimForm, "release_wish": ReasonForm,
        "fulfil_wish": FulfilForm,
    })


class WishIntakeForm(forms.Form):
    channel = forms.ChoiceField(label=_("收集渠道"))
    title = forms.CharField(label=_("心愿"), max_length=100)
    description = forms.CharField(label=_("心愿详情"), widget=forms.Textarea, max_length=4000)
    region = forms.ModelChoiceField(label=_("所在网格"), queryset=Region.objects.filter(kind=Region.Kind.GRID),
                                    to_field_name="code")
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    name = forms.CharField(label=_("居民姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    show_name = forms.BooleanField(label=_("居民同意在心愿墙上显示姓氏"), required=False)
    photos = PhotosField(label=_("照片（最多6张）"))

    def __init__(self, *args, **kwargs):
        from minsheng.demands.workflow import Channel

        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [c for c in Channel.choices if c[0] != Channel.API]
        self.fields["channel"].initial = Channel.STATION


class ResidentWishForm(forms.Form):
    """A signed-in resident makes a wish themselves; who they are comes from their account."""

    title = forms.CharField(label=_("我的心愿"), max_length=100,
                            widget=forms.TextInput(attrs={"placeholder": _("例如：想学用智能手机")}))
    description = forms.CharField(label=_("心愿详情"), widget=forms.Textarea, max_length=4000)
    region = forms.ChoiceField(label=_("所在网格"))
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    show_name = forms.BooleanField(label=_("在心愿墙上显示我的姓氏（默认不显示）"), required=False)
    consent = forms.BooleanField(label=_("我已阅读并同意隐私告知：联系方式仅用于办理和回访本心愿"), required=False)
    photos = PhotosField(label=_("照片（最多6张）"))

    def __init__(self, *args, **kwargs):
        from minsheng.web.forms import region_choices

        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices()
        self.fields["region"].widget.attrs["data-filter-placeholder"] = _("搜索网格")
