"""URL configuration: the Django admin is the staff workbench until the web pages land."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

admin.site.site_header = _("民生 Minsheng")
admin.site.site_title = _("民生 Minsheng")
admin.site.index_title = _("接诉即办管理后台")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
]
