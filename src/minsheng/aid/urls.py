from django.urls import path

from . import views

app_name = "aid"

urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/new/", views.new_campaign, name="new_campaign"),
    path("givers/new/", views.new_giver, name="new_giver"),
    path("campaigns/<int:pk>/", views.campaign_page, name="campaign"),
    path("campaigns/<int:pk>/gifts/", views.record_gift, name="record_gift"),
    path("campaigns/<int:pk>/donations/", views.record_donation, name="record_donation"),
    path("<slug:kind>/<int:pk>/void/", views.void, name="void"),
    path("gifts/<int:pk>/photo/", views.gift_photo, name="gift_photo"),
    path("recipients/", views.recipients, name="recipients"),
    path("recipients/<int:resident_id>/", views.recipient, name="recipient"),
]
