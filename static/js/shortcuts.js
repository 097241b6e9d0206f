// Keyboard shortcuts (listed in templates/funnel/_shortcuts.html): "?" opens the list in a
// modal <dialog> (the browser keeps focus inside it and closes it on Esc; focus then goes
// back where it was), "g" then a letter opens a page of the main navigation. `/` and
// Ctrl/Cmd-K belong to the header search (search.js). Keys typed into a field are left alone.
(function () {
  "use strict";

  var dialog = document.getElementById("shortcuts-dialog");
  var GO_WAIT_MS = 1500;
  var goPending = null;
  var opener = null;

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  function openList(from) {
    if (!dialog || dialog.open) return;
    opener = from || document.activeElement;
    dialog.showModal();
  }

  if (dialog) {
    // A modal dialog makes the page inert, but Tab from its last control would still leave
    // for the browser's own toolbar: wrap around inside instead.
    dialog.addEventListener("keydown", function (event) {
      if (event.key !== "Tab") return;
      var stops = Array.prototype.slice.call(
        dialog.querySelectorAll("a[href], button:not([disabled]), input, select, textarea, [tabindex='0']")
      );
      if (!stops.length) return;
      var first = stops[0];
      var last = stops[stops.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    dialog.addEventListener("close", function () {
      if (opener && document.contains(opener) && typeof opener.focus === "function") opener.focus();
      opener = null;
    });
    // A click on the backdrop (outside the box) closes the list too.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-shortcuts-open]");
    if (!button) return;
    var menu = button.closest("details");
    if (menu) menu.removeAttribute("open");
    // Focus returns to the menu's summary: the button itself is hidden with its menu.
    openList(menu ? menu.querySelector("summary") : button);
  });

  function go(key) {
    var link = document.querySelector("#site-nav a[data-shortcut='" + key + "'], .user-menu a[data-shortcut='" + key + "']");
    if (link) window.location.assign(link.href);
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || (dialog && dialog.open && event.key !== "?")) return;
    if (goPending) {
      window.clearTimeout(goPending);
      goPending = null;
      if (/^[a-z]$/.test(event.key)) {
        event.preventDefault();
        go(event.key);
      }
      return;
    }
    if (event.key === "?") {
      event.preventDefault();
      if (dialog && dialog.open) dialog.close();
      else openList(null);
    } else if (event.key === "g") {
      goPending = window.setTimeout(function () { goPending = null; }, GO_WAIT_MS);
    }
  });
})();
