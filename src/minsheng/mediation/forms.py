"""Mediation forms: they parse and present input; the services decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.web.forms import ActionForm

from .models import DisputeType, MediationParty, MediatorKind, Referral


class CaseForm(forms.Form):
    dispute_type = forms.ChoiceField(label=_("纠纷类型"), choices=DisputeType.choices)
    title = forms.CharField(label=_("纠纷概要"), max_length=100)
    description = forms.CharField(label=_("纠纷情况"), widget=forms.Textarea(attrs={"rows": 4}))
    region = forms.ChoiceField(label=_("发生区域"), required=False)
    mediator_kind = forms.ChoiceField(label=_("调解人"), choices=MediatorKind.choices)
    mediator_name = forms.CharField(label=_("调解委员会名称（由调解委员会调解时填写）"), max_length=100, required=False)

    def __init__(self, *args, regions=(), fixed_region: bool = False, mediator_kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if mediator_kinds is not None:  # oneself (as one's role mediates) or a mediation committee
            self.fields["mediator_kind"].choices = [c for c in MediatorKind.choices if c[0] in mediator_kinds]
        if fixed_region:
            del self.fields["region"]
        else:
            self.fields["region"].choices = [("", "—"), *[(r.pk, r.name)
                                                          for r in regions]]


class PartyForm(forms.Form):
    side = forms.ChoiceField(label=_("身份"), choices=MediationParty.Side.choices)
    kind = forms.ChoiceField(label=_("类型"), choices=MediationParty.Kind.choices)
    name = forms.CharField(label=_("姓名或名称"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    resident_id = forms.IntegerField(widget=forms.HiddenInput, required=False)


PartyFormSet = forms.formset_factory(PartyForm, extra=0, min_num=2, max_num=20, validate_min=False)


class SessionForm(ActionForm):
    held_on = forms.DateField(label=_("调解日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    attendees = forms.CharField(label=_("参加人员"), max_length=300)
    notes = forms.CharField(label=_("调解记录"), widget=forms.Textarea(attrs={"rows": 4}))


class AgreementForm(ActionForm):
    matter = forms.CharField(label=_("纠纷事项"), widget=forms.Textarea(attrs={"rows": 3}))
    terms = forms.CharField(label=_("协议内容（双方同意的条款）"), widget=forms.Textarea(attrs={"rows": 5}))
    signed_on = forms.DateField(label=_("签订日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parties = list(parties)
        for party in self.parties:
            # mediation/agreement.js puts a signature pad (signature_pad, vendored) in this input's place
            self.fields[f"signature_{party.pk}"] = forms.FileField(
                label=_("%(side)s %(name)s 签名") % {"side": party.get_side_display(), "name": party.name},
                required=False, widget=forms.FileInput(attrs={"accept": "image/png", "data-signature": ""}))

    def signatures(self) -> dict:
        return {p.pk: self.cleaned_data.get(f"signature_{p.pk}") for p in self.parties}


class FailureForm(ActionForm):
    referred_to = forms.ChoiceField(label=_("去向"), choices=[("", "—"), *Referral.choices])
    reason = forms.CharField(label=_("未成功的原因"), widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(ActionForm):
    kept = forms.TypedChoiceField(label=_("协议是否履行"), choices=[("yes", _("已履行")), ("no", _("未履行"))],
                                  coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    note = forms.CharField(label=_("回访情况"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(ActionForm):
    summary = forms.CharField(label=_("结案说明"), max_length=255, required=False)
