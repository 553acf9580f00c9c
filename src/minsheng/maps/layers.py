"""Which basemap the maps show, chosen by settings (MINSHENG_BASEMAP …), as the JSON every map page
carries for static/maps/basemap.js.  Nothing here fetches anything: the browser loads the tiles."""

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext as _

from . import archive
from .coords import CoordinateSystem

# Tile URL templates of the public providers (the same as leaflet.chinatmsproviders', MIT).
# 天地图 is in CGCS2000, which agrees with WGS-84 to centimetres: no shift.  高德 and 腾讯 draw in
# GCJ-02, so basemap.js shifts their tiles onto the WGS-84 data.
PROVIDERS: dict[str, dict] = {
    "tianditu": {
        "layers": ["https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&X={x}&Y={y}&L={z}&tk={key}",
                   "https://t{s}.tianditu.gov.cn/DataServer?T=cva_w&X={x}&Y={y}&L={z}&tk={key}"],
        "subdomains": "01234567", "crs": CoordinateSystem.WGS84, "max_native_zoom": 18,
        "attribution": "© 天地图 国家地理信息公共服务平台",
    },
    "gaode": {
        "layers": ["https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"],
        "subdomains": "1234", "crs": CoordinateSystem.GCJ02, "max_native_zoom": 18, "attribution": "© 高德地图",
    },
    "tencent": {
        "layers": ["https://rt{s}.map.gtimg.com/tile?z={z}&x={x}&y={-y}&type=vector&styleid=3"],
        "subdomains": "0123", "crs": CoordinateSystem.GCJ02, "max_native_zoom": 18, "attribution": "© 腾讯地图",
    },
}
# The land colour of render_basemap's tiles, shown beyond the archive's edge instead of Leaflet's grey.
LOCAL_BACKGROUND = "#f6f4f0"
CHOICES = ("local", "none", "xyz", *PROVIDERS)


@lru_cache(maxsize=8)
def _archive_info(path: str, mtime: float) -> archive.ArchiveInfo | None:
    """Keyed by modification time, so a re-rendered archive is read again without a restart."""
    return archive.read_info(Path(path))


def local_archive_info() -> archive.ArchiveInfo | None:
    path: Path = settings.MINSHENG_TILES
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    return _archive_info(str(path), mtime)


def basemap_config() -> dict:
    """{"layers": [...], "attribution": str}: the tile layers, bottom first.  No layers means the
    maps show only their own shapes on grey (MINSHENG_BASEMAP=none, or no local archive yet)."""
    kind = settings.MINSHENG_BASEMAP
    max_zoom = settings.MINSHENG_BASEMAP_MAX_ZOOM
    if kind == "none":
        return {"layers": [], "attribution": ""}
    if kind == "local":
        info = local_archive_info()
        if info is None:
            return {"layers": [], "attribution": ""}
        url = reverse("maps:tile", kwargs={"z": 0, "x": 0, "y": 0}).replace("/0/0/0.png", "/{z}/{x}/{y}.png")
        layer = {"url": url, "crs": CoordinateSystem.WGS84.value, "minZoom": 0, "maxZoom": max(max_zoom, info.max_zoom),
                 "minNativeZoom": info.min_zoom, "maxNativeZoom": info.max_zoom}
        if info.bounds:  # Leaflet then asks only for tiles the archive can have
            west, south, east, north = info.bounds
            layer["bounds"] = [[south, west], [north, east]]
        return {"layers": [layer], "attribution": info.attribution or _("底图：本系统生成"),
                "background": LOCAL_BACKGROUND}
    if kind == "xyz":
        if not settings.MINSHENG_BASEMAP_URL:
            raise ImproperlyConfigured("MINSHENG_BASEMAP=xyz needs MINSHENG_BASEMAP_URL (a {z}/{x}/{y} template)")
        crs = _crs(settings.MINSHENG_BASEMAP_CRS)
        return {"layers": [_remote(settings.MINSHENG_BASEMAP_URL, settings.MINSHENG_BASEMAP_SUBDOMAINS, crs,
                                   max_zoom, max_zoom)],
                "attribution": settings.MINSHENG_BASEMAP_ATTRIBUTION}
    if kind not in PROVIDERS:
        raise ImproperlyConfigured(f"MINSHENG_BASEMAP={kind!r}: choose one of {', '.join(CHOICES)}")
    provider = PROVIDERS[kind]
    key = ""
    if kind == "tianditu":
        key = settings.MINSHENG_TIANDITU_KEY
        if not key:
            raise ImproperlyConfigured("MINSHENG_BASEMAP=tianditu needs MINSHENG_TIANDITU_KEY (天地图 key)")
    layers = [_remote(url.replace("{key}", key), provider["subdomains"], provider["crs"], max_zoom,
                      provider["max_native_zoom"]) for url in provider["layers"]]
    return {"layers": layers, "attribution": settings.MINSHENG_BASEMAP_ATTRIBUTION or provider["attribution"]}


def _crs(value: str) -> CoordinateSystem:
    if value not in (CoordinateSystem.WGS84, CoordinateSystem.GCJ02):
        raise ImproperlyConfigured(f"MINSHENG_BASEMAP_CRS={value!r}: tiles must be wgs84 or gcj02")
    return CoordinateSystem(value)


def _remote(url: str, subdomains: str, crs: CoordinateSystem, max_zoom: int, max_native_zoom: int) -> dict:
    layer = {"url": url, "crs": crs.value, "minZoom": 0, "maxZoom": max_zoom,
             "maxNativeZoom": min(max_zoom, max_native_zoom)}
    if subdomains:
        layer["subdomains"] = subdomains
    return layer
