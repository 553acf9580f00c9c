from django.urls import path

from . import views

app_name = "grids"

urlpatterns = [
    path("", views.board, name="board"),
    path("<int:pk>/", views.grid, name="grid"),
    path("<int:pk>/chiefs/", views.appoint_chief, name="appoint_chief"),
    path("<int:pk>/chiefs/<int:chief>/end/", views.end_chief, name="end_chief"),
    path("patrol/", views.patrol, name="patrol"),
    path("patrol/start/", views.patrol_start, name="patrol_start"),
    path("patrol/<int:pk>/track/", views.patrol_track, name="patrol_track"),
    path("patrol/<int:pk>/finding/", views.patrol_finding, name="patrol_finding"),
    path("patrol/<int:pk>/finish/", views.patrol_finish, name="patrol_finish"),
    path("registers/", views.register_list, name="registers"),
    path("registers/resident/<int:pk>/reveal/", views.register_reveal, name="reveal"),
    path("registers/resident/<int:pk>/household/", views.household_join, name="household_join"),
    path("registers/resident/<int:pk>/household/new/", views.household_new, name="household_new"),
    path("registers/resident/<int:pk>/household/leave/", views.household_leave, name="household_leave"),
    path("registers/import/", views.import_upload, name="import"),
    path("registers/import/<int:pk>/", views.import_preview, name="import_preview"),
    path("registers/import/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("registers/template/<str:entity>.xlsx", views.import_template, name="import_template"),
    path("registers/<str:entity>/<int:pk>/", views.register_record, name="record"),
]
