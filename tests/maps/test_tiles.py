"""The tile view over a local archive, and the settings choosing the basemap layer."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from minsheng.maps import archive
from minsheng.maps.layers import basemap_config


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def mbtiles(tmp_path, settings):
    path = tmp_path / "basemap.mbtiles"
    writer = archive.MBTilesWriter(path, {"name": "t", "format": "png", "bounds": "123.87,41.83,123.93,41.94"})
    writer.add(13, 6915, 3060, _png((200, 0, 0)))
    writer.add(14, 13830, 6120, _png((0, 200, 0)))
    writer.close()
    settings.MINSHENG_TILES = path
    settings.MINSHENG_BASEMAP = "local"
    return path


def test_a_tile_answers_png_with_caching_headers(client, mbtiles):
    response = client.get("/tiles/13/6915/3060.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "max-age" in response["Cache-Control"] and response["ETag"]
    assert Image.open(io.BytesIO(response.content)).getpixel((5, 5)) == (200, 0, 0)
    # XYZ rows count from the north, MBTiles rows from the south: the other tile is not this one.
    assert client.get("/tiles/14/13830/6120.png").content != response.content
    again = client.get("/tiles/13/6915/3060.png", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize("url", ["/tiles/13/6915/3061.png", "/tiles/13/8192/0.png", "/tiles/3/0/8.png",
                                 "/tiles/40/0/0.png", "/tiles/99999999999999999999/0/0.png", "/tiles/-1/0/0.png"])
def test_missing_and_out_of_range_tiles_answer_404(client, mbtiles, url):
    assert client.get(url).status_code == 404


def test_no_archive_answers_404_and_the_maps_show_no_layer(client, settings, tmp_path):
    settings.MINSHENG_TILES = tmp_path / "absent.mbtiles"
    settings.MINSHENG_BASEMAP = "local"
    assert client.get("/tiles/13/6915/3060.png").status_code == 404
    assert basemap_config()["layers"] == []


def test_a_directory_of_tiles_serves_too(client, settings, tmp_path):
    (tmp_path / "12" / "3457").mkdir(parents=True)
    (tmp_path / "12" / "3457" / "1530.png").write_bytes(_png((1, 2, 3)))
    settings.MINSHENG_TILES = tmp_path
    assert client.get("/tiles/12/3457/1530.png").status_code == 200
    assert client.get("/tiles/12/3457/1531.png").status_code == 404
    assert basemap_config()["layers"][0]["maxNativeZoom"] == 12


def test_the_local_layer_is_this_app_with_the_archive_zooms_and_bounds(mbtiles):
    config = basemap_config()
    [layer] = config["layers"]
    assert layer["url"] == "/tiles/{z}/{x}/{y}.png"
    assert layer["crs"] == "wgs84" and layer["minNativeZoom"] == 13 and layer["maxNativeZoom"] == 14
    assert layer["bounds"] == [[41.83, 123.87], [41.94, 123.93]]


def test_tianditu_uses_its_key_and_needs_one(settings):
    settings.MINSHENG_BASEMAP = "tianditu"
    settings.MINSHENG_TIANDITU_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="MINSHENG_TIANDITU_KEY"):
        basemap_config()
    settings.MINSHENG_TIANDITU_KEY = "k123"
    layers = basemap_config()["layers"]
    assert len(layers) == 2  # the map and its annotation (the names)
    assert all("tianditu.gov.cn" in la["url"] and "tk=k123" in la["url"] and la["crs"] == "wgs84" for la in layers)


@pytest.mark.parametrize(("kind", "host"), [("gaode", "autonavi.com"), ("tencent", "gtimg.com")])
def test_gcj02_providers_are_marked_for_the_shift(settings, kind, host):
    settings.MINSHENG_BASEMAP = kind
    [layer] = basemap_config()["layers"]
    assert host in layer["url"] and layer["crs"] == "gcj02"


def test_any_xyz_template(settings):
    settings.MINSHENG_BASEMAP = "xyz"
    settings.MINSHENG_BASEMAP_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    settings.MINSHENG_BASEMAP_CRS = "gcj02"
    settings.MINSHENG_BASEMAP_SUBDOMAINS = ""
    settings.MINSHENG_BASEMAP_ATTRIBUTION = "© 某市测绘院"
    config = basemap_config()
    assert config["layers"][0]["url"] == settings.MINSHENG_BASEMAP_URL and config["layers"][0]["crs"] == "gcj02"
    assert config["attribution"] == "© 某市测绘院"
    settings.MINSHENG_BASEMAP_CRS = "bd09"  # Baidu's tiles are not Web Mercator XYZ: refused
    with pytest.raises(ImproperlyConfigured):
        basemap_config()
    settings.MINSHENG_BASEMAP_URL = ""
    with pytest.raises(ImproperlyConfigured):
        basemap_config()


def test_none_and_unknown(settings):
    settings.MINSHENG_BASEMAP = "none"
    assert basemap_config()["layers"] == []
    settings.MINSHENG_BASEMAP = "baidu"
    with pytest.raises(ImproperlyConfigured, match="choose one of"):
        basemap_config()


def test_a_wrong_setting_is_a_system_check_error(settings):
    from minsheng.maps.checks import basemap_settings

    assert basemap_settings(None) == []
    settings.MINSHENG_BASEMAP = "tianditu"
    settings.MINSHENG_TIANDITU_KEY = ""
    [error] = basemap_settings(None)
    assert error.id == "minsheng.maps.E001" and "MINSHENG_TIANDITU_KEY" in error.msg
