// The product chart: production by month, next month's forecast (dashed, and marked as such
// in the legend and tooltip, so colour is never the only sign) and, chosen in the legend, each
// month as first published (dotted: the vintage overlay) and, on the series page, the
// vintages the reader chose, on ECharts served from
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
    var drawn = function (key) { return !data.series || data.series.indexOf(key) >= 0; };
    var inUnit = { valueFormatter: function (v) { return v == null ? "—" : fmt.format(v) + " " + data.unit; } };
    var inPercent = { valueFormatter: function (v) { return v == null ? "—" : fmt.format(v) + "%"; } };
    // the vintages the reader chose (the series page): each as the series stood at that
    // release, drawn from the start, each with its own colour (Paul Tol's colour-blind-safe
    // set), marker and dash, so colour is never the only sign
    var looks = [["#117733", "triangle", [6, 3]], ["#882255", "roundRect", [2, 2]], ["#332288", "pin", [8, 3, 2, 3]],
                 ["#AA4499", "arrow", [4, 4]], ["#999933", "circle", [1, 3]]];
    var overlays = drawn("vintages") ? (data.vintages || []).map(function (v, i) {
      var look = looks[i % looks.length];
      return { key: "vintage", vintage: v.id, name: v.name, type: "line", data: v.data, symbol: look[1], symbolSize: 8,
               lineStyle: { width: 1.5, type: look[2], color: look[0] }, itemStyle: { color: look[0] }, tooltip: inUnit };
    }) : [];
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      textStyle: { fontFamily: font },
      animation: !window.matchMedia("(prefers-reduced-motion: reduce)").matches,
      grid: { left: 8, right: 16, top: 50, bottom: 60, containLabel: true },
      legend: { top: 0, type: "scroll", selected: (function () { var s = {}; s[data.names.first] = false; s[data.names.yoy] = false; return s; })() },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", axisLabel: { formatter: label } },
      yAxis: [
        { type: "value", name: data.unit, scale: true, axisLabel: { formatter: function (v) { return fmt.format(v); } } },
        { type: "value", name: "%", scale: true, splitLine: { show: false }, axisLabel: { formatter: function (v) { return fmt.format(v); } } }
      ].slice(0, drawn("yoy") ? 2 : 1),
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8, labelFormatter: function (i, v) { return label(v); } }],
      series: [
        { key: "actual", name: data.names.actual, type: "line", data: data.actual, symbol: "circle", symbolSize: 6,
          lineStyle: { width: 2.5, color: "#0b5394" }, itemStyle: { color: "#0b5394" }, tooltip: inUnit },
        { key: "forecast", name: data.names.forecast, type: "line", data: data.forecast, symbol: "diamond", symbolSize: 9,
          lineStyle: { width: 2.5, type: "dashed", color: "#c55a11" }, itemStyle: { color: "#c55a11" }, tooltip: inUnit },
        // the vintage overlay, off until chosen in the legend: dotted, hollow squares
        { key: "first", name: data.names.first, type: "line", data: data.first, symbol: "emptyRect", symbolSize: 7,
          lineStyle: { width: 1.5, type: "dotted", color: "#555555" }, itemStyle: { color: "#555555" }, tooltip: inUnit },
        // YoY on demand, on the right axis: bars, so it cannot be read as a level
        { key: "yoy", name: data.names.yoy, type: "bar", yAxisIndex: 1, data: data.yoy, barMaxWidth: 14,
          itemStyle: { color: "rgba(11, 83, 148, 0.35)", borderColor: "#0b5394" }, tooltip: inPercent }
      ].filter(function (s) { return drawn(s.key); }).concat(overlays)
    });
    window.addEventListener("resize", function () { chart.resize(); });
    window.metalstatCharts[el.id] = chart;
  });
})();
