"""Assessment pages: the dashboard, the formulas, the tables, the demands behind a figure and the
monthly report, with their Excel and PDF exports.  They only call the selectors."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.catalogue.models import Category
from minsheng.core import clock, dates
from minsheng.core.errors import MinshengError, ValidationFailed
from minsheng.core.exports import xlsx_response
from minsheng.core.pdf import pdf_response
from minsheng.demands import selectors as demand_selectors
from minsheng.organisation.models import Region, Unit
from minsheng.routing import hot_issues as hot
from minsheng.web.views.staff import _staff_required, _with_time_status

from . import charts, selectors
from .drilldown import demands_behind
from .exports import demand_export_headers, demand_export_rows
from .selectors import COUNTER_LABELS, RATE_LABELS, RATES, Filters

TABLE_COUNTERS = ("registered", "dispatched", "resolved", "revisited")


def _viewer_required(view):
    @_staff_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not selectors.may_view(request.user):
            raise Http404(_("没有可用的工作台页面。"))
        try:
            return view(request, *args, **kwargs)
        except MinshengError as exc:
            return render(request, "assessment/refused.html", {"message": exc.message}, status=exc.status)

    return wrapped


# --- reading the query string --------------------------------------------------------

def _today() -> date:
    return timezone.localdate(clock.now())


def _month(request: HttpRequest) -> tuple[date, date]:
    text = request.GET.get("month", "").strip()
    if not text:
        return selectors.month_bounds(_today())
    return selectors.month_bounds(dates.parse_month(text, "month"))


def _dates(request: HttpRequest) -> tuple[date, date]:
    if "from" not in request.GET and "to" not in request.GET:
        return _month(request)
    start = dates.parse_date(request.GET.get("from", ""), "from")
    end = dates.parse_date(request.GET.get("to", ""), "to")
    if end < start or (end - start).days > 366 * 5:
        raise ValidationFailed.for_field("to", _("结束日期必须不早于开始日期，且跨度不超过五年。"))
    return start, end


def _object(model, request: HttpRequest, name: str):
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    found = model.objects.filter(pk=int(value)).first() if value.isdigit() else None
    if found is None:
        raise ValidationFailed.for_field(name, _("筛选条件“%(value)s”不存在。") % {"value": value})
    return found


def _filters(request: HttpRequest) -> Filters:
    return Filters(region=_object(Region, request, "region"), unit=_object(Unit, request, "unit"),
                   category=_object(Category, request, "category"))


def figure_url(counter: str, start: date, end: date, *, base: str | None = None, **filters) -> str:
    params = {"figure": counter, "from": start.isoformat(), "to": end.isoformat()}
    params.update({k: v for k, v in filters.items() if v})
    return (base or reverse("web:assessment_demands")) + "?" + urlencode(params)


def _filter_ids(filters: Filters) -> dict[str, int | None]:
    return {"region": filters.region.pk if filters.region else None,
            "unit": filters.unit.pk if filters.unit else None,
            "category": filters.category.pk if filters.category else None}


LINKED = ("registered", "dispatched", "resolved", "revisited", "invalid", "merged", "reopened", "suspended")


def _links(start: date, end: date, **filters) -> dict[str, str]:
    base = reverse("web:assessment_demands")
    links = {c: figure_url(c, start, end, base=base, **filters) for c in LINKED}
    # A rate links to the demands it is computed over (its denominator).
    links.update({rate: links["dispatched" if rate == "completion" else denominator]
                  for rate, (_num, denominator) in RATES.items()})
    return links


def _decorate(rows, by: str, start: date, end: date, filters: Filters):
    base = _filter_ids(filters)
    for row in rows:
        key = {"unit": "unit", "category": "category"}.get(by, "region")
        row.links = _links(start, end, **{**base, key: row.key or None}) if row.key else {}
    return rows


def _summary(figures: selectors.Figures, links: dict[str, str]) -> dict:
    return {
        "counts": [(COUNTER_LABELS[c], getattr(figures, c), links[c]) for c in
                   ("registered", "dispatched", "resolved", "revisited", "invalid", "merged", "reopened",
                    "suspended")],
        "rates": [(RATE_LABELS[r], v, links[r]) for r, v in figures.rates().items()],
        "composite": figures.composite,
    }


# --- pages ---------------------------------------------------------------------------

@_viewer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    start, end = _month(request)
    filters = _filters(request)
    today = _today()
    until = min(end, today)
    figures = selectors.figures(user, start, end, filters)
    trends = {}
    for granularity, points in selectors.trends(user, until, filters).items():
        trends[granularity] = {"labels": [label for label, _f in points],
                               "registered": [f.registered for _l, f in points],
                               "resolved": [f.resolved for _l, f in points],
                               "satisfaction": [float(f.satisfaction) if f.satisfaction is not None else None
                                                for _l, f in points]}
    categories = selectors.table(user, start, end, "category", filters)
    streets = _decorate(selectors.table(user, start, end, "street", filters), "street", start, end, filters)
    units = _decorate([r for r in selectors.table(user, start, end, "unit", filters) if r.key][:10], "unit",
                      start, end, filters)
    overdue = demand_selectors.demands_visible_to(user).filter(demand_selectors.overdue_q(clock.now()))
    previous = (start - timedelta(days=1)).replace(day=1)
    return render(request, "assessment/dashboard.html", {
        "start": start, "end": end, "month": f"{start:%Y-%m}", "previous": f"{previous:%Y-%m}",
        "next": f"{end + timedelta(days=1):%Y-%m}" if end < today else "",
        "filters": filters, "summary": _summary(figures, _links(start, end, **_filter_ids(filters))),
        "chart_data": {
            "trends": trends,
            "categories": [{"name": r.label, "value": r.figures.registered} for r in categories
                           if r.figures.registered],
            "grids": selectors.grid_counts(user, start, end, filters),
            "labels": {"registered": _("受理量"), "resolved": _("办结量"), "satisfaction": _("满意率")},
        },
        "streets": streets, "units": units,
        "overdue": _with_time_status(list(overdue.order_by("handle_due")[:10])),
        "overdue_count": overdue.count(), "hot_topics": hot.hot_issue_summaries(request.user, limit=5),
        "table_counters": [(c, COUNTER_LABELS[c]) for c in TABLE_COUNTERS],
        "rate_names": [(r, RATE_LABELS[r]) for r in RATES],
    })


def formulas(request: HttpRequest) -> HttpResponse:
    return render(request, "assessment/formulas.html", {
        "weight": selectors.BASICALLY_SATISFIED_WEIGHT,
        "composite": {k: int(v * 100) for k, v in selectors.COMPOSITE_WEIGHTS.items()}})


formulas = _viewer_required(formulas)

TABLE_LABELS = {"street": _("街道"), "community": _("社区"), "grid": _("网格"), "unit": _("承办单位"),
                "category": _("分类")}


def _table_export(rows, by: str, start: date, end: date) -> HttpResponse:
    headers = [_("排名"), str(TABLE_LABELS[by]), *(str(COUNTER_LABELS[c]) for c in
                                                   ("registered", "dispatched", "withdrawn", "resolved",
                                                    "responded_on_time", "resolved_on_time", "revisited",
                                                    "satisfied", "basically_satisfied", "dissatisfied",
                                                    "invalid", "merged", "reopened", "suspended")),
               *(str(RATE_LABELS[r]) for r in RATES), _("综合得分")]
    data = ([r.rank, r.label, r.figures.registered, r.figures.dispatched, r.figures.withdrawn, r.figures.resolved,
             r.figures.responded_on_time, r.figures.resolved_on_time, r.figures.revisited, r.figures.satisfied,
             r.figures.basically_satisfied, r.figures.dissatisfied, r.figures.invalid, r.figures.merged,
             r.figures.reopened, r.figures.suspended, *r.figures.rates().values(), r.figures.composite]
            for r in rows)
    return xlsx_response(f"assessment-{by}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx", headers, data,
                         sheet_title=str(TABLE_LABELS[by]))


@_viewer_required
def assessment_table(request: HttpRequest) -> HttpResponse:
    start, end = _dates(request)
    by = request.GET.get("by", "unit")
    if by not in selectors.TABLE_KINDS:
        raise ValidationFailed.for_field("by", _("未知的统计维度“%(value)s”。") % {"value": by})
    filters = _filters(request)
    rows = _decorate(selectors.table(request.user, start, end, by, filters), by, start, end, filters)
    if request.GET.get("format") == "xlsx":
        return _table_export(rows, by, start, end)
    params = request.GET.copy()
    params["format"] = "xlsx"
    this_month = selectors.month_bounds(_today())
    last_month = selectors.month_bounds(this_month[0] - timedelta(days=1))
    return render(request, "assessment/table.html", {
        "rows": rows, "by": by, "kinds": list(TABLE_LABELS.items()), "by_label": TABLE_LABELS[by],
        "start": start, "end": end, "export_query": params.urlencode(), "filters": filters,
        "quick": [(_("本月"), this_month), (_("上月"), last_month),
                  (_("本年"), (date(_today().year, 1, 1), _today()))],
        "table_counters": [(c, COUNTER_LABELS[c]) for c in TABLE_COUNTERS],
        "rate_names": [(r, RATE_LABELS[r]) for r in RATES]})


@_viewer_required
def demands(request: HttpRequest) -> HttpResponse:
    start, end = _dates(request)
    counter = request.GET.get("figure", "")
    filters = _filters(request)
    queryset = demands_behind(request.user, counter, start, end, filters).order_by("-registered_at", "-pk")
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"demands-{counter}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx", demand_export_headers(),
                             demand_export_rows(queryset), sheet_title=str(COUNTER_LABELS[counter]))
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    _with_time_status(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    export = params.copy()
    export["format"] = "xlsx"
    return render(request, "assessment/demands.html", {
        "page": page, "params": params.urlencode(), "export_query": export.urlencode(),
        "figure": COUNTER_LABELS[counter], "start": start, "end": end, "filters": filters})


def _report_context(request: HttpRequest) -> dict:
    user = request.user
    start, end = _month(request)
    filters = _filters(request)
    region = filters.region
    level = "street" if region is None or region.kind == Region.Kind.DISTRICT else (
        "community" if region.kind == Region.Kind.STREET else "grid")
    figures = selectors.figures(user, start, end, filters)
    daily = selectors.per_day(user, start, end, filters)
    days = list(daily)
    registered = [f.registered for f in daily.values()]
    resolved = [f.resolved for f in daily.values()]
    categories = selectors.table(user, start, end, "category", filters)
    return {
        "start": start, "end": end, "month": f"{start:%Y-%m}", "region": region, "figures": figures,
        "rates": [(RATE_LABELS[r], v) for r, v in figures.rates().items()],
        "counts": [(COUNTER_LABELS[c], getattr(figures, c)) for c in
                   ("registered", "dispatched", "resolved", "revisited", "invalid", "merged", "reopened",
                    "suspended")],
        "daily_chart": charts.bar_chart([f"{d.day}" for d in days], [registered, resolved],
                                        names=[_("受理量"), _("办结量")], label_every=2),
        "category_chart": charts.horizontal_bars([(r.label, r.figures.registered) for r in categories
                                                  if r.figures.registered][:12]),
        "regions": selectors.table(user, start, end, level, filters), "level_label": TABLE_LABELS[level],
        "units": [r for r in selectors.table(user, start, end, "unit", filters) if r.key],
        "rate_names": [(r, RATE_LABELS[r]) for r in RATES],
        "generated": clock.now(),
    }


@_viewer_required
def report(request: HttpRequest) -> HttpResponse:
    context = _report_context(request)
    if request.GET.get("format") == "pdf":
        name = context["region"].code if context["region"] else "all"
        return pdf_response(request, "assessment/report.html", {**context, "pdf": True},
                            f"monthly-report-{name}-{context['month']}.pdf")
    params = request.GET.copy()
    params["format"] = "pdf"
    return render(request, "assessment/report.html", {**context, "pdf_query": params.urlencode(),
                                                      "regions_in_scope": _report_regions(request.user)})


def _report_regions(user) -> list[Region]:
    """Districts and streets the user may pick for a report (their scope's own regions)."""
    scope = selectors.scope_of(user)
    streets = Region.objects.filter(kind__in=[Region.Kind.DISTRICT, Region.Kind.STREET]).order_by("path")
    return [r for r in streets if scope.everything or any(regions and r.pk in regions
                                                           for regions, _u in scope.parts)]
