// The export page's "Select all" checkbox, bound here instead of an inline onchange (CSP).
// onSelectToggleChange comes from import_export/export_selectable_fields.js (form media).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", function (event) {
      if (typeof window.onSelectToggleChange === "function") {
        window.onSelectToggleChange(event);
      }
    });
  });
});
