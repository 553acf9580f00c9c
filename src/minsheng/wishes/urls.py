from django.urls import path

from . import views

app_name = "wishes"

urlpatterns = [
    path("wishes/", views.wall, name="wall"),
    path("wishes/<int:pk>/claim/", views.claim, name="claim"),
    path("wishes/mine/", views.mine, name="mine"),
    path("wishes/new/", views.new_wish, name="new"),
    path("wishes/my-wishes/", views.my_wishes, name="my_wishes"),
    path("work/wishes/", views.staff_list, name="staff_list"),
    path("work/wishes/new/", views.intake, name="intake"),
    path("work/wishes/quotas/", views.quotas, name="quotas"),
]
