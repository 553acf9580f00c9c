"""Assessment pages: the dashboard, the formulas, the tables, the demands behind a figure and the
monthly report, with their Excel and PDF exports.  They only call the selectors."""

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minsheng.calls import selectors as calls_selectors
from minsheng.catalogue.models import Category
from minsheng.core import clock, dates
from minsheng.core.documents import deferred_pdf_response
from minsheng.core.errors import MinshengError, ValidationFailed
from minsheng.core.exports import xlsx_response
from minsheng.demands import selectors as demand_selectors
from minsheng.demands.workflow import OPEN_STATES, State
from minsheng.organisation.models import Region, Unit
from minsheng.routing import hot_issues as hot
from minsheng.web.views.staff import _staff_required, _with_time_status

from . import charts, rules, selectors
from .drilldown import item_values_behind, items_of, visible_item_keys
from .exports import DEMAND_COLUMNS, demand_export_headers, item_export_rows
from .selectors import ALL_RATES, COUNTER_LABELS, MORE_RATES, RATE_LABELS, RATES, Filters

TABLE_COUNTERS = ("registered", "dispatched", "due", "revisited")


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


def _month(request: HttpRequest) -> tuple[date, date]:
    text = request.GET.get("month", "").strip()
    if not text:
        return selectors.month_bounds(clock.today())
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


def figure_url(name: str, start: date, end: date, *, base: str | None = None, **filters) -> str:
    params = {"figure": name, "from": start.isoformat(), "to": end.isoformat()}
    params.update({k: v for k, v in filters.items() if v})
    return (base or reverse("web:assessment_demands")) + "?" + urlencode(params)


def _filter_ids(filters: Filters) -> dict[str, int | None]:
    return {"region": filters.region.pk if filters.region else None,
            "unit": filters.unit.pk if filters.unit else None,
            "category": filters.category.pk if filters.category else None}


def _links(start: date, end: date, **filters) -> dict[str, str]:
    """A link to the demands behind every counter and set, and for every rate to its numerator
    (``<rate>``) and its failures (``<rate>_failures``)."""
    # figure_url's addresses, their common part encoded once (a dashboard has ~500 of them).
    base = reverse("web:assessment_demands")
    common = urlencode({"from": start.isoformat(), "to": end.isoformat(), **{k: v for k, v in filters.items() if v}})
    links = {name: f"{base}?{urlencode({'figure': name})}&{common}" for name in selectors.SETS}
    for rate, (numerator, _denominator, failures) in ALL_RATES.items():
        links[rate] = links[numerator]
        links[f"{rate}_failures"] = links[failures]
    return links


def _decorate(rows, by: str, start: date, end: date, filters: Filters):
    base = _filter_ids(filters)
    for row in rows:
        key = {"unit": "unit", "category": "category"}.get(by, "region")
        row.links = _links(start, end, **{**base, key: row.key or None}) if row.key else {}
    return rows


SUMMARY_COUNTS = ("registered", "dispatched", "resolved", "on_spot", "revisited", "due", "overdue", "dissatisfied",
                  "returned", "reopened", "invalid", "merged", "suspended")


def _rate_tiles(figures: selectors.Figures, links: dict[str, str], names) -> list[dict]:
    tiles = []
    for name in names:
        numerator, denominator, failures = ALL_RATES[name]
        tiles.append({"name": name, "label": RATE_LABELS[name], "value": figures.rate(name),
                      "numerator": figures.count(numerator), "denominator": figures.count(denominator),
                      "numerator_label": COUNTER_LABELS[numerator], "denominator_label": COUNTER_LABELS[denominator],
                      "failures": figures.count(failures), "failures_label": COUNTER_LABELS[failures],
                      "url": links.get(name), "failures_url": links.get(f"{name}_failures")})
    return tiles


def _summary(figures: selectors.Figures, links: dict[str, str]) -> dict:
    return {
        "counts": [(COUNTER_LABELS[c], figures.count(c), links[c]) for c in SUMMARY_COUNTS],
        "rates": _rate_tiles(figures, links, RATES),
        "more_rates": _rate_tiles(figures, links, MORE_RATES),
        "composite": figures.composite,
        "rule": figures.rule,
    }


# --- pages ---------------------------------------------------------------------------

@_viewer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    start, end = _month(request)
    filters = _filters(request)
    today = clock.today()
    until = min(end, today)
    unit_rows, figures = selectors.table_with_total(user, start, end, "unit", filters)
    trends = {}
    for granularity, points in selectors.trends(user, until, filters).items():
        trends[granularity] = {"labels": [label for label, _f in points],
                               "registered": [f.registered for _l, f in points],
                               "resolved": [f.resolved for _l, f in points],
                               "satisfaction": [float(f.satisfaction) if f.satisfaction is not None else None
                                                for _l, f in points]}
    categories = selectors.table(user, start, end, "category", filters)
    streets = _decorate(selectors.table(user, start, end, "street", filters), "street", start, end, filters)
    units = _decorate([r for r in unit_rows if r.key and r.rank][:10],
                      "unit", start, end, filters)
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
        "streets": [r for r in streets if r.rank], "streets_unranked": [r for r in streets if not r.rank],
        "units": units, "min_volume": figures.rule.min_volume,
        "overdue": _with_time_status(list(overdue.order_by("handle_due")[:10])),
        "overdue_count": overdue.count(), "hot_topics": hot.hot_issue_summaries(request.user, limit=5),
        "table_counters": [(c, COUNTER_LABELS[c]) for c in TABLE_COUNTERS],
        "rate_names": [(r, RATE_LABELS[r]) for r in RATES],
    })


def _formulas_page(request: HttpRequest, *, status: int = 200, **extra) -> HttpResponse:
    """指标口径 with the rule in force today, its versions, and (administrators) the form."""
    rule = rules.rule_for(clock.today())
    return render(request, "assessment/formulas.html", {
        "rule": rule, "composite": {k: (v * 100).normalize() for k, v in rule.weights.items()},
        "versions": rules.versions(), "may_set": rules.may_set(request.user), **extra}, status=status)


def formulas(request: HttpRequest) -> HttpResponse:
    return _formulas_page(request)


formulas = _viewer_required(formulas)


class RuleForm(forms.Form):
    effective_from = forms.CharField(max_length=7)
    weight_response = forms.DecimalField(max_digits=5, decimal_places=2)
    weight_resolution = forms.DecimalField(max_digits=5, decimal_places=2)
    weight_satisfaction = forms.DecimalField(max_digits=5, decimal_places=2)
    min_volume = forms.IntegerField(min_value=1, max_value=100000)
    cutoff_days = forms.IntegerField(min_value=0, max_value=31)
    note = forms.CharField(max_length=200, required=False)


@require_POST
@_viewer_required
def set_rule(request: HttpRequest) -> HttpResponse:
    """An administrator sets a new version of the assessment rule (from the 指标口径 page)."""
    form = RuleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            data["effective_from"] = dates.parse_month(data["effective_from"], "effective_from")
            rules.set_rule(request.user, **data)
        except MinshengError as exc:
            error = exc.message
        else:
            month = f"{data['effective_from']:%Y-%m}"
            messages.success(request, _("考核规则已保存，自 %(month)s 起执行。") % {"month": month})
            return redirect("web:assessment_formulas")
    else:
        error = "; ".join(f"{form.fields[name].label or name}: {' '.join(errs)}" for name, errs in form.errors.items())
    return _formulas_page(request, status=400, rule_error=error, rule_form=request.POST)

# Lazy: made once at import, read in each request's language.
TABLE_LABELS = {"district": gettext_lazy("区/县"), "street": gettext_lazy("街道"), "community": gettext_lazy("社区"),
                "grid": gettext_lazy("网格"), "unit": gettext_lazy("承办单位"), "category": gettext_lazy("分类")}


EXPORT_COUNTERS = ("registered", "dispatched", "on_spot", "resolved", "contact_due", "contacted_on_time", "due",
                   "completed", "completed_on_time", "overdue", "revisited", "solved", "partly_solved", "unsolved",
                   "satisfied", "basically_satisfied", "dissatisfied", "returned", "reopened", "invalid", "merged",
                   "suspended")


def _table_export(rows, by: str, start: date, end: date) -> HttpResponse:
    headers = [_("排名"), str(TABLE_LABELS[by]), _("件数"), *(str(COUNTER_LABELS[c]) for c in EXPORT_COUNTERS),
               *(str(RATE_LABELS[r]) + " %" for r in ALL_RATES), _("综合得分")]
    data = ([r.rank or _("件数不足，不参与排名"), r.label, r.figures.volume,
             *(r.figures.count(c) for c in EXPORT_COUNTERS),
             *(r.figures.rate(name) for name in ALL_RATES), r.figures.composite]
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
    this_month = selectors.month_bounds(clock.today())
    last_month = selectors.month_bounds(this_month[0] - timedelta(days=1))
    return render(request, "assessment/table.html", {
        "rows": [r for r in rows if r.rank], "unranked": [r for r in rows if not r.rank],
        "rule": selectors.rule_for(start), "by": by, "kinds": list(TABLE_LABELS.items()), "by_label": TABLE_LABELS[by],
        "start": start, "end": end, "export_query": params.urlencode(), "filters": filters,
        "quick": [(_("本月"), this_month), (_("上月"), last_month),
                  (_("本年"), (date(clock.today().year, 1, 1), clock.today()))],
        "table_counters": [(c, COUNTER_LABELS[c]) for c in TABLE_COUNTERS],
        "rate_names": [(r, RATE_LABELS[r]) for r in RATES]})


@_viewer_required
def demands(request: HttpRequest) -> HttpResponse:
    start, end = _dates(request)
    name = request.GET.get("figure", "")
    filters = _filters(request)
    if request.GET.get("format") == "xlsx":
        rows, _hidden = item_values_behind(request.user, name, start, end, filters, DEMAND_COLUMNS)
        return xlsx_response(f"demands-{name}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
                             [_("计入日期"), *demand_export_headers()], item_export_rows(rows),
                             sheet_title=str(COUNTER_LABELS[name]))
    keys, hidden = visible_item_keys(request.user, name, start, end, filters)
    label = COUNTER_LABELS[name]
    page = Paginator(keys, 25).get_page(request.GET.get("page"))
    page.object_list = items_of(page.object_list)  # a month's thousand items: only the page's are loaded
    _with_time_status([item.demand for item in page.object_list])
    params = request.GET.copy()
    params.pop("page", None)
    export = params.copy()
    export["format"] = "xlsx"
    return render(request, "assessment/demands.html", {
        "page": page, "params": params.urlencode(), "export_query": export.urlencode(), "hidden": hidden,
        "figure": label, "explanation": selectors.SET_NOTES.get(name, ""), "start": start, "end": end,
        "filters": filters, "last_due": selectors.deadline_end(end) if name in selectors.DEADLINE_SETS else None})


REPORT_COUNTS = ("registered", "dispatched", "on_spot", "resolved", "due", "overdue", "revisited", "dissatisfied",
                 "returned", "reopened", "invalid", "merged")


# Rates where a fall is the improvement; a count's change is shown without a judgement.
LOWER_IS_BETTER = frozenset({"return_rate", "reopen_rate", "overdue_rate"})


def _change(now: Decimal | int | None, before: Decimal | int | None, *, rate: str | None = None) -> dict | None:
    """A comparison with an earlier period: percentage points for a rate (named, so that the
    change can be called better or worse), per cent for a count."""
    if now is None or before is None:
        return None
    if rate is not None:
        delta = (Decimal(now) - Decimal(before)).quantize(Decimal("0.1"))
        better = delta < 0 if rate in LOWER_IS_BETTER else delta > 0
        return {"delta": delta, "unit": _("个百分点"), "tone": "" if not delta else ("up" if better else "down")}
    if not before:
        return None
    return {"delta": (Decimal(now - before) * 100 / before).quantize(Decimal("0.1")), "unit": "%", "tone": ""}


def _month_before(start: date, months: int) -> tuple[date, date]:
    month = start
    for _i in range(months):
        month = (month - timedelta(days=1)).replace(day=1)
    return selectors.month_bounds(month)


def _comparisons(user, start: date, figures: selectors.Figures, filters: Filters) -> tuple[list, list]:
    previous = selectors.figures(user, *_month_before(start, 1), filters)
    last_year = selectors.figures(user, *_month_before(start, 12), filters)
    counts = [{"label": COUNTER_LABELS[c], "value": figures.count(c),
               "mom": _change(figures.count(c), previous.count(c)),
               "yoy": _change(figures.count(c), last_year.count(c))} for c in REPORT_COUNTS]
    rates = [{"label": RATE_LABELS[r], "value": figures.rate(r),
              "mom": _change(figures.rate(r), previous.rate(r), rate=r),
              "yoy": _change(figures.rate(r), last_year.rate(r), rate=r)} for r in ALL_RATES]
    rates.append({"label": _("综合得分"), "value": figures.composite, "plain": True,
                  "mom": _change(figures.composite, previous.composite, rate="composite"),
                  "yoy": _change(figures.composite, last_year.composite, rate="composite")})
    return counts, rates


def _summary_text(figures: selectors.Figures, counts: list, best, worst) -> str:
    """The report's opening paragraph, in the reader's language."""
    registered = counts[0]
    parts = [_("本月受理诉求 %(n)d 件") % {"n": figures.registered}]
    if registered["mom"]:
        delta = registered["mom"]["delta"]
        parts[0] += (_("，环比上升 %(d)s%%") if delta >= 0 else _("，环比下降 %(d)s%%")) % {"d": abs(delta)}
    parts.append(_("派单 %(d)d 件，立接立办 %(s)d 件") % {"d": figures.dispatched, "s": figures.on_spot})
    if figures.due:
        parts.append(_("应办结 %(due)d 件，按期办结率 %(rate)s%%，超期 %(over)d 件")
                     % {"due": figures.due, "rate": figures.on_time, "over": figures.overdue})
    if figures.revisited:
        parts.append(_("回访 %(n)d 件，解决率 %(r)s%%，满意率 %(s)s%%")
                     % {"n": figures.revisited, "r": figures.resolution, "s": figures.satisfaction})
    if figures.composite is not None:
        parts.append(_("综合得分 %(c)s") % {"c": figures.composite})
    text = _("，").join(parts) + _("。")  # the sentence's punctuation is the reader's language's
    if best is not None and worst is not None and best is not worst:
        text += _("参与排名的承办单位中，%(best)s 得分最高（%(b)s），%(worst)s 得分最低（%(w)s）。") % {
            "best": best.label, "b": best.figures.composite, "worst": worst.label, "w": worst.figures.composite}
    return text


def _with_cells(rows: list[selectors.TableRow]) -> list[selectors.TableRow]:
    """Each row's figures as the report's table prints them: volume, registered, due, overdue,
    the rates, the composite score.  The units' table is some eighty rows of eleven figures;
    written out once here, not looked up attribute by attribute in the template."""
    for row in rows:
        f = row.figures
        row.cells = [localize(f.volume), localize(f.registered), localize(f.due), localize(f.overdue),
                     *("—" if rate is None else f"{localize(rate)}%" for rate in f.rates().values()),
                     "—" if f.composite is None else localize(f.composite)]
    return rows


# The report's type, written once for its page and its charts (see charts._svg).
REPORT_FONTS = "Noto Serif CJK SC, Noto Sans CJK SC, Noto Sans SC, WenQuanYi Micro Hei, serif"


def _report_context(request: HttpRequest, *, printing: bool = False) -> dict:
    user = request.user
    start, end = _month(request)
    filters = _filters(request)
    region = filters.region
    level = _breakdown_level(user, region)
    unit_rows, figures = selectors.table_with_total(user, start, end, "unit", filters)
    units = [r for r in unit_rows if r.key]
    daily = selectors.per_day(user, start, end, filters)
    days = list(daily)
    registered = [f.registered for f in daily.values()]
    resolved = [f.resolved for f in daily.values()]
    categories = selectors.table(user, start, end, "category", filters)
    ranked_units = [r for r in units if r.rank]
    best, worst = (ranked_units[0], ranked_units[-1]) if ranked_units else (None, None)
    counts, rates = _comparisons(user, start, figures, filters)
    # The first 50 overdue items, with their demands (the list's keys are cheap, its demands are not).
    overdue = (items_of(visible_item_keys(user, "overdue", start, end, filters)[0][:50]) if figures.overdue <= 200
               else [])
    return {
        "start": start, "end": end, "month": f"{start:%Y-%m}", "region": region, "figures": figures,
        "counts": counts, "rates": rates, "rule": figures.rule,
        "summary": _summary_text(figures, counts, best, worst),
        "best_units": ranked_units[:3], "worst_units": list(reversed(ranked_units[3:]))[:3],
        "overdue": overdue, "overdue_count": figures.overdue,
        "daily_chart": charts.bar_chart([f"{d.day}" for d in days], [registered, resolved],
                                        names=[_("受理量"), _("办结量")], label_every=2, tooltips=not printing,
                                        font_family=REPORT_FONTS),
        "category_chart": charts.horizontal_bars([(r.label, r.figures.registered) for r in categories
                                                  if r.figures.registered][:12], font_family=REPORT_FONTS),
        "fonts": REPORT_FONTS,
        "regions": _with_cells(selectors.table(user, start, end, level, filters)),
        "level_label": TABLE_LABELS[level], "units": _with_cells(units),
        "rate_names": [(r, RATE_LABELS[r]) for r in RATES],
        "generated": clock.now(), "last_due": selectors.deadline_end(end),
        # The hotline's seats answer for the whole district: their figures join a district-wide report.
        "seats": (calls_selectors.seat_report(calls_selectors.day_bounds(start)[0], calls_selectors.day_bounds(end)[1])
                  if region is None or region.kind == Region.Kind.DISTRICT else None),
    }


def _breakdown_level(user, region: Region | None) -> str:
    """The level a report's table breaks its region down by: a city's (or a whole multi-district
    scope's) districts, a district's streets, a street's communities, a community's grids."""
    if region is None:
        several = Region.objects.filter(kind=Region.Kind.DISTRICT).count() > 1
        return "district" if several and selectors.scope_of(user).everything else "street"
    if region.kind in Region.UPPER_KINDS:
        return "district"
    return {Region.Kind.DISTRICT: "street", Region.Kind.STREET: "community"}.get(region.kind, "grid")


@_viewer_required
def report(request: HttpRequest) -> HttpResponse:
    printing = request.GET.get("format") == "pdf"
    context = _report_context(request, printing=printing)
    params = request.GET.copy()
    if printing:
        name = context["region"].code if context["region"] else "all"
        del params["format"]
        # About a second to lay out: made by the worker, once for the same month, scope and data.
        return deferred_pdf_response(request, "assessment/report.html", {**context, "pdf": True},
                                     f"monthly-report-{name}-{context['month']}.pdf",
                                     back=f"{request.path}?{params.urlencode()}" if params else request.path)
    params["format"] = "pdf"
    return render(request, "assessment/report.html", {**context, "pdf_query": params.urlencode(),
                                                      "regions_in_scope": _report_regions(request.user)})


def _report_regions(user) -> list[Region]:
    """Cities, districts and streets the user may pick for a report (their scope's own regions)."""
    scope = selectors.scope_of(user)
    streets = Region.objects.filter(kind__in=[*Region.UPPER_KINDS, Region.Kind.DISTRICT, Region.Kind.STREET]
                                    ).order_by("path")
    return [r for r in streets if scope.everything or any(regions and r.pk in regions
                                                           for regions, _u in scope.parts)]


# --- the service centre's large screen -------------------------------------------------

SCREEN_REFRESH_SECONDS = 60
SCREEN_ROTATE_SECONDS = 15
SCREEN_POINTS = 500  # the newest open demands drawn on the map
SCREEN_TODAY = ("registered", "dispatched", "resolved", "on_spot")
SCREEN_MONTH = ("registered", "resolved", "revisited", "overdue")


def _screen_live(user) -> dict:
    """What the large screen shows and refreshes: today's and this month's figures from the same
    selectors as the dashboard (the rates are theirs: 0–100 % or "—"), the 30-day curve, the open
    demands with a pin, the overdue ones, this month's categories and the streets' ranking.  No
    title, address or person: the screen hangs where visitors pass, so a demand is its category,
    place and state."""
    now = clock.now()
    today = timezone.localdate(now)
    start, end = selectors.month_bounds(today)
    day = selectors.figures(user, today, today)
    category_rows, month = selectors.table_with_total(user, start, end, "category")
    visible = demand_selectors.demands_visible_to(user)
    open_demands = visible.filter(state__in=OPEN_STATES)
    overdue = visible.filter(demand_selectors.overdue_q(now))
    overdue_ids = set(overdue.values_list("pk", flat=True)[:SCREEN_POINTS])
    # Plain values, not 500 demands with their categories and regions as models (most of the
    # screen's time); each category's and state's name looked up once.
    pins = list(open_demands.filter(latitude__isnull=False, longitude__isnull=False).order_by("-registered_at")
                .values_list("pk", "latitude", "longitude", "category_id", "region__name", "state")[:SCREEN_POINTS])
    category_names = {c.pk: str(c) for c in Category.objects.filter(pk__in={pin[3] for pin in pins if pin[3]})}
    state_names = {value: str(label) for value, label in State.choices}
    trend = selectors.trend(user, "day", today)
    return {
        "now": now,
        "today": [(COUNTER_LABELS[c], day.count(c)) for c in SCREEN_TODAY],
        "month": [(COUNTER_LABELS[c], month.count(c)) for c in SCREEN_MONTH],
        "rates": [(RATE_LABELS[r], month.rate(r)) for r in RATES],
        "composite": month.composite,
        "open_count": open_demands.count(), "overdue_count": overdue.count(),
        "overdue": _with_time_status(list(overdue.select_related("category", "region", "handling_unit")
                                          .order_by("handle_due")[:12])),
        "categories": [r for r in category_rows if r.figures.registered][:8],
        "streets": [r for r in selectors.table(user, start, end, "street") if r.rank][:8],
        "screen_data": {
            "trend": {"labels": [label for label, _f in trend], "registered": [f.registered for _l, f in trend],
                      "resolved": [f.resolved for _l, f in trend],
                      "names": {"registered": str(COUNTER_LABELS["registered"]),
                                "resolved": str(COUNTER_LABELS["resolved"])}},
            "points": [{"lat": float(lat), "lng": float(lng), "overdue": pk in overdue_ids,
                        "label": f"{category_names.get(category_id) or _('未分类')} · {region} · "
                                 f"{state_names.get(state, state)}"}
                       for pk, lat, lng, category_id, region, state in pins],
        },
    }


@_viewer_required
def screen(request: HttpRequest) -> HttpResponse:
    """The service centre's large screen (1920×1080): the map of open demands, the figures, the
    trend, the overdue list and the clock; its live part reloads itself (htmx) every minute."""
    context = {**_screen_live(request.user), "refresh": SCREEN_REFRESH_SECONDS, "rotate": SCREEN_ROTATE_SECONDS,
               "start": selectors.month_bounds(clock.today())[0]}
    if request.GET.get("part") == "live":
        return render(request, "assessment/_screen_live.html", context)
    return render(request, "assessment/screen.html", context)
