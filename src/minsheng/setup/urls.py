from django.urls import path

from . import area, views

app_name = "setup"
urlpatterns = [
    path("", views.checklist, name="checklist"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("template/<str:kind>/", views.import_template, name="template"),
    # The administration area (setup.sections): one set of pages for every section.
    path("admin/", area.home, name="area"),
    path("admin/history/", area.history, name="history"),
    path("admin/<slug:key>/", area.section_list, name="area_list"),
    path("admin/<slug:key>/new/", area.section_create, name="area_create"),
    path("admin/<slug:key>/<int:pk>/", area.section_edit, name="area_edit"),
    path("admin/<slug:key>/<int:pk>/<slug:action>/", area.section_action, name="area_action"),
]
