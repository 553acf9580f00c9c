"""The administrators' set-up pages: the go-live checklist, and the imports (upload → preview of
errors and changes → apply), each scoped to the administrator's territory (``access``)."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.core.errors import MinshengError
from minsheng.core.exports import xlsx_response
from minsheng.organisation.models import SetupImport
from minsheng.web.actions import perform
from minsheng.web.forms import add_service_errors

from . import imports
from .access import territory_paths, territory_roots
from .checklist import checklist as checklist_items
from .forms import SetupImportForm

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
CHANGES_SHOWN = 200


def _admin_required(view):
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not territory_paths(request.user):
            raise Http404(_("只有管理员可以打开开通配置页面。"))
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return login_required(wrapped)


@_admin_required
def checklist(request: HttpRequest) -> HttpResponse:
    """上线检查: what the administrator's territory still lacks, each with the page that fixes it."""
    paths = territory_paths(request.user)
    items = checklist_items(paths)
    return render(request, "setup/checklist.html", {
        "items": items, "open_items": sum(1 for i in items if not i.done),
        "territory": territory_roots(paths)})


@_admin_required
def import_upload(request: HttpRequest) -> HttpResponse:
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in SetupImport.Kind.values else {}
    form = SetupImportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("文件超过 20 MB，请分成几个文件导入。"))
        else:
            try:
                batch = imports.preview(request.user, form.cleaned_data["kind"], upload.read(), upload.name)
            except MinshengError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("setup:import_preview", pk=batch.pk)
    kinds = [(value, label, imports.COLUMNS.get(value)) for value, label in SetupImport.Kind.choices]
    return render(request, "setup/import.html", {
        "form": form, "kinds": kinds, "territory": territory_roots(territory_paths(request.user)),
        "recent": SetupImport.objects.filter(uploaded_by=request.user)[:10]})


def _own(request: HttpRequest, pk: int) -> SetupImport:
    batch = SetupImport.objects.filter(pk=pk, uploaded_by=request.user).first()
    if batch is None:
        raise Http404(_("导入记录不存在。"))
    return batch


@_admin_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own(request, pk)
    counts = {action: sum(1 for c in batch.changes if c["action"] == action) for action in ("create", "update", "same")}
    changed = [c for c in batch.changes if c["action"] != "same"]
    return render(request, "setup/import_preview.html", {
        "batch": batch, "counts": counts, "changes": changed[:CHANGES_SHOWN],
        "more_changes": len(changed) > CHANGES_SHOWN,
        "errors": batch.errors[:imports.MAX_ERRORS_SHOWN], "bad_rows": len({e["row"] for e in batch.errors}),
        "more_errors": len(batch.errors) > imports.MAX_ERRORS_SHOWN})


@_admin_required
@require_POST
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    _own(request, pk)

    def done(batch) -> str:
        return _("导入完成：新增 %(created)d 条，更新 %(updated)d 条。") % {
            "created": sum(1 for c in batch.changes if c["action"] == "create"),
            "updated": sum(1 for c in batch.changes if c["action"] == "update")}
    perform(request, lambda: imports.apply(request.user, pk), done)
    return redirect("setup:import_preview", pk=pk)


# One example feature: the properties a boundary file carries (a new grid needs name, kind, parent).
_GEOJSON_EXAMPLE = {"type": "FeatureCollection", "features": [{
    "type": "Feature",
    "properties": {"code": "G-110101001001-01", "name": "示例社区第一网格", "kind": "grid", "parent": "110101001001"},
    "geometry": {"type": "Polygon", "coordinates": [[[116.40, 39.90], [116.402, 39.90], [116.402, 39.902],
                                                    [116.40, 39.902], [116.40, 39.90]]]}}]}


@_admin_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in SetupImport.Kind.values:
        raise Http404(_("没有这种模板。"))
    if kind == SetupImport.Kind.BOUNDARIES:
        response = HttpResponse(json.dumps(_GEOJSON_EXAMPLE, ensure_ascii=False, indent=1),
                                content_type="application/geo+json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="boundaries-template.geojson"'
        return response
    return xlsx_response(f"{kind}-template.xlsx", imports.headers(kind), [], sheet_title=str(
        SetupImport.Kind(kind).label))
