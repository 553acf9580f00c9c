"""Care pages: the worker's due visits and the community's dashboard, one person with the visit
form, the printable contact card (爱心联系牌), registering a person in difficulty."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.core.pdf import pdf_response
from minsheng.core.qr import qr_svg
from minsheng.people.models import Resident
from minsheng.web.forms import add_service_errors
from minsheng.web.views.staff import _staff_required

from . import selectors, services
from .forms import PersonForm, VisitForm


@_staff_required
def care_home(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    due = list(selectors.due_visits(request.user, today)[:200])
    for person in due:
        person.overdue = selectors.is_overdue(person, today)
    dashboard = selectors.care_dashboard(request.user, today)
    return render(request, "care/home.html", {
        "due": due, "dashboard": dashboard, "today": today,
        "overdue": list(selectors.overdue_visits(request.user, today)[:200]) if dashboard else []})


def _person(request: HttpRequest, pk: int):
    person = selectors.people_for(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404(_("走访对象不存在或不在你的管辖范围内。"))
    return person


@_staff_required
def person(request: HttpRequest, pk: int, form: VisitForm | None = None) -> HttpResponse:
    person = _person(request, pk)
    today = clock.today()
    return render(request, "care/person.html", {
        "person": person, "visits": list(selectors.visits_of(person)[:50]), "form": form or VisitForm(),
        "overdue": selectors.is_overdue(person, today)}, status=400 if form is not None else 200)


@_staff_required
@require_POST
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    _person(request, pk)
    form = VisitForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            recorded = services.record_visit(
                request.user, pk, found=data["found"], visited_on=data["visited_on"], risk=data["risk"],
                problem_title=data["problem_title"], problem=data["problem"], photos=data["photos"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            if recorded.demand is not None:
                messages.success(request, _("已记录走访，发现的问题已转为诉求 %(number)s。") % {
                    "number": recorded.demand.number})
            else:
                messages.success(request, _("已记录走访。"))
            return redirect("care:person", pk=pk)
    return person(request, pk, form)


@_staff_required
def card(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact card (爱心联系牌) for the person's door: who to call and what is promised."""
    person = _person(request, pk)
    services_promised = [line.strip() for line in person.services.splitlines() if line.strip()]
    return pdf_response(request, "care/card.html", {
        "person": person, "services_promised": services_promised,
        "qr": qr_svg(f"tel:{person.responsible_phone}", title=person.responsible_name)},
        f"card-{person.pk}.pdf")


@_staff_required
def register(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resident = Resident.objects.filter(phone=data["phone"].strip()).first()
        if resident is None:
            form.add_error("phone", _("台账中没有这个联系电话的居民，请先登记居民。"))
        else:
            try:
                created = services.register_person(
                    request.user, resident, category=data["category"], risk=data["risk"], plan=data["plan"],
                    services=data["services"], responsible=request.user,
                    responsible_phone=data["responsible_phone"])
            except MinshengError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已登记。"))
                return redirect(reverse("care:person", args=[created.pk]))
    return render(request, "care/register.html", {"form": form})
