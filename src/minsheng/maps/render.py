"""Raster tiles (256 px PNG, Web Mercator, XYZ numbering) of a ``Scene`` drawn with Pillow.

Each tile is drawn on its own at twice its size and scaled down (Pillow draws without
anti-aliasing); everything is placed in the zoom level's global pixel space, so a road or a
label that crosses a tile edge continues exactly on the next tile.  Labels are placed once per
zoom level, in order of importance, skipping any that would overlap one already placed.
"""

import io
import itertools
import logging
import math
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .scene import Label, Point, Scene

log = logging.getLogger(__name__)

TILE = 256
SS = 2  # supersampling factor

LAND = (246, 244, 240)
BLOCK = (240, 237, 231)
ESTATE, ESTATE_EDGE = (233, 228, 218), (214, 206, 193)
BUILDING, BUILDING_EDGE = (214, 204, 193), (184, 171, 158)
MAIN_FILL, MAIN_CASING = (255, 236, 173), (226, 190, 110)
LANE_FILL, LANE_CASING = (255, 255, 255), (208, 203, 196)
STREET_LINE, COMMUNITY_LINE = (150, 120, 180), (176, 160, 196)
TEXT = {"district": (60, 60, 70), "street": (98, 70, 140), "community": (70, 84, 110), "compound": (110, 96, 84),
        "building": (120, 110, 100), "road": (80, 70, 50)}

# Road width in tile pixels by zoom (interpolated between), and from which zoom things show.
# Main roads stay wider than the 1-pixel grid outlines the pages draw on top (the demo's roads run
# along the grid edges), so that the roads still show at the zoom a whole district fits in.
MAIN_WIDTH = {11: 3.0, 12: 4.0, 13: 5.0, 14: 6.0, 15: 9.0, 16: 12.0, 17: 18.0}
LANE_WIDTH = {12: 1.5, 13: 2.0, 14: 3.0, 15: 4.5, 16: 6.0, 17: 10.0}
LABEL_ZOOMS = {"district": (0, 11), "street": (12, 14), "community": (14, 16), "compound": (15, 22),
               "building": (17, 22), "road": (14, 22)}
LABEL_SIZE = {"district": 15, "street": 13, "community": 13, "compound": 12, "building": 11, "road": 12}
ESTATES_FROM, BUILDINGS_FROM, BOUNDARIES_FROM = 14, 15, 12
ROAD_LABEL_SPACING = 480  # pixels between repeated road names


@cache
def find_font(bold: bool = False) -> tuple[str, int] | None:
    """A CJK font (file, index in the collection): Noto Sans CJK SC through fontconfig, else the
    usual Debian path, else None."""
    pattern = "Noto Sans CJK SC" + (":bold" if bold else "")
    if shutil.which("fc-match"):
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", pattern], capture_output=True, text=True,
                             check=False).stdout.split("\n")
        if len(out) == 2 and "CJK" in out[0] and Path(out[0]).is_file():
            return out[0], int(out[1] or 0)
    path = Path("/usr/share/fonts/opentype/noto") / ("NotoSansCJK-Bold.ttc" if bold else "NotoSansCJK-Regular.ttc")
    return (str(path), 2) if path.is_file() else None  # index 2: the Simplified Chinese face


@cache
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    file, index = find_font(bold) or find_font(False)
    return ImageFont.truetype(file, size * SS, index=index)


def project(point: Point, zoom: int) -> tuple[float, float]:
    """(lng, lat) → global pixel (x, y) at ``zoom`` in Web Mercator."""
    lng, lat = point
    scale = TILE * 2**zoom
    siny = math.sin(math.radians(max(min(lat, 85.0511), -85.0511)))
    return (lng + 180) / 360 * scale, (0.5 - math.log((1 + siny) / (1 - siny)) / (4 * math.pi)) * scale


def tile_range(bounds: tuple[float, float, float, float], zoom: int) -> tuple[range, range]:
    west, south, east, north = bounds
    x0, y0 = project((west, north), zoom)
    x1, y1 = project((east, south), zoom)
    return range(int(x0 // TILE), int(x1 // TILE) + 1), range(int(y0 // TILE), int(y1 // TILE) + 1)


def _width(table: dict[int, float], zoom: int) -> float:
    if zoom in table:
        return table[zoom]
    keys = sorted(table)
    if zoom < keys[0]:
        return 0.0
    return table[keys[-1]] * 2 ** (zoom - keys[-1])


@dataclass(frozen=True)
class Placed:
    text: str
    kind: str
    x: float  # centre, global pixels
    y: float
    vertical: bool
    box: tuple[float, float, float, float]  # x0, y0, x1, y1


def _text_size(text: str, kind: str) -> tuple[float, float]:
    size = LABEL_SIZE[kind]
    font = _font(size, kind in ("district", "street"))
    return font.getlength(text) / SS, size * 1.25


def _label_candidates(scene: Scene, zoom: int) -> Iterator[Placed]:
    order = ["district", "street", "road", "community", "compound", "building"]
    for kind in order:
        low, high = LABEL_ZOOMS[kind]
        if not low <= zoom <= high:
            continue
        if kind == "road":
            yield from _road_labels(scene, zoom)
            continue
        for label in (lb for lb in scene.labels if lb.kind == kind):
            placed = _place(label, zoom)
            if placed:
                yield placed


def _place(label: Label, zoom: int) -> Placed | None:
    x, y = project(label.point, zoom)
    width, height = _text_size(label.text, label.kind)
    vertical = False
    if label.box:  # a name wider than its region is stacked vertically, as Chinese maps do
        x0, _ = project((label.box[0], label.box[3]), zoom)
        x1, _ = project((label.box[2], label.box[1]), zoom)
        if width > (x1 - x0) * 0.9:
            vertical = True
            width, height = height, len(label.text) * LABEL_SIZE[label.kind] * 1.1
    box = (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
    return Placed(label.text, label.kind, x, y, vertical, box)


def _road_labels(scene: Scene, zoom: int) -> Iterator[Placed]:
    size = LABEL_SIZE["road"]
    for road in scene.roads:
        if road.kind != "main" or not road.name:
            continue
        pixels = [project(p, zoom) for p in road.points]
        for (ax, ay), (bx, by) in itertools.pairwise(pixels):
            length = math.hypot(bx - ax, by - ay)
            vertical = abs(by - ay) > abs(bx - ax)
            extent = (len(road.name) * size * 1.1) if vertical else _text_size(road.name, "road")[0]
            if length < extent * 1.5:
                continue
            # Names at fixed steps from the segment's start, so every tile agrees on where they are.
            steps = max(1, int(length // ROAD_LABEL_SPACING))
            for i in range(steps):
                t = (i + 0.5) / steps
                x, y = ax + (bx - ax) * t, ay + (by - ay) * t
                w, h = (size * 1.25, extent) if vertical else (extent, size * 1.25)
                yield Placed(road.name, "road", x, y, vertical, (x - w / 2, y - h / 2, x + w / 2, y + h / 2))


def place_labels(scene: Scene, zoom: int) -> list[Placed]:
    placed: list[Placed] = []
    for candidate in _label_candidates(scene, zoom):
        a = candidate.box
        pad = 4
        if any(a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad
               for b in (p.box for p in placed)):
            continue
        placed.append(candidate)
    return placed


def _dashes(points: list[tuple[float, float]], dash: float, gap: float) -> Iterator[list[tuple[float, float]]]:
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        length = math.hypot(bx - ax, by - ay)
        if not length:
            continue
        t = 0.0
        while t < length:
            end = min(t + dash, length)
            yield [(ax + (bx - ax) * t / length, ay + (by - ay) * t / length),
                   (ax + (bx - ax) * end / length, ay + (by - ay) * end / length)]
            t = end + gap


class TileRenderer:
    def __init__(self, scene: Scene, zoom: int, *, labels: bool = True):
        self.scene, self.zoom = scene, zoom
        self.labels = place_labels(scene, zoom) if labels else []
        self.main_width, self.lane_width = _width(MAIN_WIDTH, zoom), _width(LANE_WIDTH, zoom)
        # Everything projected once per zoom level; a tile only shifts it.
        self.blocks = [self._shape(r) for r in scene.blocks]
        self.estates = [self._shape(r) for r in scene.estates] if zoom >= ESTATES_FROM else []
        self.buildings = [self._shape(r) for r in scene.buildings] if zoom >= BUILDINGS_FROM else []
        self.boundaries = [(self._shape(r), COMMUNITY_LINE, 1) for r in scene.community_lines]
        self.boundaries += [(self._shape(r), STREET_LINE, 2) for r in scene.street_lines]
        if zoom < BOUNDARIES_FROM:
            self.boundaries = []
        self.roads = [(road.kind, self._shape(road.points)) for road in scene.roads]

    def _shape(self, points: list[Point]) -> tuple[list[tuple[float, float]], tuple[float, float, float, float]]:
        pixels = [project(p, self.zoom) for p in points]
        xs, ys = [p[0] for p in pixels], [p[1] for p in pixels]
        return pixels, (min(xs), min(ys), max(xs), max(ys))

    def render(self, tx: int, ty: int) -> bytes:
        ox, oy = tx * TILE, ty * TILE
        margin = 64
        view = (ox - margin, oy - margin, ox + TILE + margin, oy + TILE + margin)

        def near(b: tuple[float, float, float, float]) -> bool:
            return b[0] < view[2] and view[0] < b[2] and b[1] < view[3] and view[1] < b[3]

        def px(pixels: list[tuple[float, float]]) -> list[tuple[float, float]]:
            return [((x - ox) * SS, (y - oy) * SS) for x, y in pixels]

        image = Image.new("RGB", (TILE * SS, TILE * SS), LAND)
        draw = ImageDraw.Draw(image)
        for pixels, box in self.blocks:
            if near(box):
                draw.polygon(px(pixels), fill=BLOCK)
        for pixels, box in self.estates:
            if near(box):
                draw.polygon(px(pixels), fill=ESTATE, outline=ESTATE_EDGE, width=SS)
        for pixels, box in self.buildings:
            if near(box):
                draw.polygon(px(pixels), fill=BUILDING, outline=BUILDING_EDGE, width=SS)
        for (pixels, box), colour, width in self.boundaries:
            if near(box):
                for dash in _dashes(px(pixels), 8 * SS, 5 * SS):
                    draw.line(dash, fill=colour, width=width * SS)
        # Casings first, then fills, so that crossing roads merge instead of cutting each other.
        roads = [(kind, px(pixels)) for kind, (pixels, box) in self.roads if near(box)]
        for fill_pass in (False, True):
            for kind, width, fill, casing in (("lane", self.lane_width, LANE_FILL, LANE_CASING),
                                              ("main", self.main_width, MAIN_FILL, MAIN_CASING)):
                if width <= 0:
                    continue
                for road_kind, points in roads:
                    if road_kind != kind:
                        continue
                    if fill_pass:
                        draw.line(points, fill=fill, width=max(1, round(width * SS)), joint="curve")
                    elif width >= 2:
                        draw.line(points, fill=casing, width=round((width + 2) * SS), joint="curve")
        for label in self.labels:
            b = label.box
            if b[0] < ox + TILE and ox < b[2] and b[1] < oy + TILE and oy < b[3]:
                self._text(draw, label, ox, oy)
        out = io.BytesIO()
        image.resize((TILE, TILE), Image.Resampling.LANCZOS).save(out, "PNG", optimize=True)
        return out.getvalue()

    def _text(self, draw: ImageDraw.ImageDraw, label: Placed, ox: int, oy: int) -> None:
        size = LABEL_SIZE[label.kind]
        font = _font(size, label.kind in ("district", "street"))
        style = {"fill": TEXT[label.kind], "stroke_width": 2 * SS, "stroke_fill": (255, 255, 255), "font": font,
                 "anchor": "mm"}
        x, y = (label.x - ox) * SS, (label.y - oy) * SS
        if not label.vertical:
            draw.text((x, y), label.text, **style)
            return
        step = size * 1.1 * SS
        top = y - step * (len(label.text) - 1) / 2
        for i, char in enumerate(label.text):
            draw.text((x, top + i * step), char, **style)


def render_tiles(scene: Scene, zooms: range, bounds: tuple[float, float, float, float],
                 write: Callable[[int, int, int, bytes], None]) -> int:
    """Draws every tile of ``bounds`` at each zoom and hands it to ``write(z, x, y, png)``.
    Returns the number of tiles.  Without a CJK font the tiles carry no labels (logged)."""
    labels = find_font() is not None
    if not labels:
        log.warning("no CJK font (apt-get install fonts-noto-cjk): the basemap is drawn without names")
    count = 0
    for zoom in zooms:
        renderer = TileRenderer(scene, zoom, labels=labels)
        xs, ys = tile_range(bounds, zoom)
        for x in xs:
            for y in ys:
                write(zoom, x, y, renderer.render(x, y))
                count += 1
    return count
