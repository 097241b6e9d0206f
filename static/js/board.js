// The board on a phone: one column at a time, picked with the buttons above it
// (templates/sales/_board.html). The choice survives the board refreshing itself after
// an action (an htmx swap of #board), so the user stays in the column they were working.
(function () {
  "use strict";

  var current = null;

  function show(key) {
    var board = document.getElementById("board");
    if (!board) return;
    var columns = board.querySelectorAll(".board-column");
    if (!board.querySelector(".board-column[data-column='" + key + "']")) {
      key = columns.length ? columns[0].dataset.column : null;
    }
    current = key;
    columns.forEach(function (column) {
      column.classList.toggle("is-current", column.dataset.column === key);
    });
    board.querySelectorAll(".board-switch-button").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.column === key));
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".board-switch-button");
    if (!button) return;
    show(button.dataset.column);
    // Keep the chosen button in sight when the row of buttons scrolls sideways.
    button.scrollIntoView({ block: "nearest", inline: "nearest" });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (current) show(current);
    // A bulk action's answer lands above the board, far from the bar floating at the
    // foot of a phone's screen: bring it into view.
    var target = event.detail.target;
    if (target && target.id === "bulk-result") target.scrollIntoView({ block: "nearest" });
  });
})();
