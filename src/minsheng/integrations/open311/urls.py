from django.urls import re_path

from . import views

app_name = "open311"
_FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    re_path(r"^discovery" + _FMT, views.discovery, name="discovery"),
    re_path(r"^services" + _FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[A-Za-z0-9._-]+?)" + _FMT, views.service_definition, name="service"),
    re_path(r"^requests" + _FMT, views.requests_collection, name="requests"),
    re_path(r"^requests/(?P<request_id>[A-Za-z0-9_-]+)" + _FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9_-]+)" + _FMT, views.token_detail, name="token"),
    re_path(r"^servicerequestupdates" + _FMT, views.updates_collection, name="updates"),
]
