from django.urls import path

from . import views

app_name = "calls"

urlpatterns = [
    path("work/calls/live/", views.live, name="live"),
    path("work/calls/<int:pk>/pop/", views.pop, name="pop"),
    path("work/calls/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("work/calls/<int:pk>/link/", views.link, name="link"),
    path("work/calls/", views.figures, name="figures"),
]
