from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("faq/", views.faq, name="faq"),
    path("work/knowledge/", views.article_list, name="list"),
    path("work/knowledge/new/", views.article_new, name="new"),
    path("work/knowledge/export.xlsx", views.article_export, name="export"),
    path("work/knowledge/import/", views.article_import, name="import"),
    path("work/knowledge/<int:pk>/", views.article_detail, name="article"),
    path("work/knowledge/<int:pk>/edit/", views.article_edit, name="edit"),
    path("work/knowledge/<int:pk>/<slug:step>/", views.article_step, name="step"),
    path("work/intake/knowledge/", views.intake_suggestions, name="intake_suggestions"),
]
