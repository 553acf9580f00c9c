/* The basemap under every map: one function, MinshengBasemap.map(element, options), makes a Leaflet
 * map with the tile layers the server configured (settings MINSHENG_BASEMAP…), read from the page's
 * <script id="basemap-config" type="application/json">.  By default the layer is the app's own
 * /tiles/ archive, so no page loads anything from another host.
 *
 * The data (grids, pins, routes) is WGS-84.  高德 and 腾讯 draw their tiles in GCJ-02, whose offset
 * from WGS-84 is a few hundred metres and varies slowly; their layer is drawn shifted by the offset
 * at the map's centre (PRCoords.wgs_gcj, vendored, CC0), so the data sits on the right street.
 * One offset for the whole view is off by about 3 m at the edges of a street-level view and
 * 10–25 m at the edges of a whole district, about a pixel there (docs/architecture.md, Basemap).
 */
(function () {
  "use strict";

  function config() {
    const el = document.getElementById("basemap-config");
    return el ? JSON.parse(el.textContent) : {layers: [], attribution: ""};
  }

  function toGcj(latlng) {
    const p = window.PRCoords.wgs_gcj({lat: latlng.lat, lon: latlng.lng}, true);
    return L.latLng(p.lat, p.lon);
  }

  // Leaflet places a tile level from the map's centre (_setZoomTransform) and picks the tiles to
  // load around it (_getTiledPixelBounds); giving both the centre's GCJ-02 position shifts the layer.
  const GcjTileLayer = L.TileLayer.extend({
    _setZoomTransform: function (level, center, zoom) {
      return L.TileLayer.prototype._setZoomTransform.call(this, level, toGcj(center), zoom);
    },
    _getTiledPixelBounds: function (center) {
      return L.TileLayer.prototype._getTiledPixelBounds.call(this, toGcj(center));
    }
  });

  function tileLayer(spec) {
    const options = {minZoom: spec.minZoom, maxZoom: spec.maxZoom, maxNativeZoom: spec.maxNativeZoom,
                     minNativeZoom: spec.minNativeZoom, subdomains: spec.subdomains || "abc",
                     bounds: spec.bounds ? L.latLngBounds(spec.bounds) : undefined,
                     className: "basemap-tiles"};
    return spec.crs === "gcj02" ? new GcjTileLayer(spec.url, options) : L.tileLayer(spec.url, options);
  }

  /* A Leaflet map on `element` with the configured basemap under it.  `options` go to L.map. */
  function map(element, options) {
    const cfg = config();
    // Quarter zoom steps: a district fitted into a small box is shown as large as fits, not up to
    // half the size (the tiles are scaled by at most a fifth between their levels).
    const m = L.map(element, Object.assign({attributionControl: false, zoomSnap: 0.25}, options || {}));
    cfg.layers.forEach(function (spec) { tileLayer(spec).addTo(m); });
    if (cfg.layers.length && cfg.attribution) {  // Leaflet takes HTML: the setting is shown as text
      const text = document.createElement("span");
      text.textContent = cfg.attribution;
      L.control.attribution({prefix: false}).addAttribution(text.innerHTML).addTo(m);
    }
    if (cfg.layers.length) element.classList.add("has-basemap");
    if (cfg.background) element.style.background = cfg.background;  // the archive's land beyond its edge
    return m;
  }

  // Pages with one place or one track need no script of their own: the element says what to show.
  function pointMap(el) {
    const [lat, lng] = el.dataset.basemapPoint.split(",").map(Number);
    const m = map(el);
    L.marker([lat, lng], {keyboard: false}).addTo(m);
    m.setView([lat, lng], 16);
    // Other places around it (the open demands nearby): small circles, each a link with its title.
    const source = el.dataset.basemapNearby && document.getElementById(el.dataset.basemapNearby);
    if (!source) return;
    const places = JSON.parse(source.textContent);
    const bounds = L.latLngBounds([[lat, lng]]);
    places.forEach(function (p) {
      const circle = L.circleMarker([p.lat, p.lng], {radius: 7, color: "#b45309", weight: 2, fillColor: "#f59e0b",
                                                     fillOpacity: 0.8}).addTo(m);
      circle.bindTooltip(document.createTextNode(p.label));  // text, never HTML: titles come from residents
      if (p.url) circle.on("click", function () { window.location.href = p.url; });
      bounds.extend([p.lat, p.lng]);
    });
    if (places.length) m.fitBounds(bounds, {padding: [24, 24], maxZoom: 17});
  }

  function trackMap(el) {
    const source = document.getElementById(el.dataset.basemapTrack);
    const points = JSON.parse(source.textContent).map(function (p) { return [p[0], p[1]]; });
    const m = map(el);
    const line = L.polyline(points, {color: "#1d4ed8", weight: 4, opacity: 0.8}).addTo(m);
    L.circleMarker(points[points.length - 1], {radius: 6, color: "#1d4ed8", fillOpacity: 1}).addTo(m);
    if (points.length > 1) m.fitBounds(line.getBounds(), {padding: [20, 20], maxZoom: 17});
    else m.setView(points[0], 16);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-basemap-point]").forEach(pointMap);
    document.querySelectorAll("[data-basemap-track]").forEach(trackMap);
  });

  window.MinshengBasemap = {map: map, config: config, toGcj: toGcj};
})();
