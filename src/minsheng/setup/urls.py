from django.urls import path

from . import views

app_name = "setup"
urlpatterns = [
    path("", views.checklist, name="checklist"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("template/<str:kind>/", views.import_template, name="template"),
]
