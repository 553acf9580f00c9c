from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("work/projects/", views.project_list, name="projects"),
    path("work/projects/<int:pk>/", views.project_detail, name="project"),
    path("work/projects/<int:pk>/update/", views.project_update, name="project_update"),
    path("work/projects/<int:pk>/evaluate/", views.project_evaluate, name="project_evaluate"),
    path("work/needs/", views.needs, name="needs"),
    path("work/needs/<int:pk>/convert/", views.convert_need, name="convert_need"),
    path("work/practical/", views.practical, name="practical"),
    path("work/practical/<int:pk>/tick/", views.tick_off, name="tick_off"),
    path("work/meetings/", views.meetings, name="meetings"),
    path("work/meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("work/meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("work/meetings/<int:pk>/decide/", views.meeting_decide, name="meeting_decide"),
    path("board/<str:code>/", views.board, name="board"),
    path("board/<str:code>/poster/", views.poster, name="poster"),
    path("board/<str:code>/poster.pdf", views.poster_pdf, name="poster_pdf"),
    path("board/<str:code>/screen/", views.screen, name="screen"),
]
