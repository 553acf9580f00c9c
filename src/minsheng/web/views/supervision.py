"""Staff pages of time limits and supervision: the in-app inbox, supervision orders and
summonses with who is late, the revisit list.  Reads come from selectors; actions on a
demand are taken on its page (the workflow's actions)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.notifications.services import (
    inbox_by_topic,
    inbox_kinds,
    inbox_of,
    mark_read,
    set_sms_opt_out,
    sms_opted_out,
    with_latest_titles,
)
from minsheng.people.validation import mask_phone
from minsheng.supervision.revisits import revisit_list
from minsheng.supervision.selectors import summoned_units_for, supervision_orders_for
from minsheng.web.actions import perform

from ..homes import resident_of_account
from ..links import openable_links
from .staff import PAGE_SIZE, _staff_required


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# The kinds of in-app message (the sources their senders write) as the inbox's filter names them.
INBOX_KINDS = {
    "demand": gettext_lazy("派单、上报与重办"),
    "update": gettext_lazy("诉求办理进展"),
    "first_received": gettext_lazy("首问跟踪"),
    "yellow": gettext_lazy("临期提醒"),
    "red": gettext_lazy("超期提醒"),
    "supervision": gettext_lazy("督办"),
    "supervision-overdue": gettext_lazy("督办回复超期"),
    "summons": gettext_lazy("吹哨报到"),
    "summons-overdue": gettext_lazy("报到超期"),
    "wish-overdue": gettext_lazy("微心愿超期"),
    "missed_patrol": gettext_lazy("漏巡"),
    "care_overdue": gettext_lazy("关爱走访超期"),
    "homecare.cancelled": gettext_lazy("养老服务取消"),
    "homecare.unclaimed": gettext_lazy("养老服务未认领"),
    "secretary_project": gettext_lazy("书记项目"),
    "": gettext_lazy("其他"),
}


def _inbox_filters(data) -> dict:
    return {"unread": data.get("unread") == "1", "kind": data.get("kind", ""), "link": data.get("about", "")}


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """消息: filter by unread, kind and topic (the demand a message is about), or group by topic.
    Every account has one: staff get their work, a resident the updates on their demands (and may
    stop the text messages about them here).  Texts are rendered in the reader's language."""
    filters = _inbox_filters(request.GET)
    messages_ = inbox_of(request.user, **filters)
    grouped = request.GET.get("group") == "1" and not filters["link"]
    page = _page(request, inbox_by_topic(messages_) if grouped else messages_)
    if grouped:
        page.object_list = with_latest_titles(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    resident = resident_of_account(request.user)
    return render(request, "web/staff/inbox.html", {
        "page": page, "grouped": grouped, "filters": request.GET, "params": params.urlencode(),
        "kinds": [(kind, INBOX_KINDS.get(kind, kind)) for kind in inbox_kinds(request.user)],
        "openable": openable_links(request.user, (row["link"] if grouped else row.link for row in page)),
        "sms_phone": mask_phone(resident.phone) if resident and resident.phone else "",
        "sms_opted_out": bool(resident) and sms_opted_out(resident.phone)})


@login_required
@require_POST
def inbox_sms(request: HttpRequest) -> HttpResponse:
    """The signed-in resident stops (or resumes) text messages about their demands."""
    resident = resident_of_account(request.user)
    if resident is None:
        raise Http404(_("这个账号没有关联居民信息。"))
    opt_out = request.POST.get("sms") == "off"
    perform(request, lambda: set_sms_opt_out(resident.phone, opt_out),
            _("已退订短信通知，诉求进展仍会在这里显示。") if opt_out else _("已恢复短信通知。"))
    return redirect("web:inbox")


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark as read everything the inbox shows with its current filters (all messages without one)."""
    filters = _inbox_filters(request.POST)
    count = mark_read(request.user, kind=filters["kind"], link=filters["link"])
    messages.success(request, _("已将 %(n)d 条消息标为已读。") % {"n": count})
    back = request.POST.get("back", "")
    return redirect(reverse("web:inbox") + (f"?{back}" if back and not back.startswith(("/", "?")) else ""))


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
