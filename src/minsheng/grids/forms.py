from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minsheng.web.forms import PhotosField

from .models import GridAssignment, RegisterChange


class StartPatrolForm(forms.Form):
    grid = forms.ModelChoiceField(queryset=None, label=_("网格"), empty_label=None)
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, grids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids


class TrackPointForm(forms.Form):
    """A point from the phone's position (the field app fills it; no one types coordinates)."""

    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(label=_("经度"), max_digits=10, decimal_places=6, widget=forms.HiddenInput)
    # when the phone took it (ISO 8601): a point queued offline arrives later
    taken_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class FindingForm(forms.Form):
    title = forms.CharField(label=_("问题"), max_length=100)
    description = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    # the phone's position when the problem was reported (the field app fills them)
    latitude = forms.DecimalField(label=_("纬度"), required=False, max_digits=9, decimal_places=6,
                                  widget=forms.HiddenInput)
    longitude = forms.DecimalField(label=_("经度"), required=False, max_digits=10, decimal_places=6,
                                   widget=forms.HiddenInput)
    photos = PhotosField(label=_("照片"))


class FinishPatrolForm(forms.Form):
    note = forms.CharField(label=_("巡查情况"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    entity = forms.ChoiceField(label=_("台账类别"), choices=RegisterChange.Entity.choices)
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class AssignForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    kind = forms.ChoiceField(label=_("类型"), choices=GridAssignment.Kind.choices)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


# --- estates and notices (docs/estates.md) ---------------------------------------------------------

class EvaluationForm(forms.Form):
    """The yearly questionnaire on the property company: one radio group per question."""

    def __init__(self, *args, **kwargs):
        from .estates import ANSWERS, QUESTIONS

        super().__init__(*args, **kwargs)
        for code, label in QUESTIONS:
            self.fields[code] = forms.ChoiceField(label=label, choices=ANSWERS, widget=forms.RadioSelect)
        self.fields["comment"] = forms.CharField(label=_("意见建议（选填）"), required=False, max_length=500,
                                                 widget=forms.Textarea(attrs={"rows": 3}))


class NoticeForm(forms.Form):
    region = forms.ModelChoiceField(label=_("发送范围"), queryset=None, empty_label=None,
                                    help_text=_("网格、小区、楼栋或单元的全部居民"))
    tag = forms.ModelChoiceField(label=_("人群"), queryset=None, required=False, empty_label=_("全部居民"),
                                 help_text=_("只发给范围内这一群体，如独居老人"))
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(label=_("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 6}))
    by_sms = forms.BooleanField(label=_("同时发送短信（按已备案的短信模板）"), required=False)
    by_letter = forms.BooleanField(label=_("打印纸质信，每户一页（致居民的一封信）"), required=False)

    def __init__(self, *args, regions=None, **kwargs):
        from minsheng.notifications.notices import TARGET_KINDS
        from minsheng.organisation.models import Region
        from minsheng.people.models import VulnerableTag

        super().__init__(*args, **kwargs)
        # Any region of a notice's levels validates, so that one outside the sender's territory gets
        # the service's refusal, which says why; the list offers only the sender's own.
        field = self.fields["region"]
        field.queryset = Region.objects.filter(kind__in=TARGET_KINDS)
        field.widget.choices = [(r.pk, gettext("%(name)s（%(note)s）") % {"name": r.name, "note": r.get_kind_display()})
                                for r in regions]
        self.fields["tag"].queryset = VulnerableTag.objects.all()


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("回复内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class ChiefForm(forms.Form):
    """Appoint a 网格长, 楼栋长 or 单元长: the place (the estate's grid, buildings and units; the kind
    follows its level) and the resident by name and phone."""

    region = forms.ChoiceField(label=_("负责区域"))
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—")] + [(r.pk, label) for r, label in places]


class HouseholdForm(forms.Form):
    """Join a household (户) of the resident's building."""

    house = forms.ChoiceField(label=_("加入家庭户"))

    def __init__(self, *args, houses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.houses = list(houses)
        self.fields["house"].choices = [("", "—")] + [
            (h.pk, _("%(house)s（%(n)d 人）") % {"house": h, "n": h.members}) for h in houses]


class NewHouseholdForm(forms.Form):
    """Start a household: the building, its unit where it has them, the number within the building."""

    building = forms.ChoiceField(label=_("楼栋"))
    entrance = forms.ChoiceField(label=_("单元（选填）"), required=False)
    room = forms.CharField(label=_("户号（房号）"), max_length=30,
                           widget=forms.TextInput(attrs={"placeholder": _("如：301")}))

    def __init__(self, *args, buildings=(), entrances=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.buildings, self.entrances = list(buildings), list(entrances)
        self.fields["building"].choices = [(b.pk, b.name) for b in buildings]
        self.fields["entrance"].choices = [("", "—")] + [(e.pk, f"{e.parent.name} {e.name}") for e in entrances]
