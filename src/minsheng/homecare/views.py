"""The home-care pages: the elder's own page, the provider worker's phone page, the auditor's
review page, and the statements (Excel and printable PDF).  Views parse, call a service or a
selector, and render; refusals come back on the form that was sent."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.core.exports import xlsx_response
from minsheng.core.pdf import pdf_response
from minsheng.demands.workflow import Channel
from minsheng.organisation.models import Unit
from minsheng.organisation.scope import roles_of
from minsheng.web.forms import add_service_errors

from . import audit, billing, records, tasks
from .access import AUDITORS, STAFF, provider_of
from .forms import RequestForm, ReviewForm, RevisitForm, VisitForm
from .models import CareService, RecordPhoto, ServiceRecord
from .quota import month_start
from .selectors import (
    claimable_tasks,
    elder_of_user,
    elders_for,
    month_usage,
    my_tasks,
    records_for,
    service_report,
)


def _month(request: HttpRequest) -> date:
    text = request.GET.get("month", "")
    try:
        year, month = (int(p) for p in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        return month_start(timezone.localdate(clock.now()))


# --- the elder -----------------------------------------------------------------------------

@login_required
def elder_page(request: HttpRequest) -> HttpResponse:
    elder = elder_of_user(request.user)
    if elder is None:
        raise Http404(_("你的账号没有登记为居家养老服务对象。"))
    form = RequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tasks.request_care(request.user, elder.pk, service=data["service"], planned_on=data["planned_on"],
                               hours=data["hours"], note=data["note"], channel=Channel.WEB)
        except MinshengError as exc:
            add_service_errors(form, exc)
            status = 400
        else:
            messages.success(request, _("已预约，服务商认领后会与你联系。"))
            return redirect("homecare:me")
    elif request.method == "POST":
        status = 400
    month = month_start(timezone.localdate(clock.now()))
    return render(request, "homecare/elder.html", {
        "elder": elder, "form": form, "usage": month_usage(elder, month), "month": month,
        "tasks": elder.tasks.select_related("service", "provider", "demand")[:20],
        "records": elder.records.select_related("service", "provider")[:20],
    }, status=status)


# --- the provider's worker ------------------------------------------------------------------

def _worker_context(request, forms=None) -> dict:
    forms = forms or {}
    mine = list(my_tasks(request.user))
    for task in mine:
        task.form = forms.get(task.pk) or VisitForm(initial={"version": task.demand.version})
    return {"provider": provider_of(request.user), "claimable": claimable_tasks(request.user)[:50],
            "mine": mine, "recent": records_for(request.user).filter(worker=request.user)[:10]}


@login_required
def worker_page(request: HttpRequest) -> HttpResponse:
    if provider_of(request.user) is None:
        raise Http404(_("只有服务商的工作人员可以使用此页面。"))
    return render(request, "homecare/worker.html", _worker_context(request))


@login_required
@require_POST
def claim_task(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        tasks.claim(request.user, pk)
    except MinshengError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已认领。"))
    return redirect("homecare:worker")


@login_required
@require_POST
def record_task(request: HttpRequest, pk: int) -> HttpResponse:
    task = my_tasks(request.user).filter(pk=pk).first()
    if task is None:
        raise Http404(_("服务任务不存在。"))
    form = VisitForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            records.record_visit(request.user, task.demand_id, data["version"], started_at=data["started_at"],
                                 ended_at=data["ended_at"], confirmed_by=data["confirmed_by"],
                                 services_done=data["services_done"], photos=data["photos"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("服务记录已提交，等待审核。"))
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
    if form.is_valid():
        try:
            audit.review(request.user, pk, decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已审核。"))
            return _back_to_audit(request)
    return audit_page(request, {pk: form}, status=400)


@login_required
@require_POST
def draw_revisits(request: HttpRequest) -> HttpResponse:
    _auditor(request)
    try:
        draw = audit.draw_revisits(request.user, _month(request))
    except MinshengError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已随机抽取 %(n)d 条记录电话回访（随机种子 %(seed)d）。")
                         % {"n": draw.drawn, "seed": draw.seed})
    return _back_to_audit(request)


@login_required
@require_POST
def answer_revisit(request: HttpRequest, pk: int) -> HttpResponse:
    _auditor(request)
    form = RevisitForm(request.POST)
    if form.is_valid():
        try:
            audit.record_revisit(request.user, pk, answer=form.cleaned_data["answer"],
                                 satisfied=form.cleaned_data["satisfied"])
        except MinshengError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("回访已记录。"))
    else:
        messages.error(request, _("请填写回访情况。"))
    return _back_to_audit(request)


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    item = RecordPhoto.objects.filter(pk=pk, record__in=records_for(request.user)).first()
    if item is None:
        raise Http404(_("照片不存在。"))
    return FileResponse(item.file.open("rb"))


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
    try:
        billing.issue_statement(request.user, provider, _month(request))
    except MinshengError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("结算单已出具。"))
    return redirect(f"{reverse('homecare:statement', args=[provider.pk])}?month={_month(request):%Y-%m}")


@login_required
def elders(request: HttpRequest) -> HttpResponse:
    if not roles_of(request.user) & (AUDITORS | STAFF):
        raise Http404(_("没有可用的页面。"))
    page = Paginator(elders_for(request.user).order_by("community__path", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "homecare/elders.html", {"page": page, "services": CareService.objects.count()})
