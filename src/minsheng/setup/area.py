"""The administration area's pages: one list, one form page, one action page and the history,
for every section of ``sections.SECTIONS``, each scoped to the administrator's territory
(``access.territory_paths``).  The pages parse and show; ``setup.services`` decides."""

from django import forms
from django.contrib import messages
from django.db.models import Model, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from minsheng.audit.models import AuditEntry
from minsheng.core.errors import MinshengError
from minsheng.web.forms import add_service_errors
from minsheng.web.pagination import CappedPaginator

from . import services
from .access import EVERYWHERE, territory_paths, territory_roots
from .checklist import checklist as checklist_items
from .sections import BY_KEY, SCOPED_CHOICES, SECTIONS, Section, cell
from .views import _admin_required

PAGE_SIZE = 50
COUNT_CAP = 5000
HISTORY_SHOWN = 50


def _section(paths: list[str], key: str) -> Section:
    section = BY_KEY.get(key)
    if section is None or not section.visible_to(paths):
        raise Http404(_("没有这个管理项目。"))
    return section


def _row(section: Section, paths: list[str], pk: int) -> Model:
    """A row of the territory; any other is answered as missing (nothing says it exists)."""
    row = section.scoped(paths).filter(pk=pk).first()
    if row is None:
        raise Http404(_("没有找到，或不在你的管辖范围内。"))
    return row


def _limit_choices(form, paths: list[str]) -> None:
    """Choices of units, regions, stations… list the territory's rows and the value already set."""
    for field in form.fields.values():
        if getattr(field, "empty_label", None) is not None:
            field.empty_label = "—"  # as the workbench's other selects: no English placeholder
    if EVERYWHERE in paths:
        return
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        prefix = SCOPED_CHOICES.get(queryset.model) if queryset is not None else None
        if prefix is None:
            continue
        q = Q(pk__in=[])
        for p in paths:
            q |= Q(**{f"{prefix}path__startswith": p})
        # Only a stored row's own value is kept (a value put in the address of a new form is not).
        editing = getattr(getattr(form, "instance", None), "pk", None) is not None
        current = form.initial.get(name) if editing else None
        if current:
            current = [getattr(c, "pk", c) for c in current] if isinstance(current, list | tuple) else [
                getattr(current, "pk", current)]
            q |= Q(pk__in=current)
        field.queryset = queryset.filter(q)


def recent_changes(paths: list[str]):
    """The configuration changes of the territory, newest first (what is set for the whole tree
    only for the administrators of a whole tree)."""
    entries = AuditEntry.objects.filter(kind=AuditEntry.Kind.CONFIGURATION)
    if EVERYWHERE in paths:
        return entries
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(region_path__startswith=p)
    if services.whole_tree(paths):
        q |= Q(region_path="") | Q(region_path__isnull=True)
    return entries.filter(q)


def _history(section: Section, row: Model):
    q = Q(object_type=section.object_type, object_id=str(row.pk))
    for object_type, ids in (section.related_history(row) if section.related_history else []):
        q |= Q(object_type=object_type, object_id__in=ids)
    return AuditEntry.objects.filter(q).order_by("-at", "-pk")[:HISTORY_SHOWN]


def _titles(paths: list[str]) -> dict:
    return {"territory": territory_roots(paths)}


@_admin_required
def home(request: HttpRequest) -> HttpResponse:
    """管理: the sections with their counts, what the go-live checklist still lacks, the latest changes."""
    paths = territory_paths(request.user)
    sections = [{"section": s, "count": s.scoped(paths).count()} for s in SECTIONS
                if s.visible_to(paths) and s.parent is None]
    open_items = [i for i in checklist_items(paths) if not i.done]
    recent = list(recent_changes(paths)[:10])
    types = {s.object_type: s for s in SECTIONS if s.visible_to(paths)}
    return render(request, "setup/area/home.html", {
        "sections": sections, "open_items": open_items, "recent": recent, "links": _links(recent, types, paths),
        **_titles(paths)})


@_admin_required
def section_list(request: HttpRequest, key: str) -> HttpResponse:
    paths = territory_paths(request.user)
    section = _section(paths, key)
    rows = section.scoped(paths)
    query = request.GET.get("q", "").strip()[:100]
    if query and section.search:
        q = Q(pk__in=[])
        for name in section.search:
            q |= Q(**{f"{name}__icontains": query})
        rows = rows.filter(q)
    if not rows.ordered:  # a model without a default order would page unpredictably
        rows = rows.order_by("pk")
    page = CappedPaginator(rows, PAGE_SIZE, COUNT_CAP).get_page(request.GET.get("page"))
    table = [(row, [cell(row, attr) for attr, _label in section.columns]) for row in page]
    return render(request, "setup/area/list.html", {
        "section": section, "page": page, "table": table, "query": query,
        "params": f"q={query}" if query else "", **_titles(paths)})


def _parent_of(section: Section, paths: list[str], request: HttpRequest) -> Model | None:
    if section.parent is None:
        return None
    try:
        pk = int(request.GET.get("parent", ""))
    except ValueError:
        raise Http404(_("请从上级页面新建。")) from None
    return _row(BY_KEY[section.parent], paths, pk)


@_admin_required
def section_create(request: HttpRequest, key: str) -> HttpResponse:
    paths = territory_paths(request.user)
    section = _section(paths, key)
    if not section.creatable:
        raise Http404(_("这里不能新建。"))
    parent = _parent_of(section, paths, request)
    form_class = section.create_form or section.form
    initial = {name: request.GET[name] for name in ("unit", "role", "region") if request.GET.get(name)}
    row = section.model() if issubclass(form_class, forms.ModelForm) else None
    if row is not None and parent is not None:
        setattr(row, section.parent_field, parent)
    kwargs = {"instance": row} if row is not None else {}
    form = form_class(request.POST or None, initial=initial, **kwargs)
    _limit_choices(form, paths)
    if request.method == "POST" and form.is_valid():
        try:
            if section.create is not None:  # a new account: its one-time password comes back too
                saved, secret = section.create(request.user, paths, form.cleaned_data)
            else:
                saved, secret = section.save(request.user, paths, row, form.cleaned_data), None
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            if secret is None:
                messages.success(request, _("已新建“%(name)s”。") % {"name": saved})
                if parent is not None:  # back to the station, the supermarket, the account it belongs to
                    return redirect("setup:area_edit", key=section.parent, pk=parent.pk)
                return redirect("setup:area_edit", key=section.key, pk=saved.pk)
            return _secret_page(request, section, saved, secret, _("账号已创建"))
    return render(request, "setup/area/form.html", {
        "section": section, "form": form, "row": None, "parent": parent,
        "parent_section": BY_KEY.get(section.parent), **_titles(paths)}, status=400 if form.errors else 200)


def _secret_page(request: HttpRequest, section: Section, row: Model, secret: str, title: str) -> HttpResponse:
    """A one-time password, shown on this answer only: never in a message, a log or a later page."""
    response = render(request, "setup/area/secret.html", {"section": section, "row": row, "secret": secret,
                                                          "title": title})
    response["Cache-Control"] = "no-store"
    return response


@_admin_required
def section_edit(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    paths = territory_paths(request.user)
    section = _section(paths, key)
    row = _row(section, paths, pk)
    form = section.form(request.POST or None, instance=row)
    _limit_choices(form, paths)
    if request.method == "POST" and form.is_valid():
        try:
            saved = section.save(request.user, paths, row, form.cleaned_data)
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存“%(name)s”。") % {"name": saved})
            return redirect("setup:area_edit", key=section.key, pk=saved.pk)
    children = [{"section": child, "rows": [(r, [cell(r, attr) for attr, _l in child.columns])
                                            for r in child.scoped(paths).filter(**{child.parent_field: row})[:100]]}
                for child in section.children]
    parent = getattr(row, section.parent_field) if section.parent else None
    return render(request, "setup/area/form.html", {
        "section": section, "form": form, "row": row, "children": children, "history": _history(section, row),
        "parent": parent, "parent_section": BY_KEY.get(section.parent),
        "manageable": section.key != "accounts" or services.manageable(paths, row), **_titles(paths)},
        status=400 if form.errors else 200)


@never_cache
@_admin_required
def section_action(request: HttpRequest, key: str, pk: int, action: str) -> HttpResponse:
    paths = territory_paths(request.user)
    section = _section(paths, key)
    row = _row(section, paths, pk)
    act = next((a for a in section.actions if a.key == action), None)
    if act is None:
        raise Http404(_("没有这个操作。"))
    form = act.form(request.POST or None) if act.form else None
    error, status = "", 200
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            result = act.run(request.user, paths, row, form.cleaned_data if form else {})
        except MinshengError as exc:
            status = exc.status
            if form is not None:
                add_service_errors(form, exc)
            else:
                error = exc.message
        else:
            if act.shows_secret:
                return _secret_page(request, section, row, result, act.label)
            messages.success(request, result)
            return redirect("setup:area_edit", key=section.key, pk=row.pk)
    if status == 200 and form is not None and form.errors:
        status = 400
    return render(request, "setup/area/action.html", {
        "section": section, "row": row, "action": act, "form": form, "error": error, **_titles(paths)},
        status=status)


def _links(entries: list[AuditEntry], types: dict[str, Section], paths: list[str]) -> dict[int, str]:
    """Links to the rows the entries name that still exist in the territory (a removed row, or one
    moved out of the territory, is named without a link)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_type in types and (entry.object_id or "").isdigit():
            wanted.setdefault(entry.object_type, set()).add(int(entry.object_id))
    existing = {(object_type, pk) for object_type, ids in wanted.items()
                for pk in types[object_type].scoped(paths).filter(pk__in=ids).values_list("pk", flat=True)}
    return {entry.pk: reverse("setup:area_edit", args=[types[entry.object_type].key, int(entry.object_id)])
            for entry in entries if (entry.object_type, int(entry.object_id or 0)) in existing}


@_admin_required
def history(request: HttpRequest) -> HttpResponse:
    """配置历史: every configuration change of the territory, who, when, what, before → after."""
    paths = territory_paths(request.user)
    entries = recent_changes(paths)
    wanted = request.GET.get("type", "")
    types = {s.object_type: s for s in SECTIONS if s.visible_to(paths)}
    if wanted in types:
        entries = entries.filter(object_type=wanted)
    page = CappedPaginator(entries, PAGE_SIZE, COUNT_CAP).get_page(request.GET.get("page"))
    links = _links(list(page), types, paths)
    return render(request, "setup/area/history.html", {
        "page": page, "links": links, "types": [(t, s.title) for t, s in types.items()], "wanted": wanted,
        "params": f"type={wanted}" if wanted in types else "", **_titles(paths)})
