from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("work/volunteers/", views.registry, name="registry"),
    path("work/volunteers/new/", views.new_volunteer, name="new_volunteer"),
    path("work/volunteers/teams/new/", views.new_team, name="new_team"),
    path("work/activities/new/", views.new_activity, name="new_activity"),
    path("work/activities/", views.activities, name="activities"),
    path("work/activities/<int:pk>/", views.activity, name="activity"),
    path("work/volunteers/applications/", views.applications, name="applications"),
    path("work/volunteers/applications/<int:pk>/", views.application, name="application"),
    path("volunteers/apply/", views.apply, name="apply"),
    path("work/activities/<int:pk>/beneficiaries/", views.beneficiaries, name="beneficiaries"),
    path("volunteers/activities/", views.open_activities, name="open_activities"),
]
