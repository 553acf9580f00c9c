from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("work/volunteers/", views.registry, name="registry"),
    path("work/activities/", views.activities, name="activities"),
    path("work/activities/<int:pk>/", views.activity, name="activity"),
    path("volunteers/activities/", views.open_activities, name="open_activities"),
]
