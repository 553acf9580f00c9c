"""URL configuration: residents' pages and the staff workbench (web), the Django admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from minsheng.calls import views as calls_views
from minsheng.core import views as core_views
from minsheng.integrations.api.main import api

admin.site.site_header = _("民生 Minsheng")
admin.site.site_title = _("民生 Minsheng")
admin.site.index_title = _("接诉即办管理后台")

urlpatterns = [
    # First: the machine interfaces take the most requests, and Django tries the patterns in order
    # (every include before them is walked for a miss first).  No page lives under these prefixes.
    path("api/cti/events", calls_views.events, name="cti_events"),  # the phone systems (docs/calls.md)
    path("api/", api.urls),
    path("open311/v2/", include("minsheng.integrations.open311.urls")),
    path("", include("minsheng.ops.urls")),
    path("", include("minsheng.maps.urls")),
    path("", include("minsheng.web.urls")),
    path("", include("minsheng.projects.urls")),
    path("work/grids/", include("minsheng.grids.urls")),
    path("", include("minsheng.grids.estate_urls")),  # estates, chiefs, notices (docs/estates.md)
    path("work/care/", include("minsheng.care.urls")),
    path("work/party/", include("minsheng.party.urls")),
    path("", include("minsheng.wishes.urls")),
    path("", include("minsheng.volunteers.urls")),
    path("", include("minsheng.ledger.urls")),
    path("care/", include("minsheng.homecare.urls")),
    path("meals/", include("minsheng.meals.urls")),
    path("eldercare/", include("minsheng.eldercare.urls")),
    path("work/aid/", include("minsheng.aid.urls")),
    path("work/mediation/", include("minsheng.mediation.urls")),
    path("work/audit/", include("minsheng.audit.urls")),
    path("work/setup/", include("minsheng.setup.urls")),
    path("", include("minsheng.stations.urls")),
    path("", include("minsheng.cobuild.urls")),
    path("", include("minsheng.knowledge.urls")),
    path("", include("minsheng.calls.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/", core_views.two_factor, name="two_factor"),
    # A PDF the worker makes (core.documents): the page that waits for it, then the PDF.
    path("documents/<slug:result_id>/", core_views.document, name="document"),
    # Every account changes its own password here, not only staff accounts through the admin.
    path("password/", auth_views.PasswordChangeView.as_view(template_name="core/password_change.html"),
         name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
         name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
