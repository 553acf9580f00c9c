"""Every page with a map carries the basemap configuration and the one map script."""

from decimal import Decimal

import pytest
from django.test import override_settings

from minsheng.grids import services as grid_services

from ..demands.helpers import register

pytestmark = pytest.mark.django_db


def _has_basemap(html: str) -> bool:
    return 'id="basemap-config"' in html and "maps/basemap.js" in html


@pytest.mark.parametrize(("user", "url"), [(None, "/submit/"), ("operator", "/work/intake/"),
                                           ("leader", "/work/dashboard/"), ("leader", "/work/stations/coverage/")])
def test_the_map_pages_carry_the_basemap(world, client, user, url):
    if user:
        client.force_login(world.user(user))
    html = client.get(url).content.decode()
    assert _has_basemap(html)


@override_settings(LANGUAGE_CODE="en")
def test_the_staff_demand_page_shows_its_pin_with_plain_coordinates(world, client):
    demand = register(world, latitude=Decimal("39.905123"), longitude=Decimal("116.405678"))
    client.force_login(world.user("operator"))
    html = client.get(f"/work/demands/{demand.pk}/").content.decode()
    assert _has_basemap(html) and 'data-basemap-point="39.905123,116.405678"' in html
    without = register(world)
    assert "data-basemap-point" not in client.get(f"/work/demands/{without.pk}/").content.decode()


def test_the_patrol_page_shows_the_track_so_far(world, client):
    worker = world.user("gridworker")
    client.force_login(worker)
    assert "data-patrol-map" not in client.get("/work/grids/patrol/").content.decode()
    grid_services.start_patrol(worker, world.regions["g1"], track=[[39.9, 116.4], [39.901, 116.401]])
    html = client.get("/work/grids/patrol/").content.decode()
    # The field app draws the track on the basemap (grids/patrol.js), the points sent so far from the page.
    assert _has_basemap(html) and 'data-patrol-map="patrol-map-data"' in html
    assert '<script id="patrol-map-data" type="application/json">' in html and "116.401" in html
