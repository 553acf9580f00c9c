"""The knowledge base's pages: the staff list, an article with its history and its steps, the
editor, the intake's suggestion panel, and the residents' 常见问题.  Thin: the services decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.core.exports import xlsx_response
from minsheng.organisation.models import Region
from minsheng.web.actions import submit
from minsheng.web.forms import add_service_errors

from . import selectors, services, spreadsheet
from .access import is_centre, may_edit, may_read
from .forms import ArticleForm, ImportForm, RejectForm
from .models import Article


def _reader_required(view):
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not may_read(request.user):
            raise Http404(_("没有可用的工作台页面。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


@_reader_required
def article_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:selectors.MAX_QUERY]
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    page = Paginator(selectors.staff_list(q, status, overdue), 30).get_page(request.GET.get("page"))
    return render(request, "knowledge/list.html", {
        "page": page, "q": q, "status": status, "overdue": overdue, "statuses": Article.Status.choices,
        "may_write": services.editable_units_exist(request.user), "centre": is_centre(request.user),
        "overdue_count": selectors.overdue_articles().count(),
        "waiting": Article.objects.filter(status=Article.Status.SUBMITTED).count()})


def _article_form_page(request: HttpRequest, article: Article | None) -> HttpResponse:
    initial = {}
    if article is not None:
        if not may_edit(request.user, article.owner_unit):
            raise Http404(_("只有维护单位可以修改这篇文章。"))
        initial = {f: getattr(article, f) for f in ("title", "answer", "materials", "where_when", "legal_basis",
                                                     "category", "owner_unit", "expert_seat", "review_by")}
        initial["regions"] = list(article.regions.all())
    elif not services.editable_units_exist(request.user):
        raise Http404(_("你的岗位不能编写知识库文章。"))
    form = ArticleForm(request.POST or None, user=request.user, initial=initial)

    def save(data: dict) -> Article:
        if article is None:
            return services.create_article(request.user, **data)
        services.update_article(request.user, article.pk, **data)
        return article
    sent = submit(request, form, save, _("已保存草稿。确认无误后请提交审核。"))
    if sent.ok:
        return redirect("knowledge:article", pk=sent.result.pk)
    return render(request, "knowledge/edit.html", {"form": form, "article": article}, status=sent.status)


@_reader_required
def article_new(request: HttpRequest) -> HttpResponse:
    return _article_form_page(request, None)


@_reader_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _article_form_page(request, get_object_or_404(Article, pk=pk))


@_reader_required
def article_detail(request: HttpRequest, pk: int, reject_form: RejectForm | None = None,
                   status: int = 200) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("current", "owner_unit", "category"), pk=pk)
    return render(request, "knowledge/detail.html", {
        "article": article, "versions": selectors.versions_of(article), "regions": article.regions.all(),
        "may_edit": may_edit(request.user, article.owner_unit), "centre": is_centre(request.user),
        "overdue": article.live and article.review_by < clock.today(),
        "reject_form": reject_form or RejectForm()}, status=status)


# The notices are lazy: read in the request's language, not in the one active at import.
_STEPS = {
    "submit": (lambda user, pk, data: services.submit_article(user, pk), gettext_lazy("已提交中心审核。")),
    "approve": (lambda user, pk, data: services.approve_article(user, pk), gettext_lazy("已审核发布。")),
    "reject": (lambda user, pk, data: services.reject_article(user, pk, reason=data.get("reason", "")),
               gettext_lazy("已退回维护单位。")),
    "withdraw": (lambda user, pk, data: services.withdraw_article(user, pk), gettext_lazy("已撤下。")),
}


@_reader_required
@require_POST
def article_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in _STEPS:
        raise Http404
    perform, done = _STEPS[step]
    try:
        perform(request.user, pk, request.POST)
    except MinshengError as exc:
        if step == "reject":
            form = RejectForm(request.POST)
            form.is_valid()
            add_service_errors(form, exc)
            return article_detail(request, pk, reject_form=form, status=exc.status)
        messages.error(request, exc.message)
        return redirect("knowledge:article", pk=pk)
    messages.success(request, str(done))
    return redirect("knowledge:article", pk=pk)


@_reader_required
def intake_suggestions(request: HttpRequest) -> HttpResponse:
    """htmx: the live articles matching what the operator is typing, in the caller's region."""
    text = f"{request.GET.get('title', '')}\n{request.GET.get('description', '')}".strip()
    region = Region.objects.filter(code=request.GET.get("region", "")).first()
    found = selectors.suggest(text, region) if text else []
    return render(request, "knowledge/_suggestions.html", {"suggestions": found, "asked": bool(text),
                                                           "answering": True})


def faq(request: HttpRequest) -> HttpResponse:
    """常见问题: the published answers residents can read before filing (no sign-in)."""
    q = request.GET.get("q", "").strip()[:selectors.MAX_QUERY]
    page = Paginator(selectors.faq(q), 20).get_page(request.GET.get("page"))
    return render(request, "knowledge/faq.html", {"page": page, "q": q})


@_reader_required
def article_export(request: HttpRequest) -> FileResponse:
    """The list as filtered, as an Excel workbook (the import reads the same columns back)."""
    q = request.GET.get("q", "").strip()[:selectors.MAX_QUERY]
    articles = selectors.staff_list(q, request.GET.get("status", ""), request.GET.get("overdue") == "1")
    return xlsx_response("knowledge.xlsx", spreadsheet.headers(), spreadsheet.export_rows(articles),
                         sheet_title=_("知识库"))


@_reader_required
def article_import(request: HttpRequest) -> HttpResponse:
    """Upload a workbook: a dry run lists each row's refusal; a real run writes every row as a draft
    or none."""
    if not services.editable_units_exist(request.user):
        raise Http404(_("你的岗位不能编写知识库文章。"))
    form = ImportForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            result = spreadsheet.import_articles(request.user, form.cleaned_data["file"],
                                                 dry_run=form.cleaned_data["dry_run"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            if result.written:
                done = _("已导入：新建 %(created)d 篇，修改 %(updated)d 篇（均为草稿，请提交审核）。")
                messages.success(request, done % {"created": result.created, "updated": result.updated})
                return redirect("knowledge:list")
            status = 400 if result.errors else 200
    return render(request, "knowledge/import.html", {"form": form, "result": result, "headers": spreadsheet.headers()},
                  status=400 if form.errors else status)
