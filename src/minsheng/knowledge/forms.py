from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.catalogue.models import Category
from minsheng.organisation.models import Region

from .access import editable_units


class ArticleForm(forms.Form):
    """An article's working copy as its owner unit writes it (the services check it again)."""

    title = forms.CharField(label=_("标题"), max_length=100, widget=forms.TextInput(
        attrs={"placeholder": _("居民会怎么问，例如：办理居住证需要哪些材料")}))
    answer = forms.CharField(label=_("答复口径"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
    materials = forms.CharField(label=_("一次性告知材料（每行一项）"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 4}))
    where_when = forms.CharField(label=_("办理地点和时间"), required=False, max_length=1000,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("政策依据"), required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ModelChoiceField(label=_("分类"), required=False, queryset=Category.objects.filter(active=True))
    regions = forms.ModelMultipleChoiceField(
        label=_("适用区域（不选为全区）"), required=False,
        queryset=Region.objects.filter(kind__in=[Region.Kind.STREET, Region.Kind.COMMUNITY]),
        widget=forms.SelectMultiple(attrs={"size": 6}))
    owner_unit = forms.ModelChoiceField(label=_("维护单位"), queryset=None)
    expert_seat = forms.BooleanField(label=_("专家座席（话务员转给维护单位答复）"), required=False)
    review_by = forms.DateField(label=_("复审日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = editable_units(user)
        self.fields["owner_unit"].queryset = units
        if units.count() == 1:
            self.fields["owner_unit"].initial = units.first()


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=200)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx，列与导出的相同）"))
    dry_run = forms.BooleanField(label=_("试运行：只检查，不写入"), required=False, initial=True)
