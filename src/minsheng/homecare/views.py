"""The home-care pages: the elder's own page, the provider worker's phone page, the auditor's
review page, the statements (Excel and printable PDF), and the staff pages that run the register
(applications, assessment, approval, review, grade changes, quota exceptions) and the providers.
Views parse, call a service or a selector, and render; refusals come back on the form that was sent."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.core.exports import xlsx_response
from minsheng.core.pdf import pdf_response
from minsheng.demands.workflow import Channel
from minsheng.organisation.models import Unit
from minsheng.organisation.scope import roles_of
from minsheng.web import field
from minsheng.web.actions import perform, refusal_status, submit

from . import audit, billing, eligibility, privacy, records, tasks
from .access import APPROVERS, AUDITORS, STAFF, provider_of
from .forms import (
    ApplyForm,
    ApproveForm,
    AssessForm,
    ChangeGradeForm,
    ExceptionForm,
    LeaveForm,
    ProviderCheckForm,
    ProviderStatusForm,
    RefuseForm,
    RequestForm,
    ReviewEligibilityForm,
    ReviewForm,
    RevisitForm,
    VisitForm,
)
from .models import CareService, Elder, Grade, ProviderCheck, ProviderContract, RecordPhoto, ServiceRecord
from .privacy import may_see_health
from .quota import month_start
from .selectors import (
    claimable_tasks,
    communities_for_intake,
    elder_of_user,
    elders_for,
    exceptions_for,
    month_usage,
    my_tasks,
    providers_for,
    records_for,
    reviews_due_for,
    service_report,
)


def _month(request: HttpRequest) -> date:
    text = request.GET.get("month", "")
    try:
        year, month = (int(p) for p in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return month_start(clock.today())


# --- the elder -----------------------------------------------------------------------------

@login_required
def elder_page(request: HttpRequest) -> HttpResponse:
    elder = elder_of_user(request.user)
    if elder is None:
        raise Http404(_("你的账号没有登记为居家养老服务对象。"))
    form = RequestForm(request.POST or None)
    sent = submit(request, form, lambda data: tasks.request_care(
        request.user, elder.pk, service=data["service"], planned_on=data["planned_on"], hours=data["hours"],
        note=data["note"], channel=Channel.WEB), _("已预约，服务商认领后会与你联系。"))
    if sent.ok:
        return redirect("homecare:me")
    status = 400 if request.method == "POST" else 200
    month = month_start(clock.today())
    return render(request, "homecare/elder.html", {
        "elder": elder, "form": form, "usage": month_usage(elder, month), "month": month,
        "tasks": elder.tasks.select_related("service", "provider", "demand")[:20],
        "records": elder.records.select_related("service", "provider")[:20],
    }, status=status)


# --- the provider's worker ------------------------------------------------------------------

def _worker_context(request, forms=None) -> dict:
    forms = forms or {}
    # The next visit first (the phone shows two or three cards at a time).
    mine = list(my_tasks(request.user).order_by("planned_on", "pk"))
    for task in mine:
        task.form = forms.get(task.pk) or VisitForm(initial={"version": task.demand.version})
    return {"provider": provider_of(request.user),
            "claimable": claimable_tasks(request.user).order_by("planned_on", "pk")[:50],
            "mine": mine, "recent": records_for(request.user).filter(worker=request.user)[:10]}


@login_required
def worker_page(request: HttpRequest) -> HttpResponse:
    if provider_of(request.user) is None:
        raise Http404(_("只有服务商的工作人员可以使用此页面。"))
    return render(request, "homecare/worker.html", _worker_context(request))


@login_required
@require_POST
def claim_task(request: HttpRequest, pk: int) -> HttpResponse:
    perform(request, lambda: tasks.claim(request.user, pk), _("已认领。"))
    return redirect("homecare:worker")


@login_required
@require_POST
@field.replays
def record_task(request: HttpRequest, pk: int) -> HttpResponse:
    task = my_tasks(request.user).filter(pk=pk).first()
    if task is None:
        raise Http404(_("服务任务不存在。"))
    form = VisitForm(request.POST, request.FILES)
    if field.is_queued(request) and not form.is_valid():
        return field.form_refused(form)
    if form.is_valid():
        data = form.cleaned_data

        def record() -> dict:
            saved = records.record_visit(
                request.user, task.demand_id, data["version"], started_at=data["started_at"],
                ended_at=data["ended_at"], confirmed_by=data["confirmed_by"], services_done=data["services_done"],
                photos=data["photos"], signature=data["signature"], device_times=True,
                check_in=(data["check_in_latitude"], data["check_in_longitude"]),
                check_out=(data["check_out_latitude"], data["check_out_longitude"]))
            return {"message": _("服务记录已提交，等待审核。"), "record": saved.pk, "hours": str(saved.hours)}
        if field.is_queued(request):
            return field.replayable(request, record, flash=True)
        if submit(request, form, lambda data: record(), _("服务记录已提交，等待审核。")).ok:
            return redirect("homecare:worker")
    return render(request, "homecare/worker.html", _worker_context(request, {task.pk: form}), status=400)


# --- the auditor ----------------------------------------------------------------------------

def _back_to_audit(request) -> HttpResponse:
    return redirect(f"{reverse('homecare:audit')}?month={_month(request):%Y-%m}")


def _auditor(request) -> None:
    if not roles_of(request.user) & AUDITORS:
        raise Http404(_("没有可用的审核页面。"))


@login_required
def audit_page(request: HttpRequest, forms=None, status: int = 200) -> HttpResponse:
    _auditor(request)
    month = _month(request)
    mine = records_for(request.user).filter(month=month)
    pending = mine.filter(status__in=[ServiceRecord.Status.SUBMITTED, ServiceRecord.Status.QUERIED]
                          ).prefetch_related("photos").order_by("started_at")
    page = Paginator(pending, 20).get_page(request.GET.get("page"))
    forms = forms or {}
    for record in page:
        record.form = forms.get(record.pk) or ReviewForm()
    revisits = mine.filter(revisit_selected=True, revisit_satisfied__isnull=True).order_by("started_at")[:20]
    for record in revisits:
        record.revisit_form = RevisitForm()
    providers = Unit.objects.filter(kind=Unit.Kind.CARE_PROVIDER, care_records__in=mine).distinct()
    return render(request, "homecare/audit.html", {
        "month": month, "page": page, "revisits": revisits, "providers": providers,
        "report": service_report(records_for(request.user), year=month.year),
        "budget": billing.budget_state(month.year),
    }, status=status)


@login_required
@require_POST
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    _auditor(request)
    form = ReviewForm(request.POST)
    if submit(request, form, lambda data: audit.review(request.user, pk, decision=data["decision"],
                                                       reason=data["reason"]), _("已审核。")).ok:
        return _back_to_audit(request)
    return audit_page(request, {pk: form}, status=400)


@login_required
@require_POST
def draw_revisits(request: HttpRequest) -> HttpResponse:
    _auditor(request)
    perform(request, lambda: audit.draw_revisits(request.user, _month(request)),
            lambda draw: _("已随机抽取 %(n)d 条记录电话回访（随机种子 %(seed)d）。") % {
                "n": draw.drawn, "seed": draw.seed})
    return _back_to_audit(request)


@login_required
@require_POST
def answer_revisit(request: HttpRequest, pk: int) -> HttpResponse:
    _auditor(request)
    form = RevisitForm(request.POST)
    if form.is_valid():
        perform(request, lambda: audit.record_revisit(request.user, pk, answer=form.cleaned_data["answer"],
                                                      satisfied=form.cleaned_data["satisfied"]), _("回访已记录。"))
    else:
        messages.error(request, _("请填写回访情况。"))
    return _back_to_audit(request)


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    item = RecordPhoto.objects.filter(pk=pk, record__in=records_for(request.user)).first()
    if item is None:
        raise Http404(_("照片不存在。"))
    return FileResponse(item.file.open("rb"))


@login_required
def signature(request: HttpRequest, pk: int) -> FileResponse:
    """The signature on a service record, to whoever may see the record (the auditor, the worker)."""
    record = records_for(request.user).filter(pk=pk).exclude(signature="").first()
    if record is None:
        raise Http404(_("没有签名。"))
    return FileResponse(record.signature.open("rb"), content_type="image/png")


# --- statements -----------------------------------------------------------------------------

def _statement_context(request, provider_id: int) -> dict:
    if not roles_of(request.user) & (AUDITORS | STAFF):
        raise Http404(_("没有可用的结算页面。"))
    provider = Unit.objects.filter(pk=provider_id, kind=Unit.Kind.CARE_PROVIDER).first()
    if provider is None:
        raise Http404(_("服务商不存在。"))
    month = _month(request)
    visible = records_for(request.user).filter(provider=provider, month=month, status=ServiceRecord.Status.APPROVED)
    elders = set(visible.values_list("elder_id", flat=True))
    lines = [line for line in billing.statement_lines(provider.pk, month) if line.elder_id in elders]
    # Totals of what this user may see: community staff see their communities' share, not the
    # provider's whole month; the issued statement is shown to those who see all of it.
    agg = visible.aggregate(h=Sum("hours"), a=Sum("amount"), n=Count("pk"))
    hours, amount, count = agg["h"] or Decimal(0), agg["a"] or Decimal(0), agg["n"]
    whole = count == billing.totals(provider.pk, month)[2]
    return {"provider": provider, "month": month, "lines": lines, "hours": hours, "amount": amount, "count": count,
            "records": visible.order_by("elder_id", "started_at"),
            "issued": provider.care_statements.filter(month=month).first() if whole else None}


@login_required
def statement(request: HttpRequest, provider_id: int) -> HttpResponse:
    context = _statement_context(request, provider_id)
    fmt = request.GET.get("format")
    name = f"statement-{context['provider'].code}-{context['month']:%Y-%m}"
    if fmt == "xlsx":
        headers = [_("服务对象"), _("服务项目"), _("记录编号"), _("开始时间"), _("结束时间"), _("时长（小时）"),
                   _("单价（元）"), _("金额（元）")]
        rows = ((r.elder.resident.name, r.service.name, r.pk, r.started_at, r.ended_at, r.hours, r.hourly_price,
                 r.amount) for r in context["records"].iterator())
        return xlsx_response(f"{name}.xlsx", headers, rows, sheet_title=_("结算明细"))
    if fmt == "pdf":
        return pdf_response(request, "homecare/statement_print.html", context, f"{name}.pdf")
    return render(request, "homecare/statement.html", context)


@login_required
@require_POST
def issue(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = Unit.objects.filter(pk=provider_id, kind=Unit.Kind.CARE_PROVIDER).first()
    if provider is None:
        raise Http404(_("服务商不存在。"))
    perform(request, lambda: billing.issue_statement(request.user, provider, _month(request)), _("结算单已出具。"))
    return redirect(f"{reverse('homecare:statement', args=[provider.pk])}?month={_month(request):%Y-%m}")


@login_required
def elders(request: HttpRequest) -> HttpResponse:
    if not roles_of(request.user) & (AUDITORS | STAFF):
        raise Http404(_("没有可用的页面。"))
    page = Paginator(elders_for(request.user).order_by("community__path", "pk"), 50).get_page(request.GET.get("page"))
    roles = roles_of(request.user)
    return render(request, "homecare/elders.html", {
        "page": page, "services": CareService.objects.count(), "is_staff": bool(roles & STAFF),
        "sees_providers": bool(roles & (AUDITORS | APPROVERS))})


# --- the register: applications, assessment, approval, review, grades, exceptions ----------

STEP_LABELS = {"apply": gettext_lazy("申请"), "assess": gettext_lazy("评估"), "approve": gettext_lazy("审批通过"),
               "refuse": gettext_lazy("不予通过"), "review": gettext_lazy("复核"),
               "change_grade": gettext_lazy("调整等级"), "leave": gettext_lazy("退出")}



def _register_user(request) -> None:
    if not roles_of(request.user) & (AUDITORS | STAFF):
        raise Http404(_("没有可用的页面。"))


def _staff_only(request) -> None:
    if not roles_of(request.user) & STAFF:
        raise Http404(_("没有可用的页面。"))


def _elder(request, pk: int) -> Elder:
    _register_user(request)
    elder = elders_for(request.user).filter(pk=pk).first()
    if elder is None:
        raise Http404(_("服务对象不存在或不在你的管辖范围内。"))
    return elder


def _elder_forms(request, elder: Elder) -> dict:
    """The blank forms of the steps this user may take on this elder now (the services decide).
    Several forms share field names on one page, so each has its own element ids."""
    roles, today, S = roles_of(request.user), clock.today(), Elder.Status
    staff, approver = bool(roles & STAFF), bool(roles & APPROVERS)
    forms = {}
    if elder.status in (S.APPLIED, S.ASSESSED):
        if staff:
            forms["assess"] = AssessForm(auto_id="assess_%s", initial={"grade": elder.proposed_grade})
        if approver and elder.status == S.ASSESSED:
            forms["approve"] = ApproveForm(auto_id="approve_%s", initial={"on": today})
        if approver:
            forms["refuse"] = RefuseForm(auto_id="refuse_%s")
    elif elder.status == S.ACTIVE:
        if staff:
            forms["review"] = ReviewEligibilityForm(auto_id="review_%s",
                                                    initial={"still_eligible": "yes", "on": today})
            forms["exception"] = ExceptionForm(auto_id="exception_%s", initial={"month": month_start(today)})
        if approver:
            forms["grade"] = ChangeGradeForm(auto_id="grade_%s", initial={"on": today})
            forms["leave"] = LeaveForm(auto_id="leave_%s", initial={"on": today})
    return forms


@login_required
def elder_detail(request: HttpRequest, pk: int, forms: dict | None = None, status: int = 200) -> HttpResponse:
    elder = _elder(request, pk)
    steps = list(elder.steps.select_related("actor").order_by("-at", "-pk")[:50])
    for step in steps:
        step.label = STEP_LABELS.get(step.action, step.action)
        step.grade_label = Grade(step.grade).label if step.grade in Grade.values else ""
    return render(request, "homecare/elder_staff.html", {
        "elder": elder, "forms": {**_elder_forms(request, elder), **(forms or {})}, "steps": steps,
        "periods": elder.periods.order_by("-start"),
        "exceptions": elder.exceptions.select_related("requested_by", "approved_by").order_by("-month", "-pk")[:24],
        "open_tasks": elder.tasks.filter(done=False, demand__state__in=tasks.OPEN_TASK_STATES).select_related(
            "service", "provider", "demand").order_by("planned_on"),
        "can_reveal": may_see_health(request.user, elder),
        "can_approve": bool(roles_of(request.user) & APPROVERS),
        "usage": month_usage(elder, month_start(clock.today())) if elder.status == Elder.Status.ACTIVE else None,
    }, status=status)


def _step_view(request, pk: int, key: str, form_class, take: Callable[[dict], object],
               done: str | Callable[[dict], str]) -> HttpResponse:
    """Parse the step's form, call its service, and come back to the elder's page: with a message on
    success, or with the form as it was sent and the refusal on it."""
    _elder(request, pk)
    form = form_class(request.POST, auto_id=f"{key}_%s")
    sent = submit(request, form, take, lambda _result: done(form.cleaned_data) if callable(done) else done)
    if sent.ok:
        return redirect("homecare:elder", pk=pk)
    return elder_detail(request, pk, {key: form}, status=sent.status)


@login_required
@require_POST
def assess_elder(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, "assess", AssessForm, lambda d: eligibility.assess(
        request.user, pk, grade=d["grade"], note=d["note"]), _("已评估。"))


@login_required
@require_POST
def approve_elder(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, "approve", ApproveForm, lambda d: eligibility.approve(
        request.user, pk, on=d["on"], note=d["note"]), _("已审批通过，服务开始。"))


@login_required
@require_POST
def refuse_elder(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, "refuse", RefuseForm, lambda d: eligibility.refuse(
        request.user, pk, reason=d["reason"]), _("已不予通过。"))


@login_required
@require_POST
def review_elder(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, "review", ReviewEligibilityForm, lambda d: eligibility.review(
        request.user, pk, still_eligible=d["still_eligible"], note=d["note"], grade=d["grade"], on=d["on"],
        false_information=d["false_information"]),
        lambda d: _("复核已记录。") if d["still_eligible"] else _("已办理退出，未完成的服务任务已取消。"))


@login_required
@require_POST
def change_grade(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, "grade", ChangeGradeForm, lambda d: eligibility.change_grade(
        request.user, pk, grade=d["grade"], on=d["on"], reason=d["reason"]), _("等级已调整。"))


@login_required
@require_POST
def leave_elder(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, "leave", LeaveForm, lambda d: eligibility.leave(
        request.user, pk, on=d["on"], reason=d["reason"], false_information=d["false_information"]),
        _("已办理退出，未完成的服务任务已取消。"))


@login_required
@require_POST
def request_exception(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, "exception", ExceptionForm, lambda d: eligibility.request_exception(
        request.user, pk, month=d["month"], extra_hours=d["extra_hours"], reason=d["reason"]),
        _("额度例外申请已提交，待街道审批。"))


@login_required
@require_POST
def reveal_health(request: HttpRequest, pk: int) -> HttpResponse:
    """The elder's health data in clear for one who needs it, logged as an unmasked view."""
    elder = _elder(request, pk)
    try:
        data = privacy.reveal_health(request.user, elder, purpose=_("居家养老评估复核查看健康信息"))
    except MinshengError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return render(request, "homecare/_health.html", {"elder": elder, "revealed": data})


@login_required
def apply_page(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    communities = list(communities_for_intake(request.user))
    form = ApplyForm(request.POST or None, communities=communities)
    sent = submit(request, form, lambda data: eligibility.apply(
        request.user, name=data["name"], phone=data["phone"],
        community=next(c for c in communities if c.code == data["community"]),
        birth_year=data["birth_year"], support=data["support"], condition=data["condition"],
        self_care=data["self_care"], health=data["health"], family=data["family"],
        channel=data["channel"], id_number=data["id_number"], address=data["address"]),
        lambda elder: _("已登记 %(name)s 的申请，下一步：评估等级。") % {"name": elder.resident.name})
    if sent.ok:
        return redirect("homecare:elder", pk=sent.result.pk)
    return render(request, "homecare/apply.html", {"form": form}, status=sent.status)


@login_required
def reviews_page(request: HttpRequest) -> HttpResponse:
    """The periodic review (能进能出): who is due now, and who falls due within 30 days."""
    _staff_only(request)
    today = clock.today()
    rows = list(reviews_due_for(request.user, today + timedelta(days=30))[:500])
    return render(request, "homecare/reviews.html", {
        "due": [e for e in rows if e.next_review_on <= today],
        "upcoming": [e for e in rows if e.next_review_on > today], "today": today})


def _exceptions_page(request, *, status: int = 200, error: str = "") -> HttpResponse:
    _register_user(request)
    mine = exceptions_for(request.user)
    return render(request, "homecare/exceptions.html", {
        "pending": mine.filter(approved_at__isnull=True).order_by("month", "pk")[:200],
        "recent": mine.filter(approved_at__isnull=False).order_by("-approved_at")[:20],
        "can_approve": bool(roles_of(request.user) & APPROVERS), "error": error}, status=status)


@login_required
def exceptions_page(request: HttpRequest) -> HttpResponse:
    return _exceptions_page(request)


@login_required
@require_POST
def approve_exception(request: HttpRequest, pk: int) -> HttpResponse:
    _register_user(request)
    if not exceptions_for(request.user).filter(pk=pk).exists():
        raise Http404(_("额度例外申请不存在。"))
    try:
        exc = eligibility.approve_exception(request.user, pk)
    except MinshengError as error:
        return _exceptions_page(request, status=refusal_status(error), error=error.message)
    messages.success(request, _("已批准 %(name)s %(month)s 增加 %(hours)s 小时。") % {
        "name": exc.elder.resident.name, "month": f"{exc.month:%Y-%m}", "hours": exc.extra_hours})
    return redirect("homecare:exceptions")


# --- providers: rectify or stop ------------------------------------------------------------

def _providers_page(request, forms=None, status: int = 200) -> HttpResponse:
    if not roles_of(request.user) & (AUDITORS | APPROVERS):
        raise Http404(_("没有可用的页面。"))
    can_act = bool(roles_of(request.user) & APPROVERS)
    may_evaluate = bool(roles_of(request.user) & AUDITORS)
    forms = forms or {}
    providers = list(providers_for(request.user))
    for provider in providers:
        provider.contracts = list(provider.care_contracts.order_by("-start"))
        provider.open_tasks = provider.care_tasks.filter(done=False, demand__state__in=tasks.OPEN_TASK_STATES).count()
        provider.evaluation = provider.care_evaluations.order_by("-year").first()
        # A provider stopped under every contract has nothing left to order (the service skips them).
        acting = can_act and any(c.status != ProviderContract.Status.STOPPED for c in provider.contracts)
        provider.form = forms.get(provider.pk) or (ProviderStatusForm() if acting else None)
        provider.may_evaluate = may_evaluate
    return render(request, "homecare/providers.html", {"providers": providers}, status=status)


@login_required
def providers_page(request: HttpRequest) -> HttpResponse:
    return _providers_page(request)


@login_required
@require_POST
def provider_status(request: HttpRequest, pk: int) -> HttpResponse:
    if not roles_of(request.user) & (AUDITORS | APPROVERS):
        raise Http404(_("没有可用的页面。"))
    provider = providers_for(request.user).filter(pk=pk).first()
    if provider is None:
        raise Http404(_("服务商不存在。"))
    form = ProviderStatusForm(request.POST)

    def done(result: dict) -> str:
        if form.cleaned_data["status"] == ProviderContract.Status.STOPPED:
            return _("%(provider)s 已停止服务：%(moved)d 项任务转交其他服务商，%(released)d 项退回待认领。") % {
                "provider": provider.name, **result}
        return _("%(provider)s 的状态已更新。") % {"provider": provider.name}
    sent = submit(request, form, lambda data: tasks.set_provider_status(
        request.user, provider, status=data["status"], reason=data["reason"]), done)
    if sent.ok:
        return redirect("homecare:providers")
    return _providers_page(request, {provider.pk: form}, status=sent.status)


# --- the yearly evaluation and the random home checks (auditors, street office) ---------------

def _evaluation_context(request, provider, year: int, form=None) -> dict:
    elders = elders_for(request.user).filter(records__provider=provider).distinct().select_related(
        "resident", "community").order_by("community__path", "pk")
    checks = provider.care_checks.filter(on__year=year).select_related("elder__resident").order_by("-on", "-pk")
    evaluation = provider.care_evaluations.filter(year=year).first()
    parts = []
    if evaluation is not None:
        p = evaluation.parts
        parts = [(_("审核通过率"), 40, p.get("audit"), _("通过 %(a)s 条，驳回 %(r)s 条") % {
                     "a": p.get("approved", 0), "r": p.get("rejected", 0)}),
                 (_("回访满意率"), 20, p.get("revisits"), _("回访 %(n)s 条，满意 %(s)s 条") % {
                     "n": p.get("answered", 0), "s": p.get("satisfied", 0)}),
                 (_("入户抽查"), 20, p.get("home_visits"), ""),
                 (_("投诉扣分"), 20, p.get("complaints"), _("投诉 %(n)s 次，每次扣 2 分") % {
                     "n": p.get("complaint_count", 0)})]
    return {"provider": provider, "year": year, "years": range(clock.today().year, clock.today().year - 4, -1),
            "checks": checks, "evaluation": evaluation, "parts": parts,
            "visits": checks.filter(kind=ProviderCheck.Kind.HOME_VISIT).count(),
            "form": form or ProviderCheckForm(elders=elders, initial={"on": clock.today(), "good": True,
                                                                      "kind": ProviderCheck.Kind.HOME_VISIT})}


def _evaluated_provider(request, pk: int) -> Unit:
    if not roles_of(request.user) & AUDITORS:
        raise Http404(_("没有可用的页面。"))
    provider = providers_for(request.user).filter(pk=pk).first()
    if provider is None:
        raise Http404(_("服务商不存在。"))
    return provider


def _year(request) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return clock.today().year


@login_required
def evaluation_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A provider's yearly evaluation (out of 100) with its parts, and the year's home checks and
    complaints; auditors and the street office record checks and (re)compute the score here."""
    provider = _evaluated_provider(request, pk)
    return render(request, "homecare/evaluation.html", _evaluation_context(request, provider, _year(request)))


@login_required
@require_POST
def record_provider_check(request: HttpRequest, pk: int) -> HttpResponse:
    provider = _evaluated_provider(request, pk)
    year = _year(request)
    elders = elders_for(request.user).filter(records__provider=provider).distinct()
    form = ProviderCheckForm(request.POST, elders=elders)
    sent = submit(request, form, lambda data: audit.record_check(
        request.user, provider, kind=data["kind"], good=data["good"], on=data["on"], note=data["note"],
        elder=data["elder"]), _("检查记录已保存；重新计算考核后计入得分。"))
    if sent.ok:
        return redirect(f"{reverse('homecare:evaluation', args=[provider.pk])}?year={form.cleaned_data['on'].year}")
    return render(request, "homecare/evaluation.html", _evaluation_context(request, provider, year, form),
                  status=sent.status)


@login_required
@require_POST
def evaluate_provider(request: HttpRequest, pk: int) -> HttpResponse:
    provider = _evaluated_provider(request, pk)
    year = _year(request)
    perform(request, lambda: audit.evaluate(request.user, provider, year),
            lambda evaluation: _("%(provider)s %(year)d 年考核得分 %(score)s 分。") % {
                "provider": provider.name, "year": year, "score": evaluation.score})
    return redirect(f"{reverse('homecare:evaluation', args=[provider.pk])}?year={year}")
