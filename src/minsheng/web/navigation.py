"""The navigation bar: one consistent set of links per role."""

from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.organisation.roles import STAFF_ROLES, Role
from minsheng.organisation.scope import roles_of

from .homes import is_secretary


def _projects_items(roles: set[str]) -> list[tuple[str, str]]:
    """书记项目, 实事清单, 议事会议 and 走访 for those who run a community's work."""
    items = [(reverse("projects:projects"), _("书记项目")), (reverse("projects:practical"), _("实事清单"))]
    if roles & {Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.LEADER, Role.ADMINISTRATOR}:
        items.append((reverse("projects:meetings"), _("议事会议")))
    if roles & {Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.STREET_DISPATCHER, Role.LEADER, Role.ADMINISTRATOR}:
        items.append((reverse("projects:needs"), _("走访收集")))
    return items
def homecare_links(roles: set[str], user) -> list[tuple[str, str]]:
    """居家养老: the worker's phone page, the auditor's review page, the elders' register, the elder's own page."""
    from minsheng.homecare.access import AUDITORS, STAFF, provider_of
    from minsheng.homecare.selectors import elder_of_user

    links = []
    if roles & {Role.DEPARTMENT_HANDLER} and provider_of(user) is not None:
        links.append((reverse("homecare:worker"), _("养老服务任务")))
    if roles & AUDITORS:
        links.append((reverse("homecare:audit"), _("养老服务审核")))
    if roles & (STAFF | AUDITORS):
        links.append((reverse("homecare:elders"), _("居家养老对象")))
    if Role.RESIDENT in roles and elder_of_user(user) is not None:
        links.append((reverse("homecare:me"), _("我的居家养老")))
    return links


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
            items.append((reverse("web:dashboard"), _("数据看板")))
            items.append((reverse("web:hot_issues"), _("热点问题")))
        if Role.STATION_AGENT in roles:
            items.append((reverse("stations:cases"), _("代办案件")))
        if roles & {Role.LEADER, Role.STREET_DISPATCHER, Role.COMMUNITY_STAFF, Role.ADMINISTRATOR, Role.AUDITOR}:
            items.append((reverse("stations:list"), _("代办站")))
        items.append((reverse("web:supervision"), _("督办与吹哨")))
        if roles & {Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR}:
            items.append((reverse("grids:patrol") if Role.GRID_WORKER in roles else reverse("grids:board"),
                          _("网格巡查") if Role.GRID_WORKER in roles else _("网格")))
            items.append((reverse("grids:registers"), _("台账")))
            items.append((reverse("care:home"), _("关爱走访")))
        if roles & {Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.LEADER, Role.ADMINISTRATOR}:
            items.append((reverse("party:report"), _("党建")))
        if roles & {Role.HOTLINE_OPERATOR, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR}:
            items.append((reverse("web:revisits"), _("待回访")))
        items.extend(_projects_items(roles))
        if roles & {Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR, Role.LEADER, Role.GRID_WORKER,
                    Role.STATION_AGENT}:
            items.append((reverse("wishes:staff_list"), _("微心愿")))
        if roles & {Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR}:
            items.append((reverse("volunteers:registry"), _("志愿者")))
            items.append((reverse("ledger:counter"), _("爱心超市")))
        items.extend(homecare_links(roles, user))
        unread = user.inbox.filter(read_at__isnull=True).count()
        items.append((reverse("web:inbox"), _("消息（%(n)d）") % {"n": unread} if unread else _("消息")))
        if user.is_staff:
            items.append((reverse("admin:index"), _("管理后台")))
    elif Role.VOLUNTEER in roles or is_secretary(user):
        if Role.VOLUNTEER in roles:
            items.append((reverse("web:volunteer_home"), _("志愿服务")))
            items.append((reverse("wishes:wall"), _("心愿墙")))
            items.append((reverse("wishes:mine"), _("我的认领")))
            items.append((reverse("volunteers:open_activities"), _("志愿活动")))
            items.append((reverse("ledger:card"), _("爱心卡")))
        if is_secretary(user):
            # A party secretary without a staff role keeps their projects up to date.
            items.append((reverse("projects:projects"), _("书记项目")))
        items.append((reverse("web:mine"), _("我的诉求")))
    else:
        if user.is_authenticated:
            items.append((reverse("web:mine"), _("我的诉求")))
        items.extend(homecare_links(roles, user))
        items.append((reverse("web:submit"), _("提交诉求")))
        items.append((reverse("web:track"), _("查询进度")))
        items.append((reverse("wishes:wall"), _("心愿墙")))
        items.append((reverse("stations:nearby"), _("附近代办站")))
        if not user.is_authenticated:
            items.append((reverse("login"), _("工作人员登录")))
    # One active item: the longest link the page lies under ("/work/" is under every staff page).
    path = request.path
    under = [url for url, _label in items if path.startswith(url) and url != "/"]
    active = max(under, key=len) if under else None
    return {"navigation": [{"url": url, "label": label, "active": url == active} for url, label in items]}
