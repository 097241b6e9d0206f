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

  function closeNav(except) {
    var toggle = document.querySelector(".nav-toggle[aria-expanded='true']");
    if (toggle && !(except && except.closest("#" + toggle.getAttribute("aria-controls")))) {
      setOpen(toggle, false);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".nav-toggle, .filter-toggle");
    if (button) {
      var open = button.getAttribute("aria-expanded") !== "true";
      setOpen(button, open);
      if (open && button.classList.contains("nav-toggle")) closeMenus(null);
      return;
    }
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      dismiss.closest(".flash").remove();
      return;
    }
    closeMenus(event.target.closest("details.user-menu"));
    // The folded menu floats over the page: a click anywhere else closes it.
    closeNav(event.target);
  });

  // The main links fold behind the Menu button when they do not fit on one line. How many
  // links there are depends on the user's roles, so no fixed breakpoint can decide this.
  var phone = window.matchMedia("(max-width: 720px)");

  function fitNav() {
    var topbar = document.querySelector(".topbar");
    var list = topbar && topbar.querySelector(".nav-list");
    if (!list) return;
    var compact = phone.matches;
    if (!compact) {
      topbar.classList.remove("is-compact");
      compact = list.scrollWidth > list.clientWidth + 1;
    }
    topbar.classList.toggle("is-compact", compact);
    if (!compact) closeNav(null);
  }

  // A table wider than its card scrolls sideways. Say so: a shadow on each edge that has
  // more columns beyond it, and a scroller that the keyboard can reach and that is named
  // after its table. The frame holds the shadows, which must not scroll with the table.
  function tableName(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var holder = wrap.closest("section, .card");
    var heading = holder && holder.querySelector("h2, h3");
    return heading ? heading.textContent.trim() : "Table";
  }

  function markScroll(wrap) {
    var frame = wrap.parentElement;
    // Measure the table as it lays out when it fits (captions may wrap then), so that a
    // table that scrolled on a narrow window stops scrolling once the window is wide.
    frame.classList.remove("is-scrollable");
    var room = wrap.scrollWidth - wrap.clientWidth;
    var scrollable = room > 1;
    frame.classList.toggle("is-scrollable", scrollable);
    frame.classList.toggle("is-scrolled", scrollable && wrap.scrollLeft > 1);
    frame.classList.toggle("has-more", scrollable && wrap.scrollLeft < room - 1);
    var stuck = wrap.querySelector("tbody th[scope='row']:first-child");
    frame.style.setProperty("--stuck-width", scrollable && stuck ? stuck.offsetWidth + "px" : "0px");
    if (scrollable && !wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", tableName(wrap) + " (scrolls sideways)");
      wrap.dataset.scrollMarked = "";
    } else if (!scrollable && "scrollMarked" in wrap.dataset) {
      ["tabindex", "role", "aria-label", "data-scroll-marked"].forEach(function (name) {
        wrap.removeAttribute(name);
      });
    }
  }

  var resized = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.target.classList.contains("scroll-x")) markEdges(entry.target);
      else markScroll(entry.target);
    });
  }) : null;

  function nudge(direction, path) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "table-nudge table-nudge-" + direction;
    button.tabIndex = -1;
    button.setAttribute("aria-hidden", "true");
    button.title = direction === "next" ? "More columns" : "Back to the first columns";
    button.innerHTML = '<svg viewBox="0 0 24 24" focusable="false"><path d="' + path + '"/></svg>';
    return button;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".table-nudge");
    if (!button) return;
    var wrap = button.parentElement.querySelector(".table-wrap");
    var step = Math.max(wrap.clientWidth * 0.7, 120);
    wrap.scrollBy({ left: button.classList.contains("table-nudge-next") ? step : -step, behavior: "smooth" });
  });

  function frameTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (!wrap.parentElement.classList.contains("table-frame")) {
        var frame = document.createElement("div");
        frame.className = "table-frame";
        wrap.parentNode.insertBefore(frame, wrap);
        frame.appendChild(wrap);
        // Arrows for a mouse without a sideways wheel; keyboard users scroll the focused
        // table with the arrow keys, so these stay out of the tab order.
        frame.appendChild(nudge("prev", "M15 6l-6 6 6 6"));
        frame.appendChild(nudge("next", "M9 6l6 6-6 6"));
        if (resized) resized.observe(wrap);
      }
      markScroll(wrap);
    });
  }

  // A row of tabs that scrolls sideways on a phone: the faded edge says there is more.
  function markEdges(row) {
    var room = row.scrollWidth - row.clientWidth;
    row.classList.toggle("is-scrolled", room > 1 && row.scrollLeft > 1);
    row.classList.toggle("has-more", room > 1 && row.scrollLeft < room - 1);
  }

  function watchRows() {
    document.querySelectorAll(".scroll-x").forEach(function (row) {
      if (!("edgesWatched" in row.dataset)) {
        row.dataset.edgesWatched = "";
        if (resized) resized.observe(row);
      }
      markEdges(row);
    });
  }

  // Scroll events do not bubble: listen in the capture phase for every scroller at once.
  document.addEventListener("scroll", function (event) {
    var target = event.target;
    if (!target.classList) return;
    if (target.classList.contains("table-wrap")) markScroll(target);
    else if (target.classList.contains("scroll-x")) markEdges(target);
  }, true);

  var pending = false;
  function relayout() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      fitNav();
      if (!resized) {
        frameTables();
        watchRows();
      }
    });
  }
  window.addEventListener("resize", relayout);

  function start() {
    fitNav();
    frameTables();
    watchRows();
    // Web fonts or a late style sheet change the links' widths: measure again.
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(relayout);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("load", relayout);

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

  // Where the keyboard was before a request, so that it is still there after the swap.
  // Recorded when the request starts: by the swap, the focused element may be gone.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var config = event.detail.requestConfig;
    var target = event.detail.target;
    var active = document.activeElement;
    if (!config) return;
    config.focusWas = target && active && active !== document.body && target.contains(active)
      ? describe(active) : null;
    config.flashesWere = Array.prototype.slice.call(document.querySelectorAll("#messages .flash"));
  });

  function describe(element) {
    return {
      id: element.id,
      name: element.getAttribute("name"),
      value: element.getAttribute("value"),
      // A button or tick box is one of several under its name: its value tells which.
      choice: element.matches("button, [type='checkbox'], [type='radio'], [type='submit']"),
      tag: element.tagName,
      text: (element.textContent || "").trim(),
      label: element.getAttribute("aria-label"),
      rel: element.getAttribute("rel"),
    };
  }

  // The element in `region` that stands where `was` stood: the same id; else the same
  // name (and value, for a button or a tick box among several); else the same kind of
  // link with the same rel (prev, next); else the same kind of control with the same words.
  function counterpart(region, was) {
    if (was.id) {
      var same = document.getElementById(was.id);
      if (same && region.contains(same)) return same;
    }
    var all = Array.prototype.slice.call(region.querySelectorAll(was.tag));
    var named = was.name ? all.filter(function (e) { return e.getAttribute("name") === was.name; }) : [];
    if (was.choice) {
      named = named.filter(function (e) { return e.getAttribute("value") === was.value; });
    }
    if (named.length) return named[0];
    if (was.name) return null;
    // A "previous"/"next" link keeps its place even when its words change with the page.
    if (was.rel) return region.querySelector(was.tag + "[rel='" + was.rel + "']");
    return all.filter(function (e) {
      return (e.textContent || "").trim() === was.text && e.getAttribute("aria-label") === was.label;
    })[0] || null;
  }

  function focusable(element) {
    return element && !element.disabled && !element.closest("[hidden], [inert]") &&
      element.getClientRects().length > 0;
  }

  function focusOn(element) {
    if (!element.matches("a[href], button, input, select, textarea, summary, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  // After a swap, focus stays where the user was. An action (a POST: a stage move, a won
  // deal) that wrote a result message puts focus on it, so keyboard and screen-reader
  // users hear what happened. Otherwise focus goes to the same control in the new content,
  // else to the result message inside the swapped region, else to the region itself.
  function focusKeep(event) {
    var config = event.detail.requestConfig;
    if (!config || config.focusDone) return;
    var fresh = Array.prototype.slice.call(document.querySelectorAll("#messages .flash"))
      .filter(function (flash) { return (config.flashesWere || []).indexOf(flash) < 0; })[0];
    if (fresh && String(config.verb).toLowerCase() === "post") {
      config.focusDone = true;
      return focusOn(fresh);
    }
    if (!config.focusWas) return;
    config.focusDone = true;
    var active = document.activeElement;
    // htmx kept it itself (an element with an id), or the user has moved on.
    if (active && active !== document.body && document.contains(active)) return;
    var target = event.detail.target;
    var region = target && target.id ? document.getElementById(target.id) : target;
    if (!region || !document.contains(region)) region = document.getElementById("main");
    var same = counterpart(region, config.focusWas);
    if (focusable(same)) return same.focus();
    var result = region.querySelector("[data-result], [role='status'], [role='alert'], .flash");
    focusOn(result && focusable(result) ? result : region);
  }

  // A region replaced by htmx is not read out by screen readers: an element that carries
  // data-announce says what changed through the layout's persistent live region.
  document.addEventListener("htmx:afterSettle", function (event) {
    // A swapped region may bring new tables (a few per page: rescanning all is cheap).
    frameTables();
    var target = event.detail.target;
    var swapped = target && target.id ? document.getElementById(target.id) : null;
    var status = document.getElementById("live-status");
    if (swapped && swapped.dataset.announce && status) status.textContent = swapped.dataset.announce;
    focusKeep(event);
  });

  // Behaviour declared in the markup (inline handlers are refused by the page's
  // Content-Security-Policy): data-confirm asks before a form is sent, data-copy copies
  // the value of the element it names, data-select-all selects a field's whole text when
  // it gets focus or a click (a key or snippet to copy).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var source = document.getElementById(copy.getAttribute("data-copy"));
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.value).then(function () {
          copy.textContent = "Copied";
        });
      }
      return;
    }
    var field = event.target.closest("[data-select-all]");
    if (field) field.select();
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-select-all]")) event.target.select();
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
