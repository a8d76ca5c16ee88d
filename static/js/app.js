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
      if (links) {
        config.options.onClick = function (event, elements) {
          if (elements.length && links[elements[0].index]) {
            window.location.href = links[elements[0].index];
          }
        };
      }
      delete config.links;
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
