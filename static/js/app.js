// zonetracker page behaviour: no inline scripts (CSP), so everything hooks in from here.
(function () {
  "use strict";

  // Widths for progress bars come from data-width (inline style attributes are blocked by CSP).
  function applyWidths(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = el.getAttribute("data-width") + "%";
    });
  }

  // Charts: <canvas data-chart="id-of-json-script"> with the chart config in a json_script block.
  function drawCharts(root) {
    if (typeof Chart === "undefined") { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) { return; }
      var config = JSON.parse(source.textContent);
      config.options = config.options || {};
      config.options.maintainAspectRatio = false;
      var links = config.links || null;
      // Optional datasetLinks[datasetIndex][index]: a link per segment of a stacked bar.
      var datasetLinks = config.datasetLinks || null;
      if (links || datasetLinks) {
        config.options.onClick = function (event, elements) {
          if (!elements.length) { return; }
          var hit = elements[0];
          var target = (datasetLinks && datasetLinks[hit.datasetIndex] && datasetLinks[hit.datasetIndex][hit.index]) ||
            (links && links[hit.index]);
          if (target) {
            window.location.href = target;
          }
        };
        config.options.onHover = function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        };
      }
      delete config.links;
      delete config.datasetLinks;
      new Chart(canvas, config);
      canvas.dataset.drawn = "1";
    });
  }

  function init(root) {
    applyWidths(root);
    drawCharts(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
