"""Forms: they only parse and present input; the services decide what is valid."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minsheng.catalogue.models import Category, DemandType, TimeLimitPolicy
from minsheng.demands.workflow import Channel, Kind, Satisfaction, Solved
from minsheng.organisation.models import Region, Unit

from .models import ReplyTemplate


def add_service_errors(form: forms.Form, exc) -> None:
    """Show a service's refusal on the form the user typed into: under the field it names,
    or at the top when it names none."""
    for field, errors in exc.field_errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    if not exc.field_errors:
        form.add_error(None, exc.message)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to several photos in one input; the services check and clean each one."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files]


def unit_picker(multiple: bool = False) -> forms.Select:
    """A unit select that minsheng.js turns into a type-ahead combobox over ``web:unit_options``
    (派单, 吹哨: about a hundred units).  The select stays in the form, so the field posts and
    validates exactly as before, and works without script."""
    attrs = {"data-combobox": reverse_lazy("web:unit_options"), "data-combobox-placeholder": _("输入单位名称查找"),
             "data-combobox-empty": _("没有匹配的单位"), "data-combobox-remove": _("移除")}
    return forms.SelectMultiple(attrs={**attrs, "size": 6}) if multiple else forms.Select(attrs=attrs)


def category_choices() -> list:
    """Categories grouped under their top level, for a select with optgroups."""
    groups, tops = {}, []
    other = gettext("%(category)s（其他）")
    for c in Category.objects.filter(active=True).order_by("path"):
        if c.parent_id is None:
            tops.append(c)
            groups[c.pk] = [(c.code, other % {"category": c})]
        elif c.parent_id in groups:
            groups[c.parent_id].append((c.code, str(c)))
    return [("", "—")] + [(str(top), groups[top.pk]) for top in tops]


def region_choices(base: Region | None = None) -> list:
    """Grids (grouped by community) at or under ``base``."""
    qs = Region.objects.filter(kind=Region.Kind.GRID)
    if base is not None:
        qs = qs.filter(path__startswith=base.path)
    groups: dict[str, list] = {}
    communities = {r.pk: r for r in Region.objects.filter(kind=Region.Kind.COMMUNITY)}
    for grid in qs.order_by("path"):
        community = communities.get(grid.parent_id)
        groups.setdefault(community.name if community else "", []).append((grid.code, grid.name))
    return [("", "—"), *groups.items()]


class DemandFieldsForm(forms.Form):
    """The fields every intake shares."""

    demand_type = forms.ChoiceField(label=_("诉求类型"))
    category = forms.ChoiceField(label=_("分类"), required=False)
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(label=_("诉求内容"), widget=forms.Textarea, max_length=4000)
    region = forms.ChoiceField(label=_("所在网格"))
    address = forms.CharField(label=_("详细地址"), max_length=255, required=False)
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20, widget=forms.TextInput(attrs={"type": "tel"}))
    hide_name = forms.BooleanField(label=_("公开时隐藏我的姓名"), required=False)
    publish_consent = forms.BooleanField(
        label=_("同意公开：在公开地图上展示本诉求的分类、状态和大致位置（不显示姓名、电话和详细地址）"), required=False)
    photos = PhotosField(label=_("照片（最多6张）"))
    latitude = forms.DecimalField(widget=forms.HiddenInput, required=False)
    longitude = forms.DecimalField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, region_base: Region | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand_type"].choices = [(t.code, str(t)) for t in DemandType.objects.filter(active=True)]
        self.fields["category"].choices = category_choices()
        self.fields["category"].widget.attrs["data-filter-placeholder"] = _("搜索分类")
        self.fields["region"].choices = region_choices(region_base)
        self.fields["region"].widget.attrs["data-filter-placeholder"] = _("搜索网格")


class PublicDemandForm(DemandFieldsForm):
    """The resident's report, in the order a resident thinks of it: what is wrong, where (a pin
    on the map or an address, resolved to community, grid and building by the server: there is
    no grid to choose), photos, then the category (suggested from the text) and who to tell.
    The button "我也遇到" of a nearby open demand posts this form with ``join`` (that demand's id)."""

    consent = forms.BooleanField(label=_("我已阅读并同意隐私告知：联系方式仅用于办理和回访本诉求"), required=False)

    field_order = ["description", "address", "photos", "category", "demand_type", "title", "name", "phone",
                   "hide_name", "publish_consent", "consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["region"]
        self.fields["description"].label = _("遇到了什么问题")
        self.fields["description"].widget.attrs.update(
            {"rows": 4, "placeholder": _("例如：幸福里小区1号楼门口的井盖丢了，晚上很危险")})
        self.fields["address"].label = _("问题在哪里（小区、楼号或路口）")
        self.fields["address"].widget.attrs["placeholder"] = _("例如：玫瑰城社区幸福里小区1号楼")
        self.fields["title"].required = False
        self.fields["title"].label = _("标题（可不填，默认取问题描述的开头）")
        self.fields["demand_type"].widget = forms.RadioSelect(choices=self.fields["demand_type"].choices)
        codes = [code for code, _label in self.fields["demand_type"].choices]
        self.fields["demand_type"].initial = "help" if "help" in codes else (codes[0] if codes else None)
        self.fields["category"].label = _("问题分类（可不选，工作人员会核实）")
        self.fields["photos"].label = _("照片（可选，最多6张，会自动压缩）")
        del self.fields["category"].widget.attrs["data-filter-placeholder"]

    def clean(self):
        data = super().clean()
        if self.is_bound and not data.get("title") and data.get("description"):
            data["title"] = title_from(data["description"])
        return data


def title_from(description: str, length: int = 30) -> str:
    """A title for a report whose resident gave none: the description's first sentence, cut short."""
    text = " ".join(description.split())
    for stop in "。！？!?\n":
        if stop in text[:length]:
            text = text[: text.index(stop)]
    return text[:length].rstrip("，,；;：: ") or text[:length]


class IntakeForm(DemandFieldsForm):
    channel = forms.ChoiceField(label=_("渠道"), choices=[c for c in Channel.choices if c[0] != Channel.API])
    urgency = forms.ChoiceField(label=_("紧急程度"))
    id_number = forms.CharField(label=_("身份证号（可选）"), max_length=18, required=False)
    on_spot = forms.BooleanField(label=_("立接立办（当场办结）"), required=False)
    on_spot_result = forms.CharField(label=_("当场办理结果"), widget=forms.Textarea, required=False)

    field_order = ["phone", "name", "id_number", "channel", "demand_type", "category", "urgency", "title",
                   "description", "region", "address", "hide_name", "publish_consent", "on_spot", "on_spot_result"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["urgency"].choices = [(p.code, str(p)) for p in TimeLimitPolicy.objects.all()]
        self.fields["urgency"].initial = "general"
        self.fields["name"].required = False


class TrackForm(forms.Form):
    number = forms.CharField(label=_("诉求编号"), max_length=20)
    phone_last4 = forms.CharField(label=_("手机号后四位"), min_length=4, max_length=4)


class RatingForm(forms.Form):
    """The revisit's two questions as the resident answers them.  是否解决 is asked of a 诉求
    (the service refuses a 诉求's rating without it); a wish is rated on satisfaction alone."""
    solved = forms.ChoiceField(label=_("问题是否解决"), choices=Solved.choices, widget=forms.RadioSelect,
                               required=False)
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("评价意见"), widget=forms.Textarea, required=False, max_length=2000)

    def __init__(self, *args, kind: str | None = Kind.DEMAND, **kwargs):
        """``kind`` None: not known yet (the answer is checked by the service once the case is found)."""
        super().__init__(*args, **kwargs)
        if kind == Kind.DEMAND:
            self.fields["solved"].required = True
        elif kind is not None:
            del self.fields["solved"]


# --- residents' sign-in and their own demands ---------------------------------------

class PhoneSignInForm(forms.Form):
    phone = forms.CharField(label=_("手机号码"), max_length=20, widget=forms.TextInput(
        attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": _("11位手机号码")}))


class CodeSignInForm(forms.Form):
    code = forms.CharField(label=_("短信验证码"), max_length=6, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*",
               "placeholder": _("6位数字")}))


class SupplementForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("补充内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=2000)
    photos = PhotosField(label=_("照片（最多6张）"))


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("撤回原因（选填）"), max_length=200, required=False)


# --- one small form per workflow action --------------------------------------------

class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea, required=False)


class ResultForm(ActionForm):
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea, required=False)


class ResolveForm(ResultForm):
    photos = PhotosField(label=_("现场照片（最多6张）"))


class NoteForm(ActionForm):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False)


class ProgressForm(ActionForm):
    note = forms.CharField(label=_("进展说明"), widget=forms.Textarea, required=False)
    contact = forms.BooleanField(label=_("已联系诉求人"), required=False)
    public = forms.BooleanField(label=_("居民可见"), required=False)


class CategoryActionForm(ActionForm):
    """An action that may set the category: the catalogue's choices, blank meaning "keep it"."""

    category = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        data["category"] = data["category"] or None
        return data


class DispatchForm(CategoryActionForm):
    category = forms.ChoiceField(label=_("分类（可采用智能建议）"), required=False)
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=Unit.objects.filter(active=True), required=False,
                                  empty_label=_("按派单目录自动选择"), widget=unit_picker())
    urgency = forms.ModelChoiceField(label=_("紧急程度"), queryset=TimeLimitPolicy.objects.all(), required=False,
                                     empty_label=_("保持不变"))


class BulkDispatchForm(ActionForm):
    """派单 for several demands: each keeps its category (the catalogue picks each one's unit
    when none is chosen here)."""
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=Unit.objects.filter(active=True), required=False,
                                  empty_label=_("按派单目录自动选择"), widget=unit_picker())
    urgency = forms.ModelChoiceField(label=_("紧急程度"), queryset=TimeLimitPolicy.objects.all(), required=False,
                                     empty_label=_("保持不变"))


class VerifyForm(CategoryActionForm):
    category = forms.ChoiceField(label=_("分类（可修正）"), required=False)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False)


class ExtensionForm(ActionForm):
    until = forms.DateTimeField(label=_("延期至"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                required=False)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea, required=False)


class RevisitForm(ActionForm):
    solved = forms.ChoiceField(label=_("问题是否解决"), choices=Solved.choices, required=False,
                               widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices, required=False,
                                     widget=forms.RadioSelect)
    comment = forms.CharField(label=_("回访意见"), widget=forms.Textarea, required=False)


class MergeForm(ActionForm):
    into = forms.CharField(label=_("合并到诉求编号"), max_length=20, required=False)


def _when(label):
    return forms.DateTimeField(label=label, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                               required=False)


class SupervisionOrderForm(ActionForm):
    instruction = forms.CharField(label=_("督办要求"), widget=forms.Textarea, required=False)
    reply_by = _when(_("回复期限"))


class SupervisionReplyForm(ActionForm):
    reply = forms.CharField(label=_("回复内容"), widget=forms.Textarea, required=False)


class SummonForm(ActionForm):
    units = forms.ModelMultipleChoiceField(label=_("吹哨单位"), queryset=Unit.objects.filter(active=True),
                                           required=False, widget=unit_picker(multiple=True))
    reason = forms.CharField(label=_("吹哨事由"), widget=forms.Textarea, required=False)
    report_hours = forms.FloatField(label=_("报到时限（小时，留空为默认）"), required=False, min_value=0)


class ReportInForm(ActionForm):
    report = forms.CharField(label=_("报到情况"), widget=forms.Textarea, required=False)


class RevisitAttemptForm(ActionForm):
    method = forms.ChoiceField(label=_("回访方式"),
                               choices=[("phone", _("电话未接通")), ("sms", _("发送短信评价链接"))])
    note = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False)


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "verify": VerifyForm, "reject_invalid": ReasonForm, "resolve_on_spot": ResultForm, "dispatch": DispatchForm,
    "accept": NoteForm, "return": ReasonForm, "record_progress": ProgressForm, "request_extension": ExtensionForm,
    "approve_extension": NoteForm, "deny_extension": ReasonForm, "request_suspension": ReasonForm,
    "approve_suspension": NoteForm, "deny_suspension": ReasonForm, "resume": NoteForm, "escalate": ReasonForm,
    "resolve": ResolveForm, "revisit": RevisitForm, "close": ReasonForm, "reopen": ReasonForm, "merge": MergeForm,
    "order_supervision": SupervisionOrderForm, "reply_supervision": SupervisionReplyForm, "summon": SummonForm,
    "report_in": ReportInForm, "revisit_attempt": RevisitAttemptForm,
}

# The order in which a demand page offers its actions: the step that moves the demand on for this
# user comes first and is the one shown open (派单 before 判定无效 for a dispatcher; 批准 before 驳回
# for an approver); an action not listed goes after those listed.
ACTION_ORDER = [
    "approve_extension", "approve_suspension", "verify", "dispatch", "accept", "resolve", "revisit", "close",
    "resume", "reply_supervision", "report_in", "record_progress", "resolve_on_spot", "request_extension",
    "request_suspension", "order_supervision", "summon", "escalate", "revisit_attempt", "reopen",
]
# Actions that end a demand or turn back someone's work: offered last, collapsed, and each asks
# for a confirmation before it is sent.
DESTRUCTIVE_ACTIONS = frozenset({"reject_invalid", "return", "merge", "deny_extension", "deny_suspension"})


def order_actions(specs: list, first: str = "") -> tuple[list, list]:
    """The page's actions as (others in ``ACTION_ORDER``, the destructive ones); ``first``, the
    step the viewer's queue names for the case (``selectors.next_action``), leads the others."""
    rank = {action: i for i, action in enumerate(ACTION_ORDER)}
    ordered = sorted(specs, key=lambda spec: -1 if spec.action == first else rank.get(spec.action, len(rank)))
    return ([s for s in ordered if s.action not in DESTRUCTIVE_ACTIONS],
            [s for s in ordered if s.action in DESTRUCTIVE_ACTIONS])


# The actions the queue offers for several demands at once: each one's form without the version
# (every selected row carries the version its user saw).  Only actions whose input is the same
# for every demand; those that end a demand or turn back work are taken one by one.
BULK_ACTIONS = ["dispatch", "accept", "record_progress", "order_supervision", "close"]


def bulk_action_form(action: str, data=None) -> ActionForm:
    """The form of a bulk action's shared input (KeyError for an action not offered in bulk)."""
    form_class = BulkDispatchForm if action == "dispatch" else ACTION_FORMS[action]
    if action not in BULK_ACTIONS:
        raise KeyError(action)
    form = form_class(data)
    del form.fields["version"]
    return form


class SavedViewForm(forms.Form):
    """Name the demand list's current filter (sent along as its query string) to pin it."""

    name = forms.CharField(label=_("视图名称"), max_length=40)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)


class ReplyTemplateForm(forms.ModelForm):
    """An administrator's reply template; the model's ``clean`` refuses unknown placeholders."""

    class Meta:
        model = ReplyTemplate
        fields = ["name", "action", "category", "text", "active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True).order_by("path")
        self.fields["category"].empty_label = _("所有分类")
