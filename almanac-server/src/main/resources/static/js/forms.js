// Almanac forms: where focus goes after a step, and a quick JSON check. The server checks everything again.
(function () {
  "use strict";

  // After a wizard step (a new page, or a region swapped by htmx) focus the first field that needs fixing, else
  // the step's heading, so a keyboard or screen-reader user carries on where the page changed.
  function focusStep(root) {
    var scope = root && root.querySelector ? root : document;
    var invalid = scope.querySelector("[aria-invalid=true]");
    var target = invalid || scope.querySelector("[data-step-heading]");
    if (target && typeof target.focus === "function") { target.focus(); }
  }

  var JSON_MESSAGE = "This is not valid JSON: ";

  function checkJson(field) {
    var note = document.getElementById(field.id + "-json");
    if (!note) { return; }
    var text = field.value.trim();
    var message = "";
    if (text.charAt(0) === "{" || text.charAt(0) === "[") {
      try { JSON.parse(text); } catch (e) { message = JSON_MESSAGE + e.message; }
    }
    note.textContent = message;
    note.hidden = message === "";
    if (message) { field.setAttribute("aria-invalid", "true"); }
    else if (!field.hasAttribute("data-server-error")) { field.removeAttribute("aria-invalid"); }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-json]")) { checkJson(event.target); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-step-heading]")) { focusStep(document); }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.detail && event.detail.target;
    if (swapped && swapped.querySelector && swapped.querySelector("[aria-invalid=true], [data-step-heading]")) {
      focusStep(swapped);
    }
  });
})();
