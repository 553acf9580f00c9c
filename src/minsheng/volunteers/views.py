"""Volunteer pages: the registry and teams, activities and attendance (staff); open activities and
sign-up (volunteers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.web.views.staff import _staff_required

from . import selectors, services
from .models import ServiceCategory, Volunteer


@_staff_required
def registry(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    qs = selectors.volunteers_visible_to(request.user).order_by("region__path", "pk")
    if category in ServiceCategory.values:
        # Categories are a JSON list; a filter in Python keeps this working on SQLite and PostgreSQL alike.
        qs = [v for v in qs if category in v.categories]
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "volunteers/registry.html", {
        "page": page, "category": category, "categories": ServiceCategory.choices,
        "teams": selectors.teams_visible_to(request.user).order_by("region__path", "kind", "name"),
        "params": f"category={category}" if category else "",
    })


@_staff_required
def activities(request: HttpRequest) -> HttpResponse:
    rows = selectors.activities_visible_to(request.user).order_by("-starts_at")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "volunteers/activities.html", {"page": page})


@_staff_required
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    """One activity and its sign-ups; after it ends, the organiser confirms who came."""
    item = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.confirm_attendance(request.user, item.pk, request.POST.getlist("attended"))
        except MinshengError as exc:
            error = exc.message
        else:
            messages.success(request, _("已确认服务时长并计入志愿者账户。"))
            return redirect("volunteers:activity", pk=item.pk)
    return render(request, "volunteers/activity.html", {
        "activity": item, "signups": item.signups.select_related("volunteer__resident"), "error": error,
        "ended": item.ends_at <= clock.now(),
    }, status=400 if error else 200)


def _volunteer_of(user) -> Volunteer:
    volunteer = Volunteer.objects.select_related("region__parent").filter(resident__user=user, active=True).first()
    if volunteer is None:
        raise Http404(_("你还不是注册志愿者。"))
    return volunteer


@login_required
def open_activities(request: HttpRequest) -> HttpResponse:
    volunteer = _volunteer_of(request.user)
    error = None
    if request.method == "POST":
        try:
            services.sign_up(volunteer, int(request.POST.get("activity", 0)))
        except (MinshengError, ValueError) as exc:
            error = getattr(exc, "message", _("活动不存在。"))
        else:
            messages.success(request, _("报名成功。"))
            return redirect("volunteers:open_activities")
    mine = set(volunteer.signups.values_list("activity_id", flat=True))
    return render(request, "volunteers/open_activities.html", {
        "activities": selectors.open_activities_for(volunteer), "mine": mine, "error": error,
    }, status=400 if error else 200)
