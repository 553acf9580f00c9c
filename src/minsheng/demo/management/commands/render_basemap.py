"""Draws the demo district's basemap (roads with their names, blocks, building footprints,
community and estate names) into the local tile archive the app serves at /tiles/, so that the
demo's maps are maps with no Internet.  Run by ``make demo`` after seeding."""

import hashlib
import json
import time
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from minsheng.demo.basemap import demo_roads
from minsheng.demo.city import DISTRICT
from minsheng.maps import archive, render
from minsheng.maps.render import find_font, render_tiles
from minsheng.maps.scene import scene_from_regions
from minsheng.organisation.models import Region

MARGIN_DEGREES = 0.01  # land drawn around the district, so that a fitted map has no grey edge


def _zooms(value: str) -> range:
    low, _, high = value.partition("-")
    try:
        zooms = range(int(low), int(high or low) + 1)
    except ValueError:
        raise CommandError(f"--zooms {value!r}: expected e.g. 11-17") from None
    if not zooms or zooms.start < 0 or zooms.stop - 1 > archive.MAX_ZOOM:
        raise CommandError(f"--zooms {value!r}: expected e.g. 11-17, at most {archive.MAX_ZOOM}")
    return zooms


class Command(BaseCommand):
    help = "Render the demo district's basemap tiles into MINSHENG_TILES (an MBTiles file)."

    def add_arguments(self, parser):
        parser.add_argument("--district", default=DISTRICT[0], help="region code of the district (default: the demo's)")
        parser.add_argument("--zooms", default="11-17", help="zoom levels, e.g. 11-17")
        parser.add_argument("--out", type=Path, help="MBTiles file to write (default: MINSHENG_TILES)")
        parser.add_argument("--force", action="store_true", help="render even if the archive is up to date")

    def handle(self, *args, district: str, zooms: str, out: Path | None, force: bool, **options):
        levels = _zooms(zooms)
        out = out or settings.MINSHENG_TILES
        if out.is_dir():
            raise CommandError(f"{out} is a directory of tiles, not an MBTiles file: pass --out FILE.mbtiles")
        try:
            region = Region.objects.get(code=district, kind=Region.Kind.DISTRICT)
        except Region.DoesNotExist:
            raise CommandError(f"no district with code {district!r} (run seed_demo first)") from None
        roads = demo_roads() if district == DISTRICT[0] else None
        scene = scene_from_regions(region, roads)
        try:
            west, south, east, north = scene.bounds()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        bounds = (west - MARGIN_DEGREES, south - MARGIN_DEGREES, east + MARGIN_DEGREES, north + MARGIN_DEGREES)
        font = find_font()
        # The archive records what it was drawn from, so seeding again (make demo) skips the work.
        # (the renderer's own source included: a change of style draws again too).
        style = hashlib.sha256(Path(render.__file__).read_bytes()).hexdigest()
        digest = hashlib.sha256(json.dumps([repr(scene), bounds, levels.start, levels.stop, font, style],
                                           ensure_ascii=False).encode()).hexdigest()
        if not force and out.is_file():
            try:
                with closing(archive.connect(out)) as db:
                    row = db.execute("SELECT value FROM metadata WHERE name='minsheng_source'").fetchone()
            except Exception:  # not an MBTiles file we wrote: draw it again
                row = None
            if row and row[0] == digest:
                self.stdout.write(f"basemap up to date: {out}")
                return
        if font is None:
            self.stderr.write("no CJK font found (apt-get install fonts-noto-cjk): the basemap has no names")
        out.parent.mkdir(parents=True, exist_ok=True)
        writer = archive.MBTilesWriter(out, {
            "name": f"{region.name} basemap", "format": "png", "type": "baselayer", "version": "1",
            "bounds": ",".join(f"{v:.6f}" for v in bounds), "minzoom": str(levels.start),
            "maxzoom": str(levels.stop - 1),
            "minsheng_source": digest})
        started = time.monotonic()
        count = render_tiles(scene, levels, bounds, writer.add)
        writer.close()
        self.stdout.write(f"basemap: {count} tiles, zoom {levels.start}-{levels.stop - 1}, "
                          f"{time.monotonic() - started:.1f} s → {out}")
