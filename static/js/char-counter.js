// Live character counters for the case form. Counts code points (Array.from), as the server
// counts with Python's len(): every 字, letter, digit and punctuation mark counts one.
// Line breaks count one each; the server stores them as a single "\n".
// The sentences come translated from the page (data-text-left / data-text-over on the script
// tag), with {count}, {limit}, {left} and {over} filled in here.
(function () {
  "use strict";

  var script = document.currentScript;
  var texts = {
    left: script.getAttribute("data-text-left"),
    over: script.getAttribute("data-text-over")
  };

  function length(text) {
    // One per code point, like Python's len(): 字, letters, digits, punctuation and a simple
    // emoji (😀) count one each; a composed emoji counts its parts (👍🏽 two, 👨‍👩‍👧 five).
    return Array.from(stripLikePython(text.replace(/\r\n?/g, "\n"))).length;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, name) {
      return name in values ? String(values[name]) : match;
    });
  }

  function render(counter, count, limit) {
    var over = count - limit;
    var values = { count: count, limit: limit, left: limit - count, over: over };
    counter.textContent = fill(over > 0 ? texts.over : texts.left, values);
    counter.classList.toggle("over", over > 0);
  }

  // Python's str.strip() (what Django's CharField does before the server counts) removes
  // exactly these; JavaScript's trim() differs (it also removes U+FEFF, not U+001C-U+001F
  // or U+0085), so the ends are trimmed with Python's set.
  var PY_SPACE = "[\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a" +
    "\\u2028\\u2029\\u202f\\u205f\\u3000]";
  var PY_STRIP = new RegExp("^" + PY_SPACE + "+|" + PY_SPACE + "+$", "g");

  function stripLikePython(text) {
    return text.replace(PY_STRIP, "");
  }

  document.querySelectorAll("[data-char-limit]").forEach(function (field) {
    var counter = document.querySelector('[data-counter-for="' + field.id + '"]');
    if (!counter) return;
    var limit = parseInt(field.getAttribute("data-char-limit"), 10);
    var update = function () { render(counter, length(field.value), limit); };
    field.addEventListener("input", update);
    update();
  });

  document.querySelectorAll("[data-char-group-name]").forEach(function (group) {
    var name = group.getAttribute("data-char-group-name");
    var limit = parseInt(group.getAttribute("data-char-group-limit"), 10);
    var counter = group.querySelector('[data-group-counter="' + name + '"]');
    var fields = group.querySelectorAll('[data-char-group="' + name + '"]');
    if (!counter || !fields.length) return;
    var update = function () {
      var total = 0;
      fields.forEach(function (field) { total += length(field.value); });
      render(counter, total, limit);
    };
    fields.forEach(function (field) { field.addEventListener("input", update); });
    update();
  });
})();
