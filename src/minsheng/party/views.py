"""The party structure report for staff: counts per level and 双报到 per community, as a page and as Excel."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from minsheng.core.exports import xlsx_response
from minsheng.web.views.staff import _staff_required

from .selectors import structure_report


@_staff_required
def report(request: HttpRequest) -> HttpResponse:
    data = structure_report(request.user)
    if request.GET.get("format") == "xlsx":
        rows = [[row.label, row.organisations, row.members] for row in data.levels]
        rows.append([_("党员中心户"), "", data.central_households])
        rows += [[c.community.name, c.organisations, c.members, c.central_households, c.in_service_reported]
                 for c in data.communities]
        return xlsx_response("party-structure.xlsx", [_("层级或社区"), _("党组织数"), _("党员数"),
                                                      _("党员中心户"), _("在职党员报到")], rows)
    return render(request, "party/report.html", {"report": data})
