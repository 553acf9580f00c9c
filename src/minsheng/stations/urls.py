from django.urls import path

from . import views, views_recruitment

app_name = "stations"

urlpatterns = [
    path("stations/<int:pk>/", views.public_page, name="public"),
    path("stations/<int:pk>/done/", views.public_done, name="public_done"),
    path("stations/<int:pk>/sign/", views.sign, name="sign"),
    path("stations/nearby/", views.nearby, name="nearby"),
    path("work/stations/", views.station_list, name="list"),
    path("work/stations/cases/", views.agent_cases, name="cases"),
    path("work/stations/cases/<int:pk>/", views.case_detail, name="case"),
    path("work/stations/cases/<int:pk>/<slug:way>/", views.case_handle, name="handle"),
    path("work/stations/intake/", views.agent_intake, name="intake"),
    path("work/stations/coverage/", views.coverage_map, name="coverage"),
    path("work/stations/coverage.geojson", views.coverage_geojson, name="coverage_geojson"),
    path("work/stations/agents/", views.agent_list, name="agents"),
    path("work/stations/agents/<int:pk>/<int:year>/", views.record_book_page, name="record_book"),
    path("work/stations/agents/<int:pk>/<int:year>/notice/", views.notice, name="notice"),
    path("work/stations/ranking/", views.ranking, name="ranking"),
    path("stations/nominate/", views_recruitment.nominate, name="nominate"),
    path("stations/team-cases/", views_recruitment.team_cases, name="team_cases"),
    path("work/stations/nominations/", views_recruitment.nominations, name="nominations"),
    path("work/stations/nominations/<int:pk>/", views_recruitment.nomination, name="nomination"),
    path("work/stations/teams/", views_recruitment.team_list, name="team_list"),
]
