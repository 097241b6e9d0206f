// Find anything: the header search box as a combobox over the live results htmx loads
// into its listbox (templates/search/_suggestions.html). Without this file the box is a
// plain form that opens the results page.
(function () {
  "use strict";

  var input = document.getElementById("site-search-input");
  var popup = document.getElementById("site-search-listbox");
  if (!input || !popup) return;
  var active = -1;

  function options() {
    return Array.prototype.slice.call(popup.querySelectorAll("a[role='option']"));
  }

  function setActive(index) {
    var all = options();
    all.forEach(function (option) { option.setAttribute("aria-selected", "false"); });
    active = all.length ? (index + all.length) % all.length : -1;
    if (active < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    all[active].setAttribute("aria-selected", "true");
    all[active].scrollIntoView({ block: "nearest" });
    input.setAttribute("aria-activedescendant", all[active].id);
  }

  function open() {
    if (!popup.textContent.trim()) return close();
    popup.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    popup.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  // A keyboard shortcut must not steal a key someone is typing into a field.
  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  document.addEventListener("keydown", function (event) {
    var commandK = (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k";
    var slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target);
    if (commandK || slash) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (popup.hidden) open();
      if (popup.hidden) return;
      event.preventDefault();
      setActive(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Escape") {
      if (!popup.hidden) {
        event.preventDefault();
        close();
      }
    } else if (event.key === "Enter" && !popup.hidden && active >= 0) {
      event.preventDefault();
      window.location.assign(options()[active].href);
    }
  });

  // htmx filled the listbox: show it (or hide it when the text was too short).
  popup.addEventListener("htmx:afterSwap", function () {
    setActive(-1);
    if (document.activeElement === input) open();
    else close();
  });
  input.addEventListener("focus", open);
  input.addEventListener("input", function () {
    if (!input.value.trim()) {
      popup.innerHTML = "";
      close();
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".site-search")) close();
  });
  popup.addEventListener("mousedown", function (event) {
    // Keep focus in the box while a result is clicked.
    if (event.target.closest("a[role='option']")) event.preventDefault();
  });
})();
