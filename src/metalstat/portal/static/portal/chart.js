// The product chart: production by month and next month's forecast (dashed, and marked as
// such in the legend and tooltip, so colour is never the only sign), on ECharts served from
// this site. window.metalstatCharts keeps each chart by its element id (the browser tests
// read the points from it).
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  window.metalstatCharts = window.metalstatCharts || {};
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var data = JSON.parse(document.getElementById(el.dataset.chart).textContent);
    var lang = document.documentElement.lang || "en";
    var font = lang.indexOf("zh") === 0 ? "Noto Sans CJK SC, Noto Sans SC, sans-serif" : "system-ui, sans-serif";
    var fmt = new Intl.NumberFormat(lang, { maximumFractionDigits: data.decimals });
    var label = function (m) { return data.labels[m] || m; };
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      textStyle: { fontFamily: font },
      animation: !window.matchMedia("(prefers-reduced-motion: reduce)").matches,
      grid: { left: 8, right: 16, top: 40, bottom: 60, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : fmt.format(v) + " " + data.unit; } },
      xAxis: { type: "category", axisLabel: { formatter: label } },
      yAxis: { type: "value", name: data.unit, scale: true, axisLabel: { formatter: function (v) { return fmt.format(v); } } },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8, labelFormatter: function (i, v) { return label(v); } }],
      series: [
        { name: data.names.actual, type: "line", data: data.actual, symbol: "circle", symbolSize: 6,
          lineStyle: { width: 2.5, color: "#0b5394" }, itemStyle: { color: "#0b5394" } },
        { name: data.names.forecast, type: "line", data: data.forecast, symbol: "diamond", symbolSize: 9,
          lineStyle: { width: 2.5, type: "dashed", color: "#c55a11" }, itemStyle: { color: "#c55a11" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    window.metalstatCharts[el.id] = chart;
  });
})();
