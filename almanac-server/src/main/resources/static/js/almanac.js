// Almanac admin UI: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  var localFormat = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short"
  });

  // Times are rendered in UTC by the server; show them in the reader's zone, keeping UTC in the tooltip.
  function localTimes(root) {
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var at = new Date(el.getAttribute("datetime"));
      if (isNaN(at.getTime())) { return; }
      if (!el.title) { el.title = el.textContent.trim(); }
      el.textContent = localFormat.format(at);
      el.removeAttribute("data-local");
    });
  }

  // A fragment holding a <dialog> (e.g. the delete confirmation) opens it as a modal.
  function openDialogs(root) {
    root.querySelectorAll("dialog[data-open]").forEach(function (dialog) {
      dialog.removeAttribute("data-open");
      if (typeof dialog.showModal === "function" && !dialog.open) { dialog.showModal(); }
      var focus = dialog.querySelector("[autofocus]") || dialog.querySelector("button");
      if (focus) { focus.focus(); }
    });
  }

  // Esc closes an open row menu and puts the focus back on its button, as it closes a dialog.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.open = false;
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) { summary.focus(); }
    });
  });

  document.addEventListener("click", function (event) {
    // One row menu open at a time; a click elsewhere closes it.
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.open = false; }
    });
    var dismiss = event.target.closest("[data-dismiss-alert]");
    if (dismiss) {
      var alert = dismiss.closest("[role=alert]");
      if (alert) { alert.remove(); }
      return;
    }
    var close = event.target.closest("[data-close-dialog]");
    if (close) {
      var dialog = close.closest("dialog");
      if (dialog) { event.preventDefault(); dialog.close(); dialog.remove(); }
      return;
    }
    // A "Copy" button next to a field (the new API token) copies the field's value.
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var field = document.getElementById(copy.getAttribute("data-copy"));
      if (field && navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(function () { copy.textContent = "Copied"; });
      } else if (field) {
        field.select();
      }
      return;
    }
    var zoneButton = event.target.closest("[data-fill-zone]");
    if (zoneButton) {
      var input = document.getElementById(zoneButton.getAttribute("data-fill-zone"));
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (input && zone) {
        input.value = zone;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  });

  // A file larger than the server takes is refused before it is sent (the server says so too).
  document.addEventListener("change", function (event) {
    var input = event.target;
    // "Select all" ticks every selectable row of its bulk form.
    var all = input.getAttribute && input.getAttribute("data-select-all");
    if (all) {
      document.querySelectorAll("input[type=checkbox][form='" + all + "']:not([disabled])").forEach(function (box) {
        box.checked = input.checked;
      });
      return;
    }
    // The header's namespace switcher applies a pick at once.
    if (input.hasAttribute && input.hasAttribute("data-autosubmit") && input.form) {
      input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit();
      return;
    }
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) { return; }
    var max = Number(input.getAttribute("data-max-bytes"));
    var file = input.files && input.files[0];
    input.setCustomValidity(file && file.size > max
      ? "This file is " + (file.size / 1048576).toFixed(1) + " MB; a jobs file may be at most "
        + (max / 1048576).toFixed(1) + " MB."
      : "");
    input.reportValidity();
  });

  function enhance(root) {
    localTimes(root);
    openDialogs(root);
    root.querySelectorAll("[data-zone-name]").forEach(function (el) {
      el.textContent = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    });
    root.querySelectorAll("[data-needs-js]").forEach(function (el) { el.hidden = false; });
    // what only a page without script needs (the switcher's button: a pick applies at once)
    root.querySelectorAll("[data-no-js]").forEach(function (el) { el.hidden = true; el.style.display = "none"; });
  }

  // Never silence: an answer htmx does not swap (a 5xx, or no answer at all) still says something went wrong.
  function unswapped(text) {
    var alerts = document.getElementById("alerts");
    if (!alerts) { return; }
    var box = document.createElement("div");
    box.className = "flash error";
    box.setAttribute("role", "alert");
    box.textContent = text;
    alerts.replaceChildren(box);
  }
  // What a problem+json answer says (a 503 while the database is away: "the database is unavailable; retry later")
  function problemDetail(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("application/problem+json") !== 0) { return null; }
    try {
      var problem = JSON.parse(xhr.responseText);
      if (!problem || typeof problem.detail !== "string" || !problem.detail) { return null; }
      var text = problem.detail.charAt(0).toUpperCase() + problem.detail.slice(1);
      var retry = xhr.getResponseHeader("Retry-After");
      // not "nothing was done": a connection lost after a commit also answers 503
      return text + " (" + xhr.status + (retry ? "; retry after " + retry + " s" : "") + ").";
    } catch (e) {
      return null;
    }
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 500) {
      unswapped(problemDetail(xhr) || "The server could not do this (" + xhr.status + "); try again, or see the server log.");
    }
  });
  document.addEventListener("htmx:sendError", function () {
    unswapped("The server could not be reached; nothing was done. Try again when it is back.");
  });

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
})();
