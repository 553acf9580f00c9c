"""The pages' forms: they only parse what was typed; the services decide."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.catalogue.models import DemandType
from minsheng.demands.workflow import Satisfaction

from .models import CollectedNeed, Collection, Decision, Evaluation, Meeting, PracticalThing
from .services import MilestoneInput, NeedInput


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")  # what <input type=date> reads, whatever the language


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CollectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("来源"), choices=Collection.Kind.choices)
    region = forms.ChoiceField(label=_("区域"))
    held_on = forms.DateField(label=_("日期"), widget=DateInput)
    place = forms.CharField(label=_("走访地点"), max_length=200, required=False)
    households = forms.IntegerField(label=_("走访户数"), min_value=1, initial=1)
    needs = forms.CharField(label=_("收集到的需求（每行一条）"), widget=forms.Textarea)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]

    def need_inputs(self) -> list[NeedInput]:
        return [NeedInput(title=line[:100], description=line) for line in _lines(self.cleaned_data["needs"])]


class ConvertNeedForm(forms.Form):
    into = forms.ChoiceField(label=_("转为"), choices=CollectedNeed.Became.choices)
    demand_type = forms.ChoiceField(label=_("诉求类型"), required=False)
    project = forms.ChoiceField(label=_("书记项目"), required=False)
    owner_label = forms.CharField(label=_("责任人"), max_length=60, required=False)
    due = forms.DateField(label=_("完成时限"), widget=DateInput, required=False)

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand_type"].choices = [(t.code, t.name) for t in DemandType.objects.filter(active=True)]
        self.fields["project"].choices = [("", "—")] + [(p.pk, p.name) for p in projects]


class ProjectForm(forms.Form):
    organisation = forms.ChoiceField(label=_("党组织"))
    name = forms.CharField(label=_("项目名称"), max_length=100)
    owner_title = forms.CharField(label=_("职务"), max_length=60, required=False,
                                  help_text=_("公示在项目栏上，例如“玫瑰城社区党委书记”"))
    deadline = forms.DateField(label=_("完成时限"), widget=DateInput)
    measures = forms.CharField(label=_("主要措施"), widget=forms.Textarea)
    milestones = forms.CharField(label=_("节点（每行：日期 节点名称）"), widget=forms.Textarea,
                                 help_text=_("例如：2026-03-31 完成方案"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]

    def clean_milestones(self) -> list[MilestoneInput]:
        steps = []
        for line in _lines(self.cleaned_data["milestones"]):
            day, _sep, title = line.partition(" ")
            try:
                steps.append(MilestoneInput(title=title.strip(), due=date.fromisoformat(day)))
            except ValueError:
                raise forms.ValidationError(_("“%(line)s”应以日期开头，例如 2026-03-31 完成方案。")
                                            % {"line": line}) from None
        return steps


class ProjectUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("进展"), widget=forms.Textarea)
    progress_percent = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100)
    milestones_done = forms.MultipleChoiceField(label=_("已完成的节点"), required=False,
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestones_done"].choices = [(m.pk, f"{m.due:%Y-%m-%d} {m.title}") for m in milestones
                                                  if m.done_on is None]


class EvaluationForm(forms.Form):
    kind = forms.ChoiceField(label=_("评价方式"), choices=Evaluation.Kind.choices)
    score = forms.IntegerField(label=_("得分"), min_value=0, max_value=100, required=False)
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=[("", "—"), *Satisfaction.choices],
                                     required=False)
    comment = forms.CharField(label=_("评语"), max_length=500, required=False)


class PracticalThingForm(forms.Form):
    list_kind = forms.ChoiceField(label=_("清单"), choices=PracticalThing.ListKind.choices)
    region = forms.ChoiceField(label=_("区域"))
    organisation = forms.ChoiceField(label=_("责任党组织"), required=False)
    title = forms.CharField(label=_("事项"), max_length=100)
    owner_label = forms.CharField(label=_("责任人"), max_length=60)
    due = forms.DateField(label=_("完成时限"), widget=DateInput)

    def __init__(self, *args, regions=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]
        self.fields["organisation"].choices = [("", "—")] + [(o.pk, o.name) for o in organisations]


class TickOffForm(forms.Form):
    evidence = forms.CharField(label=_("完成佐证"), widget=forms.Textarea)
    photo = forms.FileField(label=_("佐证照片"), required=False)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议形式"), choices=Meeting.Kind.choices)
    region = forms.ChoiceField(label=_("村（社区）"))
    held_on = forms.DateField(label=_("会议日期"), widget=DateInput)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    agenda = forms.CharField(label=_("议题"), widget=forms.Textarea)
    attendees = forms.CharField(label=_("参会人员"), widget=forms.Textarea)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("决定事项"), max_length=200)
    owner_label = forms.CharField(label=_("责任人"), max_length=60)
    due = forms.DateField(label=_("完成时限"), widget=DateInput)
    became = forms.ChoiceField(label=_("落实方式"), choices=Decision.Became.choices)
    demand_type = forms.ChoiceField(label=_("诉求类型"), required=False)
    project = forms.ChoiceField(label=_("书记项目"), required=False)

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand_type"].choices = [(t.code, t.name) for t in DemandType.objects.filter(active=True)]
        self.fields["project"].choices = [("", "—")] + [(p.pk, p.name) for p in projects]
