from django import forms
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
