// The large screen: the clock (the server's time, kept by the offset measured at load), the
// rotating panels, the map of open demands (Leaflet on the configured basemap) and the 30-day
// curve (ECharts).  The figures and lists come back from the server every minute through htmx
// (#screen-live); the map and the curve are redrawn from the JSON that comes with them.
(function () {
  "use strict";
  let map = null, pins = null, chart = null, panel = 0, fitted = false;

  function data() {
    const el = document.getElementById("screen-data");
    return el ? JSON.parse(el.textContent) : {trend: {labels: []}, points: []};
  }

  function startClock() {
    const el = document.getElementById("screen-clock"), day = document.getElementById("screen-date");
    const offset = new Date(el.dataset.now).getTime() - Date.now();
    const lang = document.documentElement.lang || "zh-Hans";
    const tick = () => {
      const now = new Date(Date.now() + offset);
      el.textContent = now.toLocaleTimeString(lang, {hour12: false});
      day.textContent = now.toLocaleDateString(lang, {year: "numeric", month: "2-digit", day: "2-digit", weekday: "long"});
    };
    tick();
    setInterval(tick, 1000);
  }

  function showPanel() {
    const panels = document.querySelectorAll("[data-panel]"), dots = document.querySelectorAll(".screen-dots i");
    panels.forEach((p, i) => { p.hidden = i !== panel % panels.length; });
    dots.forEach((d, i) => d.classList.toggle("on", i === panel % panels.length));
  }

  function drawPins() {
    if (!map) return;
    const points = data().points;
    if (pins) pins.remove();
    pins = L.layerGroup(points.map(p => L.circleMarker([p.lat, p.lng], {
      radius: p.overdue ? 7 : 5, weight: 1, color: "#fff",
      fillColor: p.overdue ? "#dc2626" : "#f59e0b", fillOpacity: 0.9,
    }).bindTooltip(document.createTextNode(p.label)))).addTo(map);
    if (!fitted && points.length) map.fitBounds(L.latLngBounds(points.map(p => [p.lat, p.lng])).pad(0.1));
  }

  function drawTrend() {
    if (!chart) return;
    const t = data().trend;
    chart.setOption({
      textStyle: {fontSize: 16, color: "#cbd5e1"}, tooltip: {trigger: "axis"},
      legend: {top: 0, textStyle: {fontSize: 16, color: "#e2e8f0"}},
      grid: {left: 50, right: 20, top: 36, bottom: 30},
      xAxis: {type: "category", data: t.labels, axisLabel: {color: "#cbd5e1"}},
      yAxis: {type: "value", minInterval: 1, axisLabel: {color: "#cbd5e1"}, splitLine: {lineStyle: {color: "#1e3a5f"}}},
      series: [
        {name: t.names.registered, type: "line", smooth: true, color: "#38bdf8", areaStyle: {opacity: 0.15},
         data: t.registered},
        {name: t.names.resolved, type: "line", smooth: true, color: "#4ade80", data: t.resolved},
      ],
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    startClock();
    showPanel();
    const seconds = Number(document.body.dataset.rotate) || 15;
    setInterval(() => { panel += 1; showPanel(); }, seconds * 1000);
    const box = document.getElementById("screen-map");
    if (window.L && window.MinshengBasemap && box) {
      map = MinshengBasemap.map(box, {zoomControl: false});
      fetch(box.dataset.geojson).then(r => r.json()).then(geo => {
        const grids = L.geoJSON(geo, {style: {color: "#94a3b8", weight: 1, fillOpacity: 0.03}}).addTo(map);
        if (grids.getBounds().isValid()) { map.fitBounds(grids.getBounds()); fitted = true; }  // the district
      }).catch(() => {});
      drawPins();
    }
    if (window.echarts) {
      chart = echarts.init(document.getElementById("screen-trend"));
      drawTrend();
      window.addEventListener("resize", () => chart.resize());
    }
    document.body.addEventListener("htmx:afterSwap", () => { showPanel(); drawPins(); drawTrend(); });
  });
})();
