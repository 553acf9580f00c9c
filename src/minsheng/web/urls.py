from django.urls import path

from .views import public, staff

app_name = "web"

urlpatterns = [
    path("", public.home, name="home"),
    path("submit/", public.submit, name="submit"),
    path("submit/done/", public.submitted, name="submitted"),
    path("track/", public.track, name="track"),
    path("track/rate/", public.rate, name="rate"),
    path("work/", staff.queue, name="queue"),
    path("work/demands/", staff.demand_list, name="demands"),
    path("work/demands/<int:pk>/", staff.demand_detail, name="demand"),
    path("work/demands/<int:pk>/reveal/", staff.reveal_reporter, name="reveal"),
    path("work/demands/<int:pk>/<slug:action>/", staff.demand_action, name="act"),
    path("work/intake/", staff.intake, name="intake"),
    path("work/intake/resident/", staff.resident_lookup, name="resident_lookup"),
    path("work/overview/", staff.overview, name="overview"),
]
