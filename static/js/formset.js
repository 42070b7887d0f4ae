// "Add another" for a Django formset, e.g. the media-coverage rows of the case form.
//
// Markup: a container with data-formset="<prefix>" holding the rows in [data-formset-rows],
// the formset's empty_form in <template data-formset-empty> (ids and names with __prefix__,
// labels numbered 0) and a hidden <button data-formset-add>. Without JavaScript the button
// stays hidden and the rows the server rendered (two empty ones) are all there is.
// A click clones the empty form with the next index, renumbers its labels, raises
// TOTAL_FORMS and moves the focus to the new row; at MAX_NUM_FORMS the button is disabled.
(function () {
  "use strict";

  var ATTRIBUTES = ["id", "name", "for", "aria-describedby"];

  function numbered(template, index) {
    var row = template.content.firstElementChild.cloneNode(true);
    row.querySelectorAll("*").forEach(function (element) {
      ATTRIBUTES.forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value !== null) {
          element.setAttribute(attribute, value.replace(/__prefix__/g, String(index)));
        }
      });
      if (element.tagName === "LABEL") {
        element.textContent = element.textContent.replace(/\d+/, String(index + 1));
      }
    });
    return row;
  }

  document.querySelectorAll("[data-formset]").forEach(function (formset) {
    var prefix = formset.getAttribute("data-formset");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var rows = formset.querySelector("[data-formset-rows]");
    var template = formset.querySelector("template[data-formset-empty]");
    var button = formset.querySelector("[data-formset-add]");
    if (!total || !rows || !template || !button) return;

    function full() {
      return max !== null && parseInt(total.value, 10) >= parseInt(max.value, 10);
    }

    button.hidden = false;
    button.disabled = full();
    button.addEventListener("click", function () {
      if (full()) return;
      var index = parseInt(total.value, 10);
      var row = numbered(template, index);
      rows.appendChild(row);
      total.value = String(index + 1);
      button.disabled = full();
      var first = row.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  });
})();
