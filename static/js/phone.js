// Tables as cards on a phone (static/css/phone.css), and rows of tabs scrolled to the
// current one. Each cell gets its column's header as data-label, and the cell that names
// the row becomes the card's title. The markup stays one table for screen readers and
// laptops; only the phone's CSS reads the marks. Lists with their own stacked layout
// (table-stack) are left alone.
(function () {
  "use strict";

  function headerLabels(table) {
    var row = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    var labels = [];
    if (!row) return labels;
    Array.prototype.forEach.call(row.cells, function (cell) {
      var text = (cell.getAttribute("data-label") || cell.textContent || "").replace(/\s+/g, " ").trim();
      for (var span = cell.colSpan || 1; span > 0; span -= 1) labels.push(text);
    });
    return labels;
  }

  function markTable(table) {
    if (table.classList.contains("table-stack") || table.dataset.cards === "done") return;
    var labels = headerLabels(table);
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr, tfoot tr"), function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell, index) {
        var span = cell.colSpan || 1;
        // A row header, or a first cell holding the row's link, names the row.
        var names = (cell.tagName === "TH" && cell.getAttribute("scope") === "row") ||
          (index === 0 && cell.querySelector(".row-title") !== null);
        if (names || (index === 0 && !labels[0])) {
          cell.classList.add("card-title");
        } else if (span === 1 && labels[column] && !cell.hasAttribute("data-label") &&
                   cell.textContent.replace(/\s+/g, " ").trim() !== labels[column]) {
          // (A label that only repeats the cell, a "Delete" button under "Delete", is noise.)
          cell.setAttribute("data-label", labels[column]);
        }
        column += span;
      });
    });
    table.classList.add("table-cards");
    table.dataset.cards = "done";
  }

  // A row of tabs that scrolls sideways starts scrolled to the current tab, which would
  // otherwise sit out of sight past the edge (scrollLeft: the page itself must not move).
  function showCurrentTab(row) {
    var current = row.querySelector("[aria-current='page'], [aria-pressed='true']");
    if (!current || row.scrollWidth <= row.clientWidth) return;
    var left = current.getBoundingClientRect().left - row.getBoundingClientRect().left + row.scrollLeft;
    if (left < row.scrollLeft || left + current.offsetWidth > row.scrollLeft + row.clientWidth) {
      row.scrollLeft = Math.max(0, left - 16);
    }
  }

  function markAll() {
    document.querySelectorAll("table.table").forEach(markTable);
    document.querySelectorAll(".scroll-x").forEach(showCurrentTab);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markAll);
  } else {
    markAll();
  }
  // A region swapped by htmx may bring new tables.
  document.addEventListener("htmx:afterSettle", markAll);
})();
