// Small progressive enhancements for the layout. Every page works without this file:
// the CSS shows the navigation and all filters when the `js` class is absent.
(function () {
  "use strict";

  // A disclosure button: aria-expanded on the button, .is-open on what it controls.
  function setOpen(button, open) {
    button.setAttribute("aria-expanded", String(open));
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (target) target.classList.toggle("is-open", open);
  }

  function closeMenus(except) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".nav-toggle, .filter-toggle");
    if (button) {
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
      return;
    }
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      dismiss.closest(".flash").remove();
      return;
    }
    closeMenus(event.target.closest("details.user-menu"));
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = document.querySelector("details.user-menu[open]");
    if (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
      return;
    }
    var nav = document.querySelector(".nav-toggle[aria-expanded='true']");
    if (nav) {
      setOpen(nav, false);
      nav.focus();
    }
  });

  // A region replaced by htmx is not read out by screen readers: an element that carries
  // data-announce says what changed through the layout's persistent live region.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var swapped = target && target.id ? document.getElementById(target.id) : null;
    var status = document.getElementById("live-status");
    if (swapped && swapped.dataset.announce && status) status.textContent = swapped.dataset.announce;
  });

  // Keep empty filters out of the URL that htmx pushes to the address bar.
  document.addEventListener("htmx:configRequest", function (event) {
    var params = event.detail.parameters;
    if (event.detail.verb !== "get" || !params || typeof params.keys !== "function") return;
    Array.from(params.keys()).forEach(function (key) {
      var values = params.getAll(key);
      if (values.every(function (value) { return value === ""; })) params.delete(key);
    });
  });
})();
