from django.urls import path

from . import views

app_name = "eldercare"

urlpatterns = [
    path("", views.home, name="home"),
    path("places/new/", views.new_facility, name="new_facility"),
    path("places/<int:pk>/", views.facility_page, name="facility"),
    path("places/<int:pk>/edit/", views.edit_facility, name="edit_facility"),
    path("places/<int:pk>/rooms/", views.save_room, name="add_room"),
    path("places/<int:pk>/rooms/<int:room>/", views.save_room, name="edit_room"),
    path("places/<int:pk>/remove/", views.remove_facility, name="remove_facility"),
    path("places/<int:pk>/rooms/<int:room>/remove/", views.remove_room, name="remove_room"),
    path("places/<int:pk>/rooms/<int:room>/reopen/", views.reopen_room, name="reopen_room"),
    path("places/<int:pk>/elders/", views.register_elder, name="register_elder"),
    path("places/<int:pk>/checks/", views.checks, name="checks"),
    path("places/<int:pk>/checks/new/", views.record_check, name="record_check"),
    path("places/<int:pk>/move-in/", views.move_in, name="move_in"),
    path("places/<int:pk>/shifts/", views.add_shifts, name="add_shifts"),
    path("places/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("stays/<int:pk>/move-out/", views.move_out, name="move_out"),
    path("signups/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("visits/<int:pk>/check-out/", views.check_out, name="check_out"),
    path("elders/<int:pk>/", views.health_record, name="health_record"),
    path("checks/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("rota/", views.rota, name="rota"),
    path("rota/shifts/<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("rota/signups/<int:pk>/cancel/", views.cancel, name="cancel"),
]
