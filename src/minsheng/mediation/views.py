"""Mediation pages (workbench, 1440 px for the office and a tablet at the table, 1024 px): the scoped
list with the follow-ups due, opening a case (also from a demand or a station case), the case page
with its sessions, the agreement signed on the screen, the follow-ups and the timeline, the
agreement's PDF and the counts.  Views parse, call a service or a selector, and render; a refusal
comes back on the form that was sent."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.core.errors import MinshengError, PermissionDenied
from minsheng.core.pdf import pdf_response
from minsheng.demands import selectors as demand_selectors
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Kind, State
from minsheng.organisation.models import Region
from minsheng.organisation.scope import grants_with_roles, may_see, region_filter, roles_of
from minsheng.web.forms import add_service_errors

from . import selectors, services
from .access import KIND_OF_ROLE, MEDIATORS, READERS
from .forms import AgreementForm, CaseForm, CloseForm, FailureForm, FollowUpForm, PartyFormSet, SessionForm
from .models import AgreementSignature, DisputeType, MediationCase, MediationParty, Outcome


def _readers(view):
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not roles_of(request.user) & READERS:
            raise Http404(_("没有可用的调解页面。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)



def _case(request, pk: int) -> MediationCase:
    case = selectors.cases_for(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404(_("调解案件不存在或不在你的管辖范围内。"))
    return case


@_readers
def case_list(request: HttpRequest) -> HttpResponse:
    cases = selectors.cases_for(request.user)
    state, kind, q = request.GET.get("state", ""), request.GET.get("type", ""), request.GET.get("q", "").strip()[:50]
    if state == "open":
        cases = cases.exclude(demand__state=State.CLOSED)
    elif state == "closed":
        cases = cases.filter(demand__state=State.CLOSED)
    if kind in DisputeType.values:
        cases = cases.filter(dispute_type=kind)
    if q:  # the case's number or summary; parties and phones are not searchable
        cases = cases.filter(Q(demand__number__icontains=q) | Q(demand__title__icontains=q))
    page = Paginator(cases, 30).get_page(request.GET.get("page"))
    return render(request, "mediation/list.html", {
        "page": page, "state": state, "type": kind, "q": q, "types": DisputeType.choices,
        "due": selectors.due_follow_ups_for(request.user, clock.today() + timedelta(days=3))[:50],
        "today": clock.today(), "may_open": selectors.may_mediate(request.user)})


def _regions(user):
    return (Region.objects.filter(kind__in=[Region.Kind.COMMUNITY, Region.Kind.GRID])
            .filter(region_filter(user, "", MEDIATORS)).order_by("path"))


def _source(request) -> Demand | None:
    raw = request.GET.get("source") or request.POST.get("source")
    if not raw:
        return None
    demand = Demand.objects.select_related("region", "reporter").filter(pk=int(raw) if raw.isdigit() else 0).first()
    if demand is None or not may_see(request.user, demand):
        raise Http404(_("诉求不存在。"))
    return demand


def _party_inputs(formset) -> list[services.PartyInput]:
    return [services.PartyInput(f.cleaned_data.get("side", ""), f.cleaned_data.get("kind", ""),
                                f.cleaned_data.get("name", ""), f.cleaned_data.get("phone", ""),
                                f.cleaned_data.get("resident_id")) for f in formset.forms if f.cleaned_data]


def _party_errors(form, formset, exc: MinshengError) -> None:
    """A refusal naming a party's field (party-<i>-<field>) goes under that field of the party's row."""
    rest = {}
    for name, errors in exc.field_errors.items():
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "party" and parts[1].isdigit() and int(parts[1]) < len(formset.forms):
            for error in errors:
                formset.forms[int(parts[1])].add_error(parts[2], error)
        else:
            rest[name] = errors
    if rest or not exc.field_errors:
        add_service_errors(form, type(exc)(exc.message, field_errors=rest))


@_readers
def new_case(request: HttpRequest) -> HttpResponse:
    if not selectors.may_mediate(request.user):
        raise Http404(_("你的角色不能受理矛盾纠纷调解。"))
    source = _source(request)
    regions = list(_regions(request.user)) if source is None else []
    roles = [g.role for g in grants_with_roles(request.user, MEDIATORS)]
    kinds = {k for role in roles for k in services.mediator_kinds_for(role)}
    if request.method == "POST":
        form = CaseForm(request.POST, regions=regions, fixed_region=source is not None, mediator_kinds=kinds)
        formset = PartyFormSet(request.POST, prefix="party")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            region = next((r for r in regions if str(r.pk) == data.get("region")), None)
            try:
                case = services.open_case(request.user, dispute_type=data["dispute_type"], title=data["title"],
                                          description=data["description"], region=region,
                                          parties=_party_inputs(formset), mediator_kind=data["mediator_kind"],
                                          mediator_name=data["mediator_name"], source=source)
            except MinshengError as exc:
                _party_errors(form, formset, exc)
            else:
                messages.success(request, _("已受理调解案件 %(number)s。") % {"number": case.demand.number})
                return redirect("mediation:case", case.pk)
        status = 400
    else:
        initial_parties = [{"side": MediationParty.Side.APPLICANT, "kind": MediationParty.Kind.RESIDENT},
                           {"side": MediationParty.Side.RESPONDENT, "kind": MediationParty.Kind.RESIDENT},
                           {"side": MediationParty.Side.RESPONDENT, "kind": MediationParty.Kind.RESIDENT}]
        initial = {"mediator_kind": KIND_OF_ROLE.get(roles[0], "community_staff")}
        if source is not None:
            initial.update(title=source.title[:100], description=source.description)
            if source.reporter is not None:  # the reporter is the applicant; the phone stays on the record
                initial_parties[0].update(name=source.reporter.name, resident_id=source.reporter.pk)
        form = CaseForm(initial=initial, regions=regions, fixed_region=source is not None, mediator_kinds=kinds)
        formset = PartyFormSet(prefix="party", initial=initial_parties)
        if source is not None and source.reporter is not None:
            formset.forms[0].fields["phone"].widget.attrs["placeholder"] = _("留空则用居民档案中的号码")
        status = 200
    return render(request, "mediation/new.html", {"form": form, "formset": formset, "source": source},
                  status=status)


def _detail_context(request, case: MediationCase, bound: dict | None = None) -> dict:
    bound = bound or {}
    demand = case.demand
    parties = list(case.parties.all())
    open_ = demand.state == State.IN_PROGRESS
    may_act = open_ and any(s.action == "record_mediation_session"
                            for s in demand_selectors.available_actions(request.user, demand))
    agreement = getattr(case, "agreement", None) if case.outcome == Outcome.AGREEMENT else None
    follow_ups = list(case.follow_ups.all())
    pending = [f for f in follow_ups if f.done_at is None]
    version = {"version": demand.version}
    context = {
        "case": case, "demand": demand, "parties": parties, "sessions": list(case.sessions.all()),
        "agreement": agreement, "follow_ups": follow_ups, "today": clock.today(),
        "signatures": list(agreement.signatures.select_related("party")) if agreement else [],
        "events": list(demand_selectors.events_of(demand)), "may_act": may_act,
        "source_openable": case.source is not None and may_see(request.user, case.source),
    }
    if may_act and not case.outcome:
        context["session_form"] = bound.get("session") or SessionForm(initial={**version, "held_on": clock.today()})
        if context["sessions"]:
            context["agreement_form"] = bound.get("agreement") or AgreementForm(
                initial={**version, "signed_on": clock.today(), "matter": demand.description}, parties=parties)
        context["failure_form"] = bound.get("failure") or FailureForm(initial=version)
    if may_act and agreement is not None:
        if pending:
            first = pending[0]
            context["follow_up"] = first
            context["follow_up_form"] = bound.get("follow_up") or FollowUpForm(initial=version)
        else:
            context["close_form"] = bound.get("close") or CloseForm(initial=version)
    return context


@_readers
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return render(request, "mediation/case.html", _detail_context(request, case))


def _post(request, pk: int, key: str, make_form, call, done: str) -> HttpResponse:
    """One shape for the case page's forms: parse, call the service, show its refusal on the form."""
    case = _case(request, pk)
    form = make_form(case)
    if form.is_valid():
        try:
            call(case, form)
        except MinshengError as exc:
            add_service_errors(form, exc)
            case = _case(request, pk)
            return render(request, "mediation/case.html", _detail_context(request, case, {key: form}),
                          status=409 if exc.status == 409 else 400)
        messages.success(request, done)
        return redirect("mediation:case", pk)
    return render(request, "mediation/case.html", _detail_context(request, case, {key: form}), status=400)


@_readers
@require_POST
def add_session(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, "session", lambda c: SessionForm(request.POST), lambda c, f: services.record_session(
        request.user, c.demand_id, f.cleaned_data["version"], held_on=f.cleaned_data["held_on"],
        attendees=f.cleaned_data["attendees"], notes=f.cleaned_data["notes"], place=f.cleaned_data["place"]),
        _("已记录调解。"))


@_readers
@require_POST
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, "agreement",
                 lambda c: AgreementForm(request.POST, request.FILES, parties=c.parties.all()),
                 lambda c, f: services.reach_agreement(
                     request.user, c.demand_id, f.cleaned_data["version"], matter=f.cleaned_data["matter"],
                     terms=f.cleaned_data["terms"], signed_on=f.cleaned_data["signed_on"],
                     signatures=f.signatures()),
                 _("调解协议已签订，协议履行回访已排期。"))


@_readers
@require_POST
def failure(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, "failure", lambda c: FailureForm(request.POST), lambda c, f: services.record_failure(
        request.user, c.demand_id, f.cleaned_data["version"], referred_to=f.cleaned_data["referred_to"],
        reason=f.cleaned_data["reason"]), _("已登记调解结果。"))


@_readers
@require_POST
def follow_up(request: HttpRequest, pk: int, follow_up: int) -> HttpResponse:
    return _post(request, pk, "follow_up", lambda c: FollowUpForm(request.POST),
                 lambda c, f: services.record_follow_up(
                     request.user, c.demand_id, f.cleaned_data["version"], follow_up_id=follow_up,
                     kept=f.cleaned_data["kept"], note=f.cleaned_data["note"]), _("已记录协议履行回访。"))


@_readers
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, "close", lambda c: CloseForm(request.POST), lambda c, f: services.close_case(
        request.user, c.demand_id, f.cleaned_data["version"], summary=f.cleaned_data["summary"]), _("调解案件已结案。"))


@_readers
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    agreement = getattr(case, "agreement", None)
    if agreement is None:
        raise Http404(_("该案件没有调解协议。"))
    signatures = {s.party_id: s for s in agreement.signatures.all()}
    parties = [(p, signatures.get(p.pk)) for p in case.parties.all()]
    return pdf_response(request, "mediation/agreement_pdf.html",
                        {"case": case, "agreement": agreement, "parties": parties},
                        f"mediation-agreement-{case.demand.number}.pdf")


@_readers
def signature_image(request: HttpRequest, pk: int) -> FileResponse:
    signature = AgreementSignature.objects.filter(
        pk=pk, agreement__case__in=selectors.cases_for(request.user)).first()
    if signature is None:
        raise Http404
    return FileResponse(signature.image.open("rb"), content_type="image/png")


@_readers
@require_POST
def reveal_party(request: HttpRequest, pk: int, party: int) -> HttpResponse:
    case = _case(request, pk)
    row = case.parties.filter(pk=party).first()
    if row is None:
        raise Http404
    try:
        phone = services.reveal_party_phone(request.user, row)
    except PermissionDenied as exc:
        return HttpResponse(exc.message, status=403)
    return render(request, "mediation/_party_phone.html", {"party": row, "phone": phone, "case": case})


@_readers
def figures(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    cases = selectors.cases_for(request.user)
    if year.isdigit() and 2000 <= int(year) <= 2100:
        cases = cases.filter(opened_at__year=int(year))
    else:
        year = ""
    return render(request, "mediation/figures.html", {"figures": selectors.figures(cases), "year": year,
                                                      "this_year": clock.today().year})


def may_start_from(user, demand: Demand, available=None) -> bool:
    """Whether the 转人民调解 button shows on a demand's (or station case's) page; ``available``:
    the user's available actions on the demand when the page has them already."""
    from . import actions

    if demand.kind != Kind.DEMAND or demand.state not in actions.REFER.sources:
        return False
    if available is None:
        available = demand_selectors.available_actions(user, demand)
    return any(s.action == actions.REFER.action for s in available)
