from django.urls import path

from . import views

app_name = "meals"

urlpatterns = [
    path("", views.home, name="home"),
    path("canteens/<int:pk>/", views.canteen_page, name="canteen"),
    path("canteens/<int:pk>/counter/", views.counter, name="counter"),
    path("canteens/<int:pk>/book/", views.book, name="book"),
    path("canteens/<int:pk>/safety/", views.safety_check, name="safety"),
    path("canteens/<int:pk>/statement/", views.statement, name="statement"),
    path("canteens/<int:pk>/statement/issue/", views.issue, name="issue"),
    path("meals/<int:pk>/void/", views.void, name="void"),
    path("safety-photos/<int:pk>/", views.safety_photo, name="safety_photo"),
    path("deliveries/", views.deliveries_page, name="deliveries"),
    path("deliveries/<int:demand_id>/<slug:action>/", views.delivery_action, name="delivery_action"),
]
