"""The homes of accounts without a staff page to start from: a resident's own demands and wishes,
a volunteer's activities and wishes to claim (``web.homes`` decides who lands where)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minsheng.core import clock
from minsheng.demands import selectors
from minsheng.demands.workflow import Kind
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of
from minsheng.volunteers.selectors import open_activities_for, volunteer_of
from minsheng.wishes import selectors as wish_selectors

from ..field import field_tabs
from ..homes import resident_of_account
from ..navigation import navigation

MINE_LIMIT = 50
WALL_LIMIT = 12


@login_required(login_url="web:sign_in")
def mine(request: HttpRequest) -> HttpResponse:
    """我的诉求 and 我的心愿: what the resident behind this account filed or joined ("我也遇到"),
    with where it stands."""
    user = request.user
    resident = resident_of_account(user)
    demands = list(selectors.reported_by(resident)[:MINE_LIMIT]) if resident else []
    joined = list(selectors.joined_by(resident)[:MINE_LIMIT]) if resident else []
    now = clock.now()
    for demand in demands + joined:
        demand.time_status = selectors.time_status(demand, now)
    return render(request, "web/homes/mine.html", {
        "resident": resident, "demands": demands, "joined": joined,
        "wishes": list(selectors.reported_by(resident, Kind.WISH)[:MINE_LIMIT]) if resident else [],
        # making a wish online and its detail page are the resident role's (wishes.views)
        # the resident's own pages per demand (web.views.resident) are for the account linked to the record
        "own_account": resident is not None and resident.user_id == user.pk,
        "may_wish": resident is not None and resident.user_id == user.pk and Role.RESIDENT in roles_of(user)})


@login_required
def volunteer_home(request: HttpRequest) -> HttpResponse:
    """A volunteer's start: activities open for sign-up and wishes waiting for a claimer, near them."""
    volunteer = volunteer_of(request.user)
    street = (volunteer.region.parent or volunteer.region) if volunteer else None
    return render(request, "web/homes/volunteer.html", {
        "volunteer": volunteer, "street": street,
        "activities": list(open_activities_for(volunteer)[:WALL_LIMIT]) if volunteer else [],
        "wishes": list(wish_selectors.wall(street)[:WALL_LIMIT]),
        "may_claim": Role.VOLUNTEER in roles_of(request.user)})


@login_required
def more(request: HttpRequest) -> HttpResponse:
    """更多, the phone app's last tab: every page of the top navigation (which a phone's tab bar
    replaces) that is not a tab already, grouped as the navigation's menus are (its own 更多 menu,
    what did not fit on the bar, ungrouped)."""
    on_bar = {url for url, _label, _icon in field_tabs(request.user)}
    sections: list[dict] = []
    loose = []
    for entry in navigation(request)["navigation"]:
        if entry.get("more"):
            loose += [link for link in entry["links"] if link["url"] not in on_bar]
        elif "links" in entry:
            links = [link for link in entry["links"] if link["url"] not in on_bar]
            if links:
                sections.append({"label": entry["label"], "links": links})
        elif entry["url"] not in on_bar:
            loose.append(entry)
    if loose:
        sections.insert(0, {"label": None, "links": loose})
    return render(request, "web/homes/more.html", {"sections": sections})
