from django.urls import path

from . import views

app_name = "cobuild"

urlpatterns = [
    path("work/cobuild/", views.home, name="home"),
    path("work/cobuild/members/new/", views.new_member, name="new_member"),
    path("work/cobuild/members/<int:pk>/", views.member, name="member"),
    path("work/cobuild/members/<int:pk>/edit/", views.edit_member, name="edit_member"),
    path("work/cobuild/members/<int:pk>/resources/<int:resource>/edit/", views.edit_resource, name="edit_resource"),
    path("work/cobuild/members/<int:pk>/offers/<int:offer>/edit/", views.edit_offer, name="edit_offer"),
    path("work/cobuild/members/<int:pk>/reveal/", views.reveal_contact, name="reveal_contact"),
    path("work/cobuild/members/<int:pk>/resources/new/", views.new_resource, name="new_resource"),
    path("work/cobuild/members/<int:pk>/offers/new/", views.new_offer, name="new_offer"),
    path("work/cobuild/members/<int:pk>/activities/new/", views.new_activity, name="new_activity"),
    path("work/cobuild/activities/<int:pk>/", views.activity, name="activity"),
    path("work/cobuild/bookings/", views.bookings, name="bookings"),
    path("work/cobuild/reports/", views.reports, name="reports"),
    path("work/cobuild/reports/new/", views.new_report, name="new_report"),
    path("work/cobuild/reports/monthly/", views.monthly, name="monthly"),
    path("cobuild/bookings/<int:pk>/<str:action>/", views.booking_action, name="booking_action"),
    path("cobuild/resources/", views.resources, name="resources"),
    path("cobuild/resources/<int:pk>/book/", views.book, name="book"),
    path("cobuild/bookings/", views.my_bookings, name="my_bookings"),
    path("cobuild/report/", views.report_myself, name="report_myself"),
]
