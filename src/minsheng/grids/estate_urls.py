from django.urls import path

from . import estate_views as views

app_name = "estates"

urlpatterns = [
    path("work/estates/", views.estate_list, name="list"),
    path("work/estates/<int:pk>/", views.estate_detail, name="detail"),
    path("work/estates/<int:pk>/chiefs/", views.appoint_chief, name="appoint_chief"),
    path("work/estates/<int:pk>/chiefs/<int:chief>/end/", views.end_chief, name="end_chief"),
    path("work/notices/", views.notice_list, name="notices"),
    path("work/notices/new/", views.notice_new, name="notice_new"),
    path("work/notices/<int:pk>/", views.notice_detail, name="notice"),
    path("work/notices/<int:pk>/letter.pdf", views.notice_letter, name="notice_letter"),
    path("work/notices/replies/<int:pk>/demand/", views.reply_to_demand, name="reply_to_demand"),
    path("chief/", views.chief_home, name="chief"),
    path("my/estate/", views.my_estate, name="my_estate"),
    path("my/notices/", views.my_notices, name="my_notices"),
    path("my/notices/<int:pk>/", views.my_notice, name="my_notice"),
]
