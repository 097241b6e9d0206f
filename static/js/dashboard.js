// Draws each dashboard chart from the plotly.js spec the page embeds with json_script.
// Without JavaScript (or plotly) the tables beside every chart carry the same figures.
(function () {
  "use strict";

  function draw() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-chart"));
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var empty = spec.data.every(function (trace) {
        return !(trace.x || []).length && !(trace.y || []).length;
      });
      if (empty) {
        element.classList.add("is-empty");
        return;
      }
      // The chart's box is a labelled group (not role="img"): plotly's toolbar inside it
      // holds real buttons, which an image may not contain.
      window.Plotly.newPlot(element, spec.data, spec.layout, {
        displaylogo: false,
        responsive: true,
        showSendToCloud: false,
        showEditInChartStudio: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "sendDataToCloud"],
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
