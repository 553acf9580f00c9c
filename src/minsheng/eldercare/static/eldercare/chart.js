// An elder's health chart (revealed values only; the page carries them as json_script): blood
// pressure with its normal band, heart rate, and blood sugar on a second axis; a reading outside
// its normal range is drawn as a larger red point.
(function () {
  "use strict";
  function points(list) {
    return list.map(function (p) {
      return p.out ? {value: [p.at, p.value], symbolSize: 11, itemStyle: {color: "#dc2626"}} : {value: [p.at, p.value]};
    });
  }
  function init() {
    var box = document.getElementById("health-chart");
    var data = JSON.parse(document.getElementById("health-data").textContent);
    if (!box || !window.echarts) { return; }
    var s = data.series, l = data.labels, u = data.units;
    var chart = echarts.init(box);
    var line = function (key, axis, color) {
      return {name: l[key] + " (" + u[key] + ")", type: "line", yAxisIndex: axis, data: points(s[key]),
              showSymbol: true, symbolSize: 6, itemStyle: {color: color}, lineStyle: {color: color}};
    };
    var systolic = line("systolic", 0, "#2563eb");
    systolic.markArea = {silent: true, itemStyle: {color: "rgba(37, 99, 235, 0.07)"},
                         data: [[{yAxis: data.normal.systolic[0]}, {yAxis: data.normal.systolic[1]}]]};
    var diastolic = line("diastolic", 0, "#0891b2");
    diastolic.markArea = {silent: true, itemStyle: {color: "rgba(8, 145, 178, 0.07)"},
                          data: [[{yAxis: data.normal.diastolic[0]}, {yAxis: data.normal.diastolic[1]}]]};
    chart.setOption({
      tooltip: {trigger: "axis"}, legend: {top: 0},
      grid: {left: 48, right: 56, top: 40, bottom: 40},
      xAxis: {type: "time"},
      yAxis: [{type: "value", name: "mmHg / " + u.heart_rate, min: 40},
              {type: "value", name: u.blood_sugar, min: 0, splitLine: {show: false}}],
      series: [systolic, diastolic, line("heart_rate", 0, "#7c3aed"), line("blood_sugar", 1, "#ea580c")]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
