"""The field roles' installable app: manifest, service worker at the root, bottom tab bar."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_with_its_scope(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    # Workbox comes from this site's static files, never from a CDN.
    # The queue's sender is the pages' own module (web/outbox.js), sent from the Background Sync event.
    assert 'importScripts(CONFIG.workbox + "/workbox-sw.js", CONFIG.outbox)' in body
    assert 'addEventListener("sync"' in body and "MinshengOutbox.flush" in body
    config = json.loads(body.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["workbox"] == "/static/web/vendor/workbox"
    assert config["outbox"] == "/static/web/outbox.js" and config["csrfCookie"] == "csrftoken"
    assert "/care/worker/" in config["lists"] and "/work/stations/cases/" in config["lists"]
    assert "http" not in body  # no other host


def test_the_vendored_workbox_modules_are_there(client):
    from django.contrib.staticfiles import finders

    for name in ("workbox-sw.js", "workbox-core.prod.js", "workbox-routing.prod.js", "workbox-strategies.prod.js",
                 "workbox-expiration.prod.js", "workbox-cacheable-response.prod.js", "LICENSE"):
        assert finders.find(f"web/vendor/workbox/{name}"), name
    assert finders.find("web/vendor/signature_pad/signature_pad.umd.min.js")


def test_the_manifest_names_the_app_in_chinese_with_png_icons(client):
    from django.contrib.staticfiles import finders
    from PIL import Image

    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "民生 · 接诉即办" and data["display"] == "standalone" and data["scope"] == "/"
    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]


@pytest.mark.parametrize(("user", "tabs"), [
    ("gridworker", ["巡查", "走访", "待发送", "消息", "更多"]),
    ("agent", ["代办事项", "受理", "待发送", "消息", "更多"]),
    ("volunteer", ["志愿", "送餐", "待发送", "消息", "更多"]),
])
def test_field_roles_get_the_bottom_tab_bar(login, user, tabs):
    body = login(user).get("/work/field/queue/").content.decode()
    bar = body.split('<nav class="tabbar"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<span class="tab-label">([^<]+)</span>', bar) == tabs
    assert '<link rel="manifest" href="/manifest.webmanifest">' in body
    config = json.loads(body.split('<script id="field-config" type="application/json">', 1)[1].split("</script>")[0])
    assert config["sw"] == "/sw.js" and isinstance(config["user"], int)
    if "待发送" in tabs:  # the queue page marks its own tab
        assert re.search(r'class="tab tab-upload active" aria-current="page"', bar)


def _links(html: str) -> set[str]:
    return set(re.findall(r'<a href="(/[^"]*)"', html))


@pytest.mark.parametrize("user", ["gridworker", "agent", "volunteer"])
def test_more_holds_every_page_of_the_navigation_the_tab_bar_hides(login, user):
    """On a phone the tab bar replaces the top navigation (hidden below 700 px): whatever the
    navigation offers is a tab or on 更多, and 更多 repeats no tab."""
    client = login(user)
    body = client.get("/more/").content.decode()
    bar = body.split('<nav class="tabbar"', 1)[1].split("</nav>", 1)[0]
    navigation = body.split('<nav aria-label="导航">', 1)[1].split("</nav>", 1)[0]
    more = body.split("<main>", 1)[1].split("</main>", 1)[0]
    tabs, offered, listed = _links(bar), _links(navigation), _links(more)
    assert "/more/" in tabs and re.search(r'class="tab tab-more active" aria-current="page"', bar)
    assert offered <= tabs | listed, offered - tabs - listed
    assert not listed & tabs, listed & tabs
    assert listed <= offered, listed - offered  # nothing the account may not open
    for url in listed:
        assert client.get(url).status_code == 200, url


def test_the_navigation_is_worked_out_once_a_request(login, monkeypatch):
    """更多 lays out the navigation as its content, and the page's header shows it too: one
    working-out serves both."""
    from minsheng.web import navigation

    calls = []
    real = navigation._navigation
    monkeypatch.setattr(navigation, "_navigation", lambda request: calls.append(request.path) or real(request))
    client = login("gridworker")
    body = client.get("/more/").content.decode()
    assert calls == ["/more/"] and 'class="tabbar"' in body
    client.get("/more/")
    assert calls == ["/more/", "/more/"]  # not kept beyond its request


def test_the_warm_pages_keep_what_the_bar_has_no_room_for(login):
    """A volunteer's wish wall left the bar for 送餐; it is still kept on the phone."""
    body = login("volunteer").get("/volunteer/").content.decode()
    config = json.loads(body.split('<script id="field-config" type="application/json">', 1)[1].split("</script>")[0])
    warm = [page["url"] for page in config["warm"]]
    assert {"/volunteer/", "/meals/deliveries/", "/wishes/", "/wishes/mine/"} <= set(warm), warm


@pytest.mark.parametrize("user", ["dispatcher", "operator", "leader"])
def test_office_roles_get_no_tab_bar_and_no_service_worker(login, user):
    body = login(user).get("/work/").content.decode()
    assert "tabbar" not in body and "field.js" not in body and "manifest" not in body


def test_the_apps_prefetch_of_a_page_leaves_its_messages_for_the_worker(login):
    client = login("gridworker")
    client.post("/work/grids/patrol/start/", {})  # refused (no grid chosen): a message for the next page
    prefetched = client.get("/work/grids/patrol/", HTTP_X_MINSHENG_PREFETCH="1").content.decode()
    assert 'class="messages"' not in prefetched
    shown = client.get("/work/grids/patrol/").content.decode()
    assert 'class="messages"' in shown and "请选择一个网格" in shown
