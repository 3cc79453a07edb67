// Draw every element with data-chart="<json_script id>" as an ECharts bar chart.
(function () {
  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series,
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
