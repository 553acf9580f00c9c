from django.urls import path

from . import views

app_name = "maps"

urlpatterns = [
    path("tiles/<int:z>/<int:x>/<int:y>.png", views.tile, name="tile"),
    path("reports/", views.public_reports, name="public_reports"),
    path("reports/subscribe/", views.subscribe, name="subscribe"),
    path("reports/subscriptions/<int:pk>/delete/", views.unsubscribe, name="unsubscribe"),
]
