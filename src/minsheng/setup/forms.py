from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.organisation.models import SetupImport


class SetupImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=SetupImport.Kind.choices)
    file = forms.FileField(label=_("文件（Excel .xlsx、CSV；边界为 GeoJSON）"))
