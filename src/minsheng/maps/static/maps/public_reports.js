/* The public reports map: the page's pins (already rounded by the server, maps/public.py) as
 * coloured dots on the basemap, clustered by leaflet.markercluster when they crowd.  The popups are
 * built as text: nothing from the data is read as HTML. */
(function () {
  "use strict";

  const COLOURS = {open: "#b45309", resolved: "#15803d", closed: "#4b5563"};

  function popup(pin) {
    const box = document.createElement("div");
    [pin.category, pin.state + " · " + pin.date, pin.area].forEach(function (text, i) {
      const line = document.createElement(i === 0 ? "strong" : "div");
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  function reportsMap(el) {
    const pins = JSON.parse(document.getElementById(el.dataset.reportsMap).textContent);
    // Clustering needs the map's deepest zoom, which a map with no tile layer (no archive yet) lacks.
    const layers = window.MinshengBasemap.config().layers;
    const maxZoom = layers.length ? Math.max.apply(null, layers.map(function (l) { return l.maxZoom; })) : 18;
    const m = window.MinshengBasemap.map(el, {maxZoom: maxZoom});
    const layer = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 40});
    pins.forEach(function (pin) {
      L.circleMarker([pin.lat, pin.lng], {radius: 8, weight: 2, color: "#fff", fillOpacity: 0.95,
                                          fillColor: COLOURS[pin.group] || COLOURS.closed, keyboard: false})
        .bindPopup(popup(pin)).addTo(layer);
    });
    m.addLayer(layer);
    if (pins.length) {
      m.fitBounds(layer.getBounds(), {padding: [24, 24], maxZoom: 16});
      return;
    }
    // Nothing to show: the district's grids, so that the map still says where it is.
    fetch(el.dataset.geojson, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      const grids = L.geoJSON(data, {style: {color: "#64748b", weight: 1, fillOpacity: 0.05}}).addTo(m);
      const tiles = window.MinshengBasemap.config().layers.filter(function (l) { return l.bounds; })[0];
      if (grids.getLayers().length) m.fitBounds(grids.getBounds());
      else if (tiles) m.fitBounds(tiles.bounds);
      else m.setView([35, 105], 4);  // nothing configured at all: China
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-reports-map]").forEach(reportsMap);
  });
})();
