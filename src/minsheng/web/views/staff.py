"""Staff pages: queue, list, demand with its actions, intake, overview.  They only call
selectors and services; every rule lives there."""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.assessment.exports import demand_export_headers, demand_export_rows
from minsheng.calls import selectors as calls_selectors
from minsheng.calls import services as calls_services
from minsheng.calls import views as calls_views
from minsheng.catalogue.selectors import responsible_unit
from minsheng.core import clock
from minsheng.core.errors import MinshengError, NotFound, PermissionDenied
from minsheng.core.exports import xlsx_response
from minsheng.demands import selectors, services
from minsheng.demands.models import Demand, DemandAttachment
from minsheng.demands.workflow import OPEN_STATES, Channel, State, action_label
from minsheng.knowledge import selectors as knowledge_selectors
from minsheng.knowledge import services as knowledge_services
from minsheng.organisation.models import Region, Unit
from minsheng.organisation.roles import STAFF_ROLES, Role
from minsheng.organisation.scope import grants_for, roles_of
from minsheng.people.services import may_see_personal_data, reveal_personal_data
from minsheng.routing import hot_issues as hot
from minsheng.routing import selectors as routing_selectors
from minsheng.routing.addresses import resolve_address, resolve_point
from minsheng.routing.duplicates import find_duplicates, open_demands_near
from minsheng.search.selectors import MAX_QUERY, ranked
from minsheng.supervision.selectors import summoned_units_of
from minsheng.web.actions import perform

from ..forms import (
    ACTION_FORMS,
    BULK_ACTIONS,
    IntakeForm,
    ReplyTemplateForm,
    SavedViewForm,
    add_service_errors,
    bulk_action_form,
    order_actions,
)
from ..models import ReplyTemplate
from ..pagination import CappedPaginator
from ..replies import PLACEHOLDERS, REPLY_FIELDS, templates_for
from ..saved_views import delete_view, save_view, saved_views_of

PAGE_SIZE = 25
LIST_COUNT_CAP = 1000  # the demand list counts at most this many matches (see pagination.py)
# Each sort's tie-break runs the same way as its column, so that a page walks the column's index
# in order instead of sorting every match (deadline then "-pk": 3 s at 1.4 M demands).  Demands
# without a deadline (not dispatched yet) come after those with one.
SORTS = {"registered": ("-registered_at", "-pk"), "oldest": ("registered_at", "pk"),
         "deadline": (F("handle_due").asc(nulls_last=True), "pk"), "number": ("number",)}


def _staff_required(view):
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not roles_of(request.user) & STAFF_ROLES:
            raise Http404(_("没有可用的工作台页面。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _with_time_status(demands):
    now = clock.now()
    for demand in demands:
        demand.time_status = selectors.time_status(demand, now)
    return demands


def _page(request: HttpRequest, queryset, paginator: Paginator | None = None):
    page = (paginator or Paginator(queryset, PAGE_SIZE)).get_page(request.GET.get("page"))
    _with_time_status(page.object_list)
    return page


@_staff_required
def queue(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    queued = selectors.queue_for(request.user, now)
    # Counted up to the cap, as the list is: a hotline's revisits alone run to thousands a week.
    page = _page(request, queued, CappedPaginator(queued, PAGE_SIZE, LIST_COUNT_CAP, keys_first=True,
                                                  runs=lambda: selectors.queue_runs(request.user, now)))
    selectors.prepare_for_actions(page.object_list)
    for demand in page:
        demand.next_step = selectors.next_step(request.user, demand)
        # The actions this row could take with others at once (the transition table's, for this user).
        demand.bulk_actions = [spec.action for spec in selectors.available_actions(request.user, demand)
                               if spec.action in BULK_ACTIONS]
    offered = [action for action in BULK_ACTIONS if any(action in d.bulk_actions for d in page)]
    # Counted up to the cap as well: an administrator's colleagues hold most of the city's running
    # work (22,600 demands at 1M, 100 ms to count them all).
    held = selectors.held_by_colleagues(request.user, now).order_by().values("pk")[:LIST_COUNT_CAP + 1].count()
    return render(request, "web/staff/queue.html", {
        "page": page, "bulk_actions": [(action, action_label(action)) for action in offered],
        "revisit_days": selectors.revisit_window().days, "saved_views": saved_views_of(request.user),
        "held_by_colleagues": min(held, LIST_COUNT_CAP), "held_capped": held > LIST_COUNT_CAP})


def _selected_demands(request: HttpRequest) -> tuple[list[tuple[Demand, int]], int]:
    """The rows ticked on the queue, as (demand, the version its user saw), and how many of the
    ticked ones are not (or no longer) the user's to see."""
    wanted: dict[int, int] = {}
    for item in request.POST.getlist("demand"):
        pk, _sep, version = item.partition(":")
        if pk.isdigit() and version.isdigit():
            wanted[int(pk)] = int(version)
    found = {d.pk: d for d in selectors.demands_visible_to(request.user).filter(pk__in=wanted)}
    items = [(found[pk], version) for pk, version in wanted.items() if pk in found]
    return items, len(request.POST.getlist("demand")) - len(items)


def _refusal(exc: MinshengError) -> str:
    return "；".join([exc.message, *(e for errors in exc.field_errors.values() for e in errors if e != exc.message)])


@_staff_required
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    """One action on several demands from the queue.  First the confirmation: exactly the demands
    ticked, what the action will do to each, and its input; refused outright when the action is
    not open on every one of them.  Then each demand goes through that action's own service with
    the version its user saw — one transition and one event each, so one refusal (changed in the
    meantime, out of scope) stops no other and leaves nothing half-done."""
    action = request.POST.get("action", "")
    if action not in BULK_ACTIONS:
        messages.error(request, _("请选择要批量执行的操作。"))
        return redirect("web:queue")
    items, missing = _selected_demands(request)
    if not items:
        messages.error(request, _("没有选择诉求。"))
        return redirect("web:queue")
    _with_time_status([demand for demand, _version in items])
    not_open = [demand for demand, _version in items
                if action not in {spec.action for spec in selectors.available_actions(request.user, demand)}]
    confirmed = "confirm" in request.POST
    form = bulk_action_form(action, request.POST if confirmed else None)
    if confirmed and not not_open and not missing and form.is_valid():
        service, done = services.SERVICE_FOR_ACTION[action], []
        for demand, version in items:
            try:
                service(request.user, demand.pk, version, **form.service_kwargs())
            except MinshengError as exc:
                messages.error(request, _("%(number)s 未执行：%(reason)s") % {
                    "number": demand.number, "reason": _refusal(exc)})
            else:
                done.append(demand.number)
        if done:
            messages.success(request, _("已%(action)s %(n)d 件：%(numbers)s") % {
                "action": action_label(action), "n": len(done), "numbers": "、".join(done)})
        return redirect("web:queue")
    return render(request, "web/staff/bulk_confirm.html", {
        "action": action, "action_label": action_label(action), "items": items, "form": form,
        "not_open": not_open, "missing": missing}, status=400 if (not_open or missing or form.errors) else 200)


UNIT_PICKER_ROLES = frozenset(services.transition("dispatch").roles | services.transition("summon").roles)
UNIT_OPTIONS_LIMIT = 20


@_staff_required
def unit_options(request: HttpRequest) -> JsonResponse:
    """The unit pickers' type-ahead (派单, 吹哨): active units whose name or code holds the typed
    text, with the unit above each so that two 城管执法队 can be told apart.  Only for roles that
    dispatch or summon; the forms still validate whatever is posted, so this only helps to find."""
    if not roles_of(request.user) & UNIT_PICKER_ROLES:
        raise Http404
    text = request.GET.get("q", "").strip()[:50]
    units = Unit.objects.filter(active=True).select_related("parent").order_by("path")
    if text:
        units = units.filter(Q(name__icontains=text) | Q(code__icontains=text))
    return JsonResponse({"results": [
        {"id": u.pk, "name": u.name, "parent": u.parent.name if u.parent_id else ""}
        for u in units[:UNIT_OPTIONS_LIMIT]]})


@_staff_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    """Pin the demand list's filter under a name; back to the list it was saved from."""
    form = SavedViewForm(request.POST)
    query = request.POST.get("query", "")
    if form.is_valid():
        if perform(request, lambda: save_view(request.user, name=form.cleaned_data["name"],
                                              query=form.cleaned_data["query"]),
                   lambda view: _("已保存视图“%(name)s”，它显示在“我的待办”页。") % {"name": view.name}):
            query = form.cleaned_data["query"]
    else:
        messages.error(request, _("请为视图起个名字（不超过40个字）。"))
    return redirect(reverse("web:demands") + (f"?{query}" if query else ""))


@_staff_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        delete_view(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("已删除视图。"))
    return redirect("web:queue")


def _filtered_demands(request: HttpRequest, *, window: int | None = None):
    """The staff list's demands with the query string's filters and sort applied.  ``window``: a
    search by relevance ranks only the newest that many matches (search.selectors.ranked_window)."""
    qs = selectors.demands_visible_to(request.user)
    text = request.GET.get("q", "").strip()[:MAX_QUERY]
    if text:
        qs = qs.filter(selectors.search_q(text))
    if (state := request.GET.get("state")) in State.values:
        qs = qs.filter(state=state)
    if (channel := request.GET.get("channel")) in Channel.values:
        qs = qs.filter(channel=channel)
    if request.GET.get("overdue") == "1":
        qs = qs.filter(selectors.overdue_q(clock.now()))
    if request.GET.get("first_received") == "1":  # 首问负责: what this user's units took in first
        qs = qs.filter(first_receiver_unit_id__in=[g.unit_id for g in grants_for(request.user) if g.unit_id])
    sort = request.GET.get("sort") or ("relevance" if text else "registered")
    if sort == "relevance" and text and not selectors.is_demand_number(text):
        return ranked(qs, text, window=window)  # best match first
    return qs.order_by(*SORTS.get(sort, SORTS["registered"]))


@_staff_required
def demand_list(request: HttpRequest) -> HttpResponse:
    # The page shows at most the first LIST_COUNT_CAP rows: a search ranks no more than those (and one
    # more, which tells the count that there are more).
    qs = _filtered_demands(request, window=LIST_COUNT_CAP + 1)
    params = request.GET.copy()
    params.pop("page", None)
    page = _page(request, qs, CappedPaginator(qs, PAGE_SIZE, LIST_COUNT_CAP))
    return render(request, "web/staff/list.html", {
        "page": page, "states": State.choices, "channels": Channel.choices, "sorts": SORTS,
        "params": params.urlencode(), "filters": request.GET,
        "save_view": SavedViewForm(initial={"query": params.urlencode()}) if params else None})


@_staff_required
def demand_export(request: HttpRequest) -> FileResponse:
    """The list as filtered, to Excel, streamed (no personal data in it)."""
    return xlsx_response(f"demands-{clock.now():%Y%m%d-%H%M}.xlsx", demand_export_headers(),
                         demand_export_rows(_filtered_demands(request)), sheet_title=_("诉求列表"))


def _detail_context(request: HttpRequest, demand: Demand, forms=None) -> dict:
    # Other apps' rows (care tasks, wishes) are taken on those apps' own pages, which have their forms.
    available = selectors.available_actions(request.user, demand)
    actions = [spec for spec in available if spec.action in ACTION_FORMS]
    forms = forms or {}
    # Category suggestions for those who classify and dispatch: the model's top few with confidence.
    deciding = any(spec.action in ("verify", "dispatch") for spec in actions)
    suggestions, model_version = routing_selectors.suggestions_for(demand) if deciding else ([], "")

    def blank_form(action: str):
        initial = {"version": demand.version}
        if action == "dispatch":
            # Preselect the category (else the first suggestion).  The unit is preselected only for a
            # category already set; otherwise the catalogue picks it for whatever category is sent.
            category = demand.category or (suggestions[0].category if suggestions else None)
            initial["category"] = category.code if category else ""
            initial["unit"] = responsible_unit(demand.category, demand.region)
        return ACTION_FORMS[action](initial=initial)

    now = clock.now()
    orders, summoned = list(demand.supervision_orders.order_by("created_at")), list(summoned_units_of(demand))
    for row in (*orders, *summoned):
        row.lateness = row.status(now)
    # Each photo on the step that added it, labelled (反映时 / 办理后, who, when).
    events = selectors.with_photos(demand, list(selectors.events_of(demand)))
    for event in events:
        for photo in event.photos:
            photo.link = reverse("web:attachment", args=[photo.pk])
    primary, destructive = order_actions(actions, first=selectors.next_action(request.user, demand))
    # Reply templates (宏) for the forms that take a written reply, filled with this demand's values.
    replies = templates_for(demand, [spec.action for spec in actions])

    def with_replies(spec, form):
        form.reply_templates = replies.get(spec.action, [])
        form.reply_field = REPLY_FIELDS.get(spec.action, "")
        return spec, form
    nearby = open_demands_near(request.user, demand)
    return {
        "demand": demand, "time_status": selectors.time_status(demand, now),
        "available_actions": available,  # all of them, those with a form of their own page too
        "supervision_orders": orders, "summoned_units": summoned,
        "events": events,
        "actions": [with_replies(spec, forms.get(spec.action) or blank_form(spec.action)) for spec in primary],
        "destructive_actions": [with_replies(spec, forms.get(spec.action) or blank_form(spec.action))
                                for spec in destructive],
        "pending": selectors.pending_request_of(demand),
        "nearby": nearby,
        "nearby_points": [{"lat": d.latitude, "lng": d.longitude, "url": reverse("web:demand", args=[d.pk]),
                           "label": _("%(number)s %(title)s · %(state)s · %(metres)d 米") % {
                               "number": d.number, "title": d.title, "state": d.state_label, "metres": d.metres}}
                          for d in nearby],
        "can_merge": any(spec.action == "merge" for spec in actions),
        "can_dispatch": any(spec.action == "dispatch" for spec in actions),
        "can_reveal": demand.reporter_id is not None and may_see_personal_data(request.user, demand),
        "merged": demand.merged_demands.all(),
        # 我也遇到: residents who joined; their names and phones stay behind the same reveal as the reporter's.
        "reporter_count": selectors.reporter_count(demand),
        "suggestions": suggestions, "model_version": model_version,
        "address": resolve_address(demand.address) if deciding and demand.address else None,
        # Possible duplicates for those who may merge this demand into another.
        "duplicates": find_duplicates(request.user, title=demand.title, description=demand.description,
                                      region=demand.region, latitude=demand.latitude, longitude=demand.longitude,
                                      at=demand.registered_at, exclude=demand.pk, category=demand.category)
        if any(spec.action == "merge" for spec in actions) else [],
        # After a refused action the URL is the action's (POST only); the language switch returns here.
        "language_next": reverse("web:demand", args=[demand.pk]),
        # The knowledge base: the article this demand was answered from (or referred by), and for an open
        # demand the articles matching its words, for the handler's answer.
        "cited_articles": knowledge_selectors.cited_by(events),
        "articles": knowledge_selectors.demand_suggestions(demand) if demand.state in OPEN_STATES else [],
    }


def _get_demand(request: HttpRequest, pk: int) -> Demand:
    try:
        return selectors.get_demand_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@_staff_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _get_demand(request, pk)
    return render(request, "web/staff/detail.html", _detail_context(request, demand))


@_staff_required
@require_POST
def demand_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    demand = _get_demand(request, pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404(_("未知的操作。"))
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.SERVICE_FOR_ACTION[action](request.user, demand.pk, form.cleaned_data["version"],
                                                **form.service_kwargs())
        except MinshengError as exc:
            add_service_errors(form, exc)
            demand.refresh_from_db()
            status = 409 if exc.status == 409 else 400
            return render(request, "web/staff/detail.html",
                          _detail_context(request, demand, {action: form}), status=status)
        messages.success(request, _("已完成：%(action)s") % {"action": services.transition(action).label})
        # After returning or escalating, the demand may have left this user's scope.
        if selectors.demands_visible_to(request.user).filter(pk=demand.pk).exists():
            return redirect("web:demand", pk=demand.pk)
        return redirect("web:queue")
    return render(request, "web/staff/detail.html", _detail_context(request, demand, {action: form}), status=400)


@_staff_required
@require_POST
def reveal_reporter(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _get_demand(request, pk)
    if demand.reporter is None:
        raise Http404
    try:
        data = reveal_personal_data(request.user, demand.reporter, purpose=_("办理诉求 %(number)s") % {
            "number": demand.number}, demand=demand)
    except PermissionDenied as exc:
        return HttpResponse(exc.message, status=403)
    return render(request, "web/staff/_reporter.html", {"demand": demand, "revealed": data})


INTAKE_ROLES = frozenset(services.transition("register").roles - {Role.RESIDENT})


def _default_channel(user) -> str:
    roles = roles_of(user)
    if Role.STATION_AGENT in roles:
        return Channel.STATION
    if Role.GRID_WORKER in roles:
        return Channel.PATROL
    return Channel.HOTLINE


def _intake_base(user) -> Region | None:
    """The region whose grids the intake form offers: the deepest region the user covers."""
    paths = [g.narrowed_to or g.region_path for g in grants_for(user) if (g.narrowed_to or g.region_path)]
    if not paths or any(g.region_path == "" for g in grants_for(user)):
        return None
    shortest = min(paths, key=len)
    return Region.objects.filter(path=shortest).first()


@_staff_required
def intake(request: HttpRequest) -> HttpResponse:
    base = _intake_base(request.user)
    try:  # opened from the screen pop: the call's number filled in, the call kept on the demand
        call = calls_views.intake_call(request)
    except MinshengError as exc:
        messages.error(request, exc.message)
        return redirect("web:intake")
    channel = request.GET.get("channel")  # 登记并接下一件 keeps the channel of the call before
    initial = {"channel": channel if channel in Channel.values else _default_channel(request.user)}
    if call is not None:
        initial |= {"channel": Channel.HOTLINE, "phone": call.caller}
    form = IntakeForm(request.POST or None, request.FILES or None, region_base=base, initial=initial)
    article_id = request.POST.get("answer_article", "")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Registered (answered directly from an article, referred to an expert seat, or resolved on
            # the spot) and its call linked together, or none of it.
            with transaction.atomic():
                if article_id:  # 直接答复 (or 转专家座席) from a knowledge-base article
                    demand = knowledge_services.answer_consultation(
                        request.user, article_id=article_id, send_sms=request.POST.get("send_sms") == "1",
                        **_registration(data))
                else:
                    demand = _register_from_intake(request.user, data)
                if call is not None:
                    calls_services.link_demand(request.user, call.pk, demand)
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _intake_done(demand))
            # 登记并接下一件 (Alt+N): a blank form for the next call, the channel kept.
            if request.POST.get("and_next"):
                return redirect(reverse("web:intake") + f"?channel={data['channel']}")
            return redirect("web:demand", pk=demand.pk)
    suggestions = []
    if request.method == "POST":  # the panel as it was, so that the operator can answer again after a fix
        region = Region.objects.filter(code=request.POST.get("region", "")).first()
        text = f"{request.POST.get('title', '')}\n{request.POST.get('description', '')}".strip()
        suggestions = knowledge_selectors.suggest(text, region) if text else []
    return render(request, "web/staff/intake.html", {"form": form, "suggestions": suggestions,
                                                     "asked": bool(suggestions), "call": call},
                  status=400 if form.errors else 200)


def _intake_done(demand: Demand) -> str:
    if demand.state == State.CLOSED:
        return _("已直接答复并结案：%(number)s。") % {"number": demand.number}
    if demand.state == State.DISPATCHED:
        return _("已登记 %(number)s，转%(unit)s专家座席办理。") % {"number": demand.number,
                                                            "unit": demand.handling_unit.name}
    return _("已登记诉求 %(number)s。") % {"number": demand.number}


def _registration(data: dict) -> dict:
    """The intake form's registration, as ``register_demand`` takes it."""
    return {"channel": data["channel"], "demand_type": data["demand_type"], "category": data["category"] or None,
            "title": data["title"], "description": data["description"],
            "region": Region.objects.get(code=data["region"]), "address": data["address"],
            "urgency": data["urgency"], "hide_name": data["hide_name"], "publish_consent": data["publish_consent"],
            "photos": data["photos"],
            "latitude": data["latitude"], "longitude": data["longitude"],
            "reporter": services.ReporterInput(name=data["name"], phone=data["phone"], id_number=data["id_number"])}


def _register_from_intake(user, data: dict) -> Demand:
    demand = services.register_demand(user, **_registration(data))
    if data["on_spot"]:
        demand = services.resolve_on_spot(user, demand.pk, demand.version, result=data["on_spot_result"])
    return demand


@_staff_required
def resident_lookup(request: HttpRequest) -> HttpResponse:
    """htmx: the resident behind a phone number, with their tags and earlier demands — for intake
    roles only, and named only when the resident lives in the user's area or has a demand they
    may see; otherwise it only says that a record exists."""
    if not roles_of(request.user) & INTAKE_ROLES:
        raise Http404
    phone = "".join(ch for ch in request.GET.get("phone", "") if ch.isdigit())
    # The same reading as the screen pop's (a name and tags shown for a number are logged).
    return render(request, "web/staff/_resident.html",
                  calls_selectors.caller_profile(request.user, phone, INTAKE_ROLES, _("受理时按电话查找居民")))


@_staff_required
def overview(request: HttpRequest) -> HttpResponse:
    visible = selectors.demands_visible_to(request.user)
    counts = dict(visible.values_list("state").annotate(n=Count("pk")).order_by())
    now = clock.now()
    overdue = visible.filter(selectors.overdue_q(now))
    escalations = selectors.latest_events_in_scope(request.user, "escalate", limit=10)
    return render(request, "web/staff/overview.html", {
        "counts": [(value, label, counts.get(value, 0)) for value, label in State.choices],
        "overdue": _with_time_status(list(overdue.order_by("handle_due")[:20])),
        "overdue_count": overdue.count(), "escalations": escalations,
        "hot_issues": hot.hot_issue_summaries(request.user, limit=5),
        "list_url": reverse("web:demands")})


@_staff_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A demand's photo, for those who may see the demand."""
    item = DemandAttachment.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    _get_demand(request, item.demand_id)
    return FileResponse(item.file.open("rb"), content_type="image/jpeg")


def _intake_place(request: HttpRequest) -> tuple[Region | None, float | None, float | None]:
    """Where the demand being typed is, before anyone chose a grid: the grid chosen, else the pin on
    the map, else the typed address (its building, grid, or the community it stops at)."""
    lat, lng = _float(request.GET.get("latitude")), _float(request.GET.get("longitude"))
    region = Region.objects.filter(code=request.GET.get("region", "")).first() if request.GET.get("region") else None
    if region is None and lat is not None and lng is not None:
        found = resolve_point(lat, lng)
        region = found.grid
    if region is None and request.GET.get("address", "").strip():
        found = resolve_address(request.GET["address"][:255])
        region = found.building or found.grid or found.community
        if lat is None and found.point is not None:
            lat, lng = found.point
    return region, lat, lng


def _float(value: str | None) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@_staff_required
def intake_duplicates(request: HttpRequest) -> HttpResponse:
    """htmx: open demands like the one being typed — similar words, or the same kind of problem at
    the same place within hours (one outage, many callers) — around the place, known from the grid,
    the pin or the typed address, so that they show before a grid is chosen."""
    region, lat, lng = _intake_place(request)
    title, description = request.GET.get("title", "").strip(), request.GET.get("description", "").strip()
    category = request.GET.get("category", "").strip() or None
    asked = bool(region and (title or description))
    found = find_duplicates(request.user, title=title, description=description, region=region, latitude=lat,
                            longitude=lng, category=category) if asked else []
    return render(request, "web/staff/_duplicates.html", {"duplicates": found, "asked": asked})


@_staff_required
def intake_address(request: HttpRequest) -> HttpResponse:
    """htmx: the community, grid and building an address names — or why it names none for sure."""
    address = request.GET.get("address", "").strip()
    return render(request, "web/staff/_address.html", {"address": resolve_address(address) if address else None})


@_staff_required
def hot_issues(request: HttpRequest) -> HttpResponse:
    """Hot issues over the sliding window; leaders turn one into a proactive-governance item."""
    error, status = None, 200
    if request.method == "POST":
        try:
            item = hot.create_governance_item(
                request.user, title=request.POST.get("title", ""), note=request.POST.get("note", ""),
                demand_ids=[int(x) for x in request.POST.getlist("demand") if x.isdigit()])
        except MinshengError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("已发起主动治理：%(title)s") % {"title": item.title})
            return redirect("web:hot_issues")
    return render(request, "web/staff/hot_issues.html", {
        "issues": hot.hot_issues(request.user), "may_govern": hot.may_govern(request.user),
        "items": hot.governance_items_for(request.user)[:20], "error": error,
        "days": settings.MINSHENG_HOT_DAYS}, status=status)


def _administrator_required(view):
    def wrapped(request: HttpRequest, *args, **kwargs):
        if Role.ADMINISTRATOR not in roles_of(request.user):
            raise Http404(_("只有管理员可以维护回复模板。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


@_administrator_required
def reply_templates(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Administrators keep the reply templates: the list, and a form to add one or change the one
    opened (the same form; the model refuses unknown placeholders)."""
    instance = None
    if pk is not None:
        instance = ReplyTemplate.objects.filter(pk=pk).first()
        if instance is None:
            raise Http404(_("回复模板不存在。"))
    form = ReplyTemplateForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("已保存回复模板“%(name)s”。") % {"name": saved.name})
        return redirect("web:reply_templates")
    return render(request, "web/staff/reply_templates.html", {
        "form": form, "editing": instance, "placeholders": ["{" + p + "}" for p in PLACEHOLDERS],
        "templates": ReplyTemplate.objects.select_related("category").order_by("action", "name")},
        status=400 if form.errors else 200)
