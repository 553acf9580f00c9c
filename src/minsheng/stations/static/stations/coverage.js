// The coverage map: stations with their walking circle, buildings outside every circle in red.
(function () {
  "use strict";
  function init() {
    const el = document.getElementById("coverage-map");
    const source = document.getElementById("coverage-data");
    if (!el || !source || typeof L === "undefined") return;
    const data = JSON.parse(source.textContent);
    const map = MinshengBasemap.map(el);
    const bounds = [];
    data.stations.forEach(function (s) {
      L.circle([s.lat, s.lng], {radius: data.radius, color: "#15803d", weight: 1, fillOpacity: 0.08}).addTo(map);
      L.circleMarker([s.lat, s.lng], {radius: 4, color: "#15803d", fillOpacity: 1}).bindTooltip(document.createTextNode(s.name + "（" + s.tier + "）")).addTo(map);
      bounds.push([s.lat, s.lng]);
    });
    data.gaps.forEach(function (g) {
      L.circleMarker([g.lat, g.lng], {radius: 5, color: "#b22222", fillColor: "#ef4444", fillOpacity: 0.9, className: "coverage-gap"})
        .bindTooltip(document.createTextNode(g.name + " · " + g.minutes + " min")).addTo(map);
      bounds.push([g.lat, g.lng]);
    });
    if (!bounds.length) { map.setView([0, 0], 2); return; }
    // Widen by one circle's radius, so that a lone station shows with its whole circle.
    const lats = bounds.map(function (b) { return b[0]; }), lngs = bounds.map(function (b) { return b[1]; });
    const padLat = data.radius / 111195;
    const padLng = padLat / Math.cos(Math.max.apply(null, lats.map(Math.abs)) * Math.PI / 180);
    map.fitBounds([[Math.min.apply(null, lats) - padLat, Math.min.apply(null, lngs) - padLng],
                   [Math.max.apply(null, lats) + padLat, Math.max.apply(null, lngs) + padLng]], {padding: [10, 10]});
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
