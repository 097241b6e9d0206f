// Bulk selection on the lead lists and the board (templates/lists/_bulk_bar.html). Without
// this file the form still works: tick rows, pick an action, submit. With it: a running
// count, a "this page" box (lists), a "select all in this column" box (board), "all
// matching" overriding the ticks, only the chosen action's fields.
(function () {
  "use strict";

  function form() { return document.getElementById("bulk-form"); }

  // The board's cards hold forms of their own, so their boxes sit outside the bulk form
  // and join it with form="bulk-form": look for them in the whole page.
  function picksIn(root) { return root.querySelectorAll("input.bulk-pick"); }

  function updateColumns() {
    document.querySelectorAll("input.bulk-column").forEach(function (box) {
      var column = document.getElementById(box.getAttribute("aria-controls"));
      var picks = column ? picksIn(column) : [];
      var ticked = Array.prototype.filter.call(picks, function (p) { return p.checked; }).length;
      box.checked = ticked > 0 && ticked === picks.length;
      box.indeterminate = ticked > 0 && ticked < picks.length;
    });
  }

  function update() {
    var f = form();
    if (!f) { return; }
    var picks = picksIn(document);
    var all = f.querySelector("#bulk-all");
    var page = f.querySelector("#bulk-page");
    var count = f.querySelector("#bulk-count");
    var everything = Boolean(all && all.checked);
    var ticked = 0;
    picks.forEach(function (box) {
      box.disabled = everything;
      if (box.checked) { ticked += 1; }
    });
    if (page) {
      page.checked = ticked > 0 && ticked === picks.length;
      page.indeterminate = ticked > 0 && ticked < picks.length;
      page.disabled = everything;
    }
    updateColumns();
    f.classList.toggle("has-selection", everything || ticked > 0);
    var noun = count.dataset.noun;
    if (everything) {
      count.textContent = "All " + count.dataset.total + " matching " + noun + "s selected.";
    } else if (ticked) {
      count.textContent = ticked + " " + noun + (ticked === 1 ? "" : "s") + " selected.";
    } else {
      count.textContent = count.dataset.hint || "Tick rows to act on them.";
    }
    var action = f.querySelector("select[name=action]").value;
    f.querySelectorAll("[data-bulk-for]").forEach(function (el) {
      var wanted = el.dataset.bulkFor.split(" ").indexOf(action) !== -1;
      el.classList.toggle("is-hidden", !wanted);
    });
  }

  document.addEventListener("change", function (event) {
    var f = form();
    var target = event.target;
    var column = target.classList.contains("bulk-column");
    if (!f || !(f.contains(target) || target.form === f || column)) { return; }
    if (target.id === "bulk-page") {
      picksIn(f).forEach(function (box) { box.checked = target.checked; });
    } else if (column) {
      var holder = document.getElementById(target.getAttribute("aria-controls"));
      if (holder) { picksIn(holder).forEach(function (box) { box.checked = target.checked; }); }
    }
    update();
  });
  // The results (and the bar with them) are swapped by htmx on every filter change.
  document.addEventListener("htmx:afterSettle", update);
  document.addEventListener("DOMContentLoaded", update);
  if (document.readyState !== "loading") { update(); }
})();

// "Save the current view": the filters change the URL without reloading the header, so
// take the filter from the address bar at the moment of saving.
document.addEventListener("submit", function (event) {
  "use strict";
  var form = event.target;
  if (!form.classList || !form.classList.contains("save-view")) { return; }
  var params = new URLSearchParams(window.location.search);
  ["cursor", "view", "page"].forEach(function (key) { params.delete(key); });
  form.querySelector("input[name=query]").value = params.toString();
});
