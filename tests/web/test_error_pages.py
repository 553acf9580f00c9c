"""Error pages in the site's style and language, each with a way back home; the favicon."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_404_is_chinese_with_the_layout_and_a_way_home(client, world):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and 'id="back-home"' in page and 'class="top"' in page
    assert "Not Found" not in page


def test_404_follows_the_language_switch(client, world):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get("/no-such-page/").content.decode()
    assert "Page not found" in page and "返回首页" not in page and "Back to the home page" in page


def test_a_scoped_404_says_why_in_the_sites_words(login, world):
    from ..demands.helpers import bring_to

    demand = bring_to(world, "dispatched")  # to 区城管局
    page = login("handler_zj").get(reverse("web:demand", args=[demand.pk])).content.decode()
    assert "诉求不存在或不在你的管辖范围内" in page and 'id="back-home"' in page


def test_csrf_failure_page(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in page and 'id="back-home"' in page and "CSRF verification failed" not in page


def test_500_page_renders_without_a_request_context():
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500 and "系统出错了" in page and 'id="back-home"' in page
    with translation.override("en"):
        assert "Something went wrong" in server_error(request).content.decode()


def test_favicon_is_served_locally(client, world):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].startswith("/static/web/favicon.ico")
    assert finders.find("web/favicon.ico") and finders.find("web/favicon.svg")
    assert "web/favicon.svg" in client.get(reverse("web:home")).content.decode()
