// The dashboard's charts: ECharts for the trend and the category mix, Leaflet for the grid heat map
// (the grids' own boundaries on the configured basemap, maps/basemap.js).  All data comes from the page (json_script).
(function () {
  "use strict";
  function init() {
    var data = JSON.parse(document.getElementById("chart-data").textContent);
    var labels = data.labels;
    if (window.echarts) {
      var trend = echarts.init(document.getElementById("trend-chart"));
      var show = function (kind) {
        var t = data.trends[kind];
        trend.setOption({
          tooltip: {trigger: "axis"}, legend: {top: 0},
          grid: {left: 40, right: 40, top: 30, bottom: 30},
          xAxis: {type: "category", data: t.labels},
          yAxis: [{type: "value"}, {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}}],
          series: [
            {name: labels.registered, type: "bar", data: t.registered},
            {name: labels.resolved, type: "bar", data: t.resolved},
            {name: labels.satisfaction, type: "line", yAxisIndex: 1, data: t.satisfaction, connectNulls: true}
          ]
        }, true);
        document.querySelectorAll("[data-trend]").forEach(function (b) {
          b.setAttribute("aria-pressed", b.dataset.trend === kind ? "true" : "false");
        });
      };
      document.querySelectorAll("[data-trend]").forEach(function (b) {
        b.addEventListener("click", function () { show(b.dataset.trend); });
      });
      show("day");
      var pie = echarts.init(document.getElementById("category-chart"));
      pie.setOption({tooltip: {trigger: "item"},
                     series: [{type: "pie", radius: ["35%", "65%"], data: data.categories}]});
      window.addEventListener("resize", function () { trend.resize(); pie.resize(); });
    }
    var box = document.getElementById("heat-map");
    if (window.L && box) {
      var map = MinshengBasemap.map(box);
      var top = Math.max.apply(null, [1].concat(Object.values(data.grids)));
      fetch(box.dataset.geojson).then(function (r) { return r.json(); }).then(function (geo) {
        var layer = L.geoJSON(geo, {
          style: function (f) {
            var n = data.grids[f.properties.code] || 0;
            return {color: "#64748b", weight: 1, fillColor: "#dc2626", fillOpacity: n ? 0.08 + 0.5 * n / top : 0};
          },
          onEachFeature: function (f, l) {
            l.bindTooltip(document.createTextNode(f.properties.name + "：" + (data.grids[f.properties.code] || box.dataset.none)));
          }
        }).addTo(map);
        if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
      });
    }
  }
  document.addEventListener("DOMContentLoaded", init);
})();
