"""The navigation bar: one consistent set of links per role."""

from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.organisation.roles import STAFF_ROLES, Role
from minsheng.organisation.scope import roles_of


def navigation(request) -> dict:
    user = request.user
    items: list[tuple[str, str]] = []
    roles = roles_of(user) if user.is_authenticated else set()
    if roles & STAFF_ROLES:
        items.append((reverse("web:queue"), _("我的待办")))
        items.append((reverse("web:demands"), _("诉求列表")))
        if roles & {Role.HOTLINE_OPERATOR, Role.STATION_AGENT, Role.GRID_WORKER, Role.COMMUNITY_STAFF,
                    Role.STREET_DISPATCHER, Role.ADMINISTRATOR}:
            items.append((reverse("web:intake"), _("登记诉求")))
        if roles & {Role.LEADER, Role.STREET_DISPATCHER, Role.ADMINISTRATOR, Role.AUDITOR}:
            items.append((reverse("web:overview"), _("总览")))
            items.append((reverse("web:hot_issues"), _("热点问题")))
        if Role.STATION_AGENT in roles:
            items.append((reverse("stations:cases"), _("代办案件")))
        if roles & {Role.LEADER, Role.STREET_DISPATCHER, Role.COMMUNITY_STAFF, Role.ADMINISTRATOR, Role.AUDITOR}:
            items.append((reverse("stations:list"), _("代办站")))
        items.append((reverse("web:supervision"), _("督办与吹哨")))
        if roles & {Role.HOTLINE_OPERATOR, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR}:
            items.append((reverse("web:revisits"), _("待回访")))
        unread = user.inbox.filter(read_at__isnull=True).count()
        items.append((reverse("web:inbox"), _("消息（%(n)d）") % {"n": unread} if unread else _("消息")))
        if user.is_staff:
            items.append((reverse("admin:index"), _("管理后台")))
    else:
        items.append((reverse("web:submit"), _("提交诉求")))
        items.append((reverse("web:track"), _("查询进度")))
        items.append((reverse("stations:nearby"), _("附近代办站")))
        if not user.is_authenticated:
            items.append((reverse("login"), _("工作人员登录")))
    path = request.path
    return {"navigation": [{"url": url, "label": label, "active": path.startswith(url) and url != "/"}
                           for url, label in items]}
