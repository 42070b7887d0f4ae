// Judges' score and verification forms: warn before leaving the page with unsaved changes.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form.score-form, form[enctype='multipart/form-data']");
  var dirty = false;
  forms.forEach(function (form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
