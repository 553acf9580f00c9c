"""The auditors' page: the audit log, filtered by kind, account and days, and its Excel export."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import dates
from minsheng.core.errors import ValidationFailed
from minsheng.core.exports import xlsx_response
from minsheng.web.pagination import CappedPaginator

from .models import AuditEntry
from .selectors import AuditFilter, audit_entries, may_read_audit_log
from .services import retention_days

PAGE_SIZE = 50
COUNT_CAP = 10_000
# One export holds at most this many rows (a year of a busy district's sign-ins fits); narrower
# filters give the rest.
EXPORT_LIMIT = 200_000
HEADERS = ("时间", "类别", "用户名", "客户端地址", "操作", "对象", "详情", "请求编号")


def _auditor(request: HttpRequest) -> None:
    if not may_read_audit_log(request.user):
        raise Http404(_("没有可用的审计页面。"))


def _filter(query: QueryDict) -> AuditFilter:
    """The filters from the query string; a malformed value is refused naming its field."""
    kind = query.get("kind", "").strip()
    if kind and kind not in AuditEntry.Kind.values:
        raise ValidationFailed.for_field("kind", _("没有这个记录类别。"))
    start = dates.parse_date(query["from"], "from") if query.get("from", "").strip() else None
    end = dates.parse_date(query["to"], "to") if query.get("to", "").strip() else None
    if start and end and end < start:
        raise ValidationFailed.for_field("to", _("结束日期必须不早于开始日期。"))
    return AuditFilter(kind=kind, username=query.get("user", "").strip()[:150], start=start, end=end)


@login_required
def log_page(request: HttpRequest) -> HttpResponse:
    _auditor(request)
    params = request.GET.copy()
    params.pop("page", None)
    error, status = "", 200
    try:
        wanted = _filter(request.GET)
    except ValidationFailed as exc:
        error, status, wanted = exc.message, 400, AuditFilter()
        params = QueryDict()
    entries = audit_entries(wanted).select_related(None)
    page = CappedPaginator(entries, PAGE_SIZE, COUNT_CAP).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {
        "page": page, "kinds": AuditEntry.Kind.choices, "filters": request.GET, "params": params.urlencode(),
        "error": error, "retention_days": retention_days()}, status=status)


@login_required
def log_export(request: HttpRequest) -> FileResponse:
    _auditor(request)
    entries = audit_entries(_filter(request.GET))[:EXPORT_LIMIT]
    rows = ((e.at, e.get_kind_display(), e.username, e.client_address, _(e.action) if e.action else "", e.target,
             e.detail, e.request_id) for e in entries.iterator(chunk_size=2000))
    return xlsx_response(f"audit-log-{timezone.localtime():%Y%m%d-%H%M}.xlsx", [_(h) for h in HEADERS], rows,
                         sheet_title=_("审计记录"))
