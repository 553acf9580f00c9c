"""Staff pages of time limits and supervision: the in-app inbox, supervision orders and
summonses with who is late, the revisit list.  Reads come from selectors; actions on a
demand are taken on its page (the workflow's actions)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.notifications.services import inbox_of, mark_read
from minsheng.supervision.revisits import revisit_list
from minsheng.supervision.selectors import summoned_units_for, supervision_orders_for

from ..links import openable_links
from .staff import PAGE_SIZE, _staff_required


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@_staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = _page(request, inbox_of(request.user))
    return render(request, "web/staff/inbox.html", {
        "page": page, "openable": openable_links(request.user, (n.link for n in page))})


@_staff_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    count = mark_read(request.user)
    messages.success(request, _("已将 %(n)d 条消息标为已读。") % {"n": count})
    return redirect("web:inbox")


@_staff_required
def supervision(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    orders = list(supervision_orders_for(request.user)[:200])
    summoned = list(summoned_units_for(request.user)[:200])
    for row in (*orders, *summoned):
        row.lateness = row.status(now)
    return render(request, "web/staff/supervision.html", {"orders": orders, "summoned": summoned})


@_staff_required
def revisits(request: HttpRequest) -> HttpResponse:
    return render(request, "web/staff/revisits.html", {"page": _page(request, revisit_list(request.user))})
