from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("work/ledger/", views.accounts, name="accounts"),
    path("work/ledger/counter/", views.counter, name="counter"),
    path("volunteers/card/", views.my_card, name="card"),
]
