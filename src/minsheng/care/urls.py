from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("", views.care_home, name="home"),
    path("new/", views.register, name="register"),
    path("<int:pk>/", views.person, name="person"),
    path("<int:pk>/visit/", views.visit, name="visit"),
    path("<int:pk>/card.pdf", views.card, name="card"),
]
