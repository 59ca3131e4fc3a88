// The script editor: CodeMirror 5 (its WebJar) over each textarea[data-code-editor], with highlighting and line
// numbers. The textarea stays the form field, so the page works the same without JavaScript.
(function () {
  "use strict";

  var MODES = { python3: "python", sh: "shell", node: "javascript" };

  function enhance(textarea) {
    if (typeof CodeMirror === "undefined" || textarea.dataset.enhanced) { return; }
    textarea.dataset.enhanced = "true";
    var readOnly = textarea.hasAttribute("readonly");
    var editor = CodeMirror.fromTextArea(textarea, {
      mode: MODES[textarea.getAttribute("data-language")] || null,
      lineNumbers: true,
      readOnly: readOnly,
      indentUnit: 4,
      tabSize: 4,
      indentWithTabs: false,
      viewportMargin: Infinity,
      screenReaderLabel: textarea.labels && textarea.labels.length ? textarea.labels[0].textContent.trim() : "Source"
    });
    // keep the textarea current, so whatever submits the form (a button, htmx) sends what is shown
    editor.on("change", function () { editor.save(); });
    if (textarea.getAttribute("aria-invalid") === "true") {
      editor.getWrapperElement().classList.add("invalid");
    }
    var picker = document.querySelector("select[data-editor-language='" + textarea.id + "']");
    if (picker) {
      picker.addEventListener("change", function () {
        editor.setOption("mode", MODES[picker.value] || null);
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-code-editor]").forEach(enhance);
  });
})();
