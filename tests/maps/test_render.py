"""render_basemap: the demo district drawn into an MBTiles archive the tile view serves."""

import io
import sqlite3
from contextlib import closing

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from minsheng.demo.city import DISTRICT, ORIGIN, City, _region, build_regions
from minsheng.maps import render
from minsheng.maps.render import MAIN_FILL, project


@pytest.fixture
def demo_regions(db):
    city = City(district=_region(DISTRICT[0], "district", DISTRICT[1], None))
    build_regions(city)
    return city


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("render_basemap", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_demo_basemap_has_roads_and_names_and_is_served(demo_regions, tmp_path, settings, client):
    path = tmp_path / "demo.mbtiles"
    settings.MINSHENG_TILES = path
    settings.MINSHENG_BASEMAP = "local"
    assert "tiles" in _run("--zooms", "14")
    with closing(sqlite3.connect(path)) as db:
        count = db.execute("SELECT COUNT(*) FROM tiles WHERE zoom_level=14").fetchone()[0]
        meta = dict(db.execute("SELECT name, value FROM metadata"))
    assert count > 10 and meta["format"] == "png" and meta["minzoom"] == meta["maxzoom"] == "14"
    # The south-west corner of the district is the crossing of two main roads (city.py's lattice).
    x, y = project((float(ORIGIN[1]), float(ORIGIN[0])), 14)
    response = client.get(f"/tiles/14/{int(x // 256)}/{int(y // 256)}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    tile = Image.open(io.BytesIO(response.content)).convert("RGB")
    pixel = tile.getpixel((int(x % 256), int(y % 256)))
    assert all(abs(a - b) <= 20 for a, b in zip(pixel, MAIN_FILL, strict=True)), pixel  # scaled down: near
    # Some tile carries a name in the labels' dark ink (only when the CJK font is installed).
    if render.find_font():
        with closing(sqlite3.connect(path)) as db:
            blobs = [row[0] for row in db.execute("SELECT tile_data FROM tiles")]
        dark = max(Image.open(io.BytesIO(b)).convert("L").point(lambda v: 255 if v < 120 else 0).histogram()[255]
                   for b in blobs)
        assert dark > 20
    # Seeding again (make demo) does not draw again.
    assert "up to date" in _run("--zooms", "14")


def test_bad_arguments_are_one_line_errors(demo_regions, tmp_path):
    with pytest.raises(CommandError, match="zooms"):
        _run("--zooms", "x", "--out", str(tmp_path / "a.mbtiles"))
    with pytest.raises(CommandError, match="no district"):
        _run("--district", "NOPE", "--out", str(tmp_path / "a.mbtiles"))


def test_labels_are_placed_without_overlap(demo_regions):
    from minsheng.demo.basemap import demo_roads
    from minsheng.maps.scene import scene_from_regions
    from minsheng.organisation.models import Region

    scene = scene_from_regions(Region.objects.get(code=DISTRICT[0]), demo_roads())
    assert {r.name for r in scene.roads if r.kind == "main"} >= {"建设路", "光明街"}
    for zoom in (12, 15):
        placed = render.place_labels(scene, zoom)
        assert placed
        for i, a in enumerate(placed):
            for b in placed[i + 1:]:
                assert not (a.box[0] < b.box[2] and b.box[0] < a.box[2] and a.box[1] < b.box[3] and b.box[1] < a.box[3])


def test_without_a_cjk_font_the_tiles_come_without_names_and_it_is_said(demo_regions, tmp_path, monkeypatch):
    monkeypatch.setattr(render, "find_font", lambda bold=False: None)
    from minsheng.demo.management.commands import render_basemap

    monkeypatch.setattr(render_basemap, "find_font", lambda bold=False: None)
    err = io.StringIO()
    call_command("render_basemap", "--zooms", "12", "--out", str(tmp_path / "b.mbtiles"), stdout=io.StringIO(),
                 stderr=err)
    assert "fonts-noto-cjk" in err.getvalue()
    with closing(sqlite3.connect(tmp_path / "b.mbtiles")) as db:
        assert db.execute("SELECT COUNT(*) FROM tiles").fetchone()[0] > 0
