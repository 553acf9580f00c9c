from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.log_page, name="log"),
    path("export.xlsx", views.log_export, name="export"),
]
