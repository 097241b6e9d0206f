/* The deal board (templates/sales/_deal_board.html): drag and drop with SortableJS, arrow
   keys on a focused card, the phone's one-column switcher, and the dialog that confirms a
   move into Won or Lost. Every move is one POST to the card's move URL through htmx; the
   server answers with the board redrawn, or with the confirmation for the dialog. */
(function () {
  "use strict";

  var current = null; // the column shown on a phone, kept across redraws
  var focusAfter = null; // the card to focus again after a keyboard move

  function board() { return document.getElementById("deal-board"); }

  function move(card, stageId) {
    var root = board();
    focusAfter = card.dataset.dealId;
    htmx.ajax("POST", card.dataset.moveUrl, {
      source: card,
      target: "#deal-board",
      swap: "outerHTML",
      values: {
        to_stage: stageId,
        owner: root.dataset.owner,
        team: root.dataset.team,
        period: root.dataset.period,
      }
    });
  }

  function columns(root) { return Array.prototype.slice.call(root.querySelectorAll(".deal-cards")); }

  function initSortable(root) {
    if (typeof Sortable === "undefined") { return; }
    columns(root).forEach(function (list) {
      Sortable.create(list, {
        group: "deals",
        draggable: ".is-movable",
        filter: "a, summary, select, button, input, label",
        preventOnFilter: false,
        animation: 120,
        onEnd: function (event) {
          if (event.from === event.to) { return; }
          // Put the card back: the server's answer redraws the board as it is.
          event.from.insertBefore(event.item, event.from.children[event.oldIndex] || null);
          move(event.item, event.to.dataset.stageId);
        }
      });
    });
  }

  function onKey(event) {
    var card = event.target;
    if (!card.classList || !card.classList.contains("deal-card")) { return; }
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") { return; }
    var lists = columns(board());
    var index = lists.indexOf(card.parentElement);
    var next = lists[index + (event.key === "ArrowRight" ? 1 : -1)];
    if (!next) { return; }
    event.preventDefault();
    current = next.closest(".deal-column").id;
    move(card, next.dataset.stageId);
  }

  function show(root, columnId) {
    var found = root.querySelector("#" + columnId);
    if (!found) { return; }
    current = columnId;
    root.querySelectorAll(".deal-column").forEach(function (column) {
      column.classList.toggle("is-current", column.id === columnId);
    });
    root.querySelectorAll(".deal-switch").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.column === columnId));
    });
  }

  function dialog() { return document.getElementById("deal-dialog"); }

  function initBoard(root) {
    initSortable(root);
    if (current) { show(root, current); }
    if (dialog() && dialog().open) { dialog().close(); }
  }

  // After the redraw has settled: the moved card keeps the keyboard focus.
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusAfter) { return; }
    var card = document.getElementById("deal-card-" + focusAfter);
    focusAfter = null;
    if (card) { card.focus(); }
  });

  document.addEventListener("keydown", onKey);
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".deal-switch");
    if (button) { show(board(), button.dataset.column); return; }
    if (event.target.closest("[data-dialog-close]") && dialog()) { dialog().close(); }
  });
  // A move menu's "Won"/"Lost" or a drop on them: the confirmation arrives for the dialog.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "deal-dialog-body" && dialog()) {
      if (!dialog().open) { dialog().showModal(); }
      var first = dialog().querySelector("input:not([type=hidden]), select");
      if (first) { first.focus(); }
    }
  });
  htmx.onLoad(function (element) {
    var root = element.id === "deal-board" ? element : element.querySelector && element.querySelector("#deal-board");
    if (root) { initBoard(root); }
  });
})();
