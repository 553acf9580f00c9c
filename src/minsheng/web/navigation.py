"""The navigation bar, by task: each role's home first, its daily tasks, the rest in a few menus
(<details>, which open without JavaScript: the CSP allows no inline script), at most seven entries."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.organisation.roles import STAFF_ROLES, Role
from minsheng.organisation.scope import roles_of
from minsheng.setup.access import may_set_up

from .homes import home_url, is_chief, is_secretary


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


def cobuild_links(user, roles: set[str]) -> list[tuple[str, str]]:
    """共驻共建 for the register's keepers and member units' contacts (cobuild.selectors)."""
    from minsheng.cobuild.selectors import nav_links

    return nav_links(user, roles)


# The menus the navigation folds the rest into (a <details> each: no script needed), in order.
_MENUS = (("handling", gettext_lazy("办理")), ("figures", gettext_lazy("统计")),
          ("community", gettext_lazy("社区工作")), ("setup", gettext_lazy("开通配置")))
# Entries that stay on the bar for whoever has them: the daily tasks.  Everything else goes to a menu.
_TOP_LIMIT = 7


def _staff_items(user, roles: set[str]) -> list[tuple[str, str, str | None]]:
    """Every staff page this user may open, as (url, label, menu key or None for the bar)."""
    items: list[tuple[str, str, str | None]] = [(reverse("web:queue"), _("我的待办"), None),
                                                (reverse("web:demands"), _("诉求列表"), None)]
    if roles & {Role.HOTLINE_OPERATOR, Role.STATION_AGENT, Role.GRID_WORKER, Role.COMMUNITY_STAFF,
                Role.STREET_DISPATCHER, Role.ADMINISTRATOR}:
        items.append((reverse("web:intake"), _("登记诉求"), None))
    if Role.STATION_AGENT in roles:
        items.append((reverse("stations:cases"), _("代办案件"), "handling"))
    if roles & {Role.HOTLINE_OPERATOR, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR}:
        items.append((reverse("web:revisits"), _("待回访"), "handling"))
    items.append((reverse("web:supervision"), _("督办与吹哨"), "handling"))
    # 知识库: every staff role reads it (operators answer from it); owners edit, the centre approves.
    items.append((reverse("knowledge:list"), _("知识库"), "handling"))
    if Role.ADMINISTRATOR in roles:
        items.append((reverse("web:reply_templates"), _("回复模板"), "handling"))
    if roles & {Role.LEADER, Role.STREET_DISPATCHER, Role.ADMINISTRATOR, Role.AUDITOR}:
        items.append((reverse("web:hot_issues"), _("热点问题"), "handling"))
        items.append((reverse("web:overview"), _("总览"), "figures"))
        items.append((reverse("web:dashboard"), _("数据看板"), "figures"))
        items.append((reverse("web:screen"), _("大屏"), "figures"))
    if roles & {Role.LEADER, Role.ADMINISTRATOR}:
        items.append((reverse("calls:figures"), _("坐席统计"), "figures"))
    if roles & {Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR, Role.LEADER, Role.GRID_WORKER,
                Role.STATION_AGENT}:
        items.append((reverse("wishes:staff_list"), _("微心愿"), "handling"))
    if roles & {Role.STATION_AGENT, Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR,
                Role.LEADER}:  # mediation.access.READERS
        items.append((reverse("mediation:list"), _("矛盾调解"), "handling"))
    if roles & {Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR}:
        items.append((reverse("grids:patrol") if Role.GRID_WORKER in roles else reverse("grids:board"),
                      _("网格巡查") if Role.GRID_WORKER in roles else _("网格"), "community"))
        items.append((reverse("grids:registers"), _("台账"), "community"))
        items.append((reverse("care:home"), _("关爱走访"), "community"))
    if roles & {Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR}:
        items.append((reverse("estates:list"), _("小区与物业"), "community"))  # docs/estates.md
        items.append((reverse("estates:notices"), _("居民通知"), "community"))
    if roles & {Role.LEADER, Role.STREET_DISPATCHER, Role.COMMUNITY_STAFF, Role.ADMINISTRATOR, Role.AUDITOR}:
        items.append((reverse("stations:list"), _("代办站"), "community"))
    if roles & {Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.LEADER, Role.ADMINISTRATOR}:
        items.append((reverse("party:report"), _("党建"), "community"))
    if (roles & STAFF_ROLES) - {Role.DEPARTMENT_HANDLER}:
        # Party work of the regions: a department's handler (a home-care provider's worker too) has
        # no region in scope, so these lists would always be empty for them.
        items.extend((url, label, "community") for url, label in _projects_items(roles))
    if roles & {Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR}:
        items.append((reverse("volunteers:registry"), _("志愿者"), "community"))
        items.append((reverse("ledger:counter"), _("爱心超市"), "community"))
    items.extend((url, label, "community") for url, label in cobuild_links(user, roles))
    items.extend((url, label, "community") for url, label in homecare_links(roles, user))
    if roles & {Role.COMMUNITY_STAFF, Role.STATION_AGENT, Role.STREET_DISPATCHER, Role.ADMINISTRATOR, Role.AUDITOR,
                Role.LEADER}:  # meals.access.READERS
        items.append((reverse("meals:home"), _("助餐"), "community"))
    if roles & {Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR, Role.AUDITOR,
                Role.LEADER}:  # eldercare.access.READERS
        items.append((reverse("eldercare:home"), _("养老服务场所"), "community"))
    if roles & {Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.STREET_DISPATCHER, Role.ADMINISTRATOR, Role.LEADER,
                Role.AUDITOR}:  # aid.access.READERS
        items.append((reverse("aid:home"), _("慰问帮扶"), "community"))
    if Role.AUDITOR in roles:
        items.append((reverse("audit:log"), _("安全审计"), None))
    if may_set_up(user):
        items.append((reverse("setup:area"), _("管理"), "setup"))
        items.append((reverse("setup:history"), _("配置历史"), "setup"))
        items.append((reverse("setup:checklist"), _("上线检查"), "setup"))
        items.append((reverse("setup:import"), _("导入开通数据"), "setup"))
    items.append((*_inbox_item(user), None))
    return items


def _inbox_item(user) -> tuple[str, str]:
    """消息, with the unread count: every account's inbox (a resident's holds their demands' updates)."""
    unread = user.inbox.filter(read_at__isnull=True).count()
    return reverse("web:inbox"), _("消息（%(n)d）") % {"n": unread} if unread else _("消息")


def _by_task(items: list[tuple[str, str, str | None]], home: str) -> list[dict]:
    """The bar: the home first, the daily tasks, then one menu per group; never more than _TOP_LIMIT
    entries (menus included).  A menu of one page is that page on the bar."""
    home_item = next((item for item in items if item[0] == home), None)
    rest = [item for item in items if item is not home_item]
    top = ([{"url": home_item[0], "label": home_item[1]}] if home_item else [])
    top += [{"url": url, "label": label} for url, label, menu in rest if menu is None]
    inbox = top.pop() if top and top[-1]["url"] == reverse("web:inbox") else None  # the inbox ends the bar
    menus = []
    for key, label in _MENUS:
        links = [{"url": url, "label": text} for url, text, menu in rest if menu == key]
        if links:
            menus.append({"label": str(label), "links": links})
    room = _TOP_LIMIT - len(top) - (inbox is not None)
    while len(menus) > room and len(menus) > 1:  # fold the last menus together rather than overflow
        last = menus.pop()
        menus[-1] = _more_menu(menus[-1]["links"] + last["links"])
    entries = top + [menu if len(menu["links"]) > 1 else menu["links"][0] for menu in menus]
    return entries + ([inbox] if inbox else [])


def navigation(request) -> dict:
    """The context processor: the top navigation for this request's user and page.  Worked out
    once a request (the 更多 page lays out the same entries as its own content)."""
    cached = getattr(request, "_minsheng_navigation", None)
    if cached is None:
        cached = request._minsheng_navigation = _navigation(request)
    return cached


def _navigation(request) -> dict:
    user = request.user
    roles = roles_of(user) if user.is_authenticated else set()
    if roles & STAFF_ROLES:
        entries = _by_task(_staff_items(user, roles), home_url(user))
        return {"navigation": _mark_active(entries, request.path),
                # The Django admin is for administrators only (beside the account, not among the tasks).
                "admin_link": reverse("admin:index") if user.is_superuser or Role.ADMINISTRATOR in roles else None}
    items: list[tuple[str, str]] = []
    if Role.VOLUNTEER in roles or is_secretary(user):
        if Role.VOLUNTEER in roles:
            items.append((reverse("web:volunteer_home"), _("志愿服务")))
            items.append((reverse("wishes:wall"), _("心愿墙")))
            items.append((reverse("wishes:mine"), _("我的认领")))
            items.append((reverse("meals:deliveries"), _("助餐送餐")))
            items.append((reverse("eldercare:rota"), _("养老场所排班")))
            items.append((reverse("volunteers:open_activities"), _("志愿活动")))
            items.append((reverse("ledger:card"), _("爱心卡")))
            items.append((reverse("cobuild:resources"), _("资源共享")))
        items.extend(cobuild_links(user, roles))
        if is_secretary(user):
            # A party secretary without a staff role keeps their projects up to date.
            items.append((reverse("projects:projects"), _("书记项目")))
        items.append((reverse("web:mine"), _("我的诉求")))
        items.append(_inbox_item(user))
    else:
        if user.is_authenticated:
            if is_chief(user):  # 网格长, 楼栋长, 单元长 (docs/estates.md)
                items.append((reverse("estates:chief"), _("楼栋长工作")))
            items.append((reverse("web:mine"), _("我的诉求")))
            items.append(_inbox_item(user))
            if user.elder_facilities.exists():  # a place's own staff (eldercare.Facility.staff)
                items.append((reverse("eldercare:home"), _("养老服务场所")))
        items.extend(homecare_links(roles, user))
        items.append((reverse("web:submit"), _("提交诉求")))
        items.append((reverse("web:track"), _("查询进度")))
        items.append((reverse("knowledge:faq"), _("常见问题")))
        items.append((reverse("maps:public_reports"), _("公开诉求")))
        items.append((reverse("wishes:wall"), _("心愿墙")))
        items.append((reverse("stations:nearby"), _("附近代办站")))
        items.append((reverse("cobuild:resources"), _("资源共享")))
        items.extend(cobuild_links(user, roles))
        if not user.is_authenticated:
            items.append((reverse("login"), _("工作人员登录")))
    # The residents' pages carry the 适老化 switch (web.views.public.elder_mode) in their header.
    return {"navigation": _mark_active(_folded(items), request.path), "admin_link": None, "elder_switch": True}


def _folded(items: list[tuple[str, str]]) -> list[dict]:
    """A resident's or volunteer's bar: the first entries as they come (their home first), the
    inbox last, and whatever does not fit in _TOP_LIMIT entries in one 更多 menu."""
    entries = [{"url": url, "label": label} for url, label in items]
    if len(entries) <= _TOP_LIMIT:
        return entries
    inbox_url = reverse("web:inbox")
    inbox = [entry for entry in entries if entry["url"] == inbox_url]
    rest = [entry for entry in entries if entry["url"] != inbox_url]
    room = _TOP_LIMIT - 1 - len(inbox)
    return [*rest[:room], _more_menu(rest[room:]), *inbox]


def _more_menu(links: list[dict]) -> dict:
    """更多: what does not fit on a bar, marked so that the phone's 更多 page lists it ungrouped."""
    return {"label": str(_("更多")), "links": links, "more": True}


def _mark_active(entries: list[dict], path: str) -> list[dict]:
    """One active link: the longest one the page lies under ("/work/" is under every staff page);
    the menu holding it is marked too, so the bar shows where one is with the menu closed."""
    urls = [link["url"] for entry in entries for link in entry.get("links", [entry])]
    under = [url for url in urls if path.startswith(url) and url != "/"]
    active = max(under, key=len) if under else None
    for entry in entries:
        for link in entry.get("links", [entry]):
            link["active"] = link["url"] == active
        if "links" in entry:
            entry["active"] = any(link["active"] for link in entry["links"])
    return entries
