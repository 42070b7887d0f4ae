// Warns before the idle timeout of a signed-in session (SESSION_IDLE_TIMEOUT) and offers
// "继续保持登录", which pings the keep-alive address. Forms marked data-preserve-on-timeout keep
// what was typed: on submit the fields are kept in sessionStorage; if the session had expired
// the server sends the user to the login page (marked data-session-expired), and when they
// are back on the form's page after logging in the fields are filled in again. Any other page
// after the submit means it went through, and the copy is dropped.
// Text comes from the page (data-text-* attributes of #session-timeout).
(function () {
  "use strict";

  var PENDING = "awards.pendingForm";
  var RESTORE = "awards.restoreForm";
  var box = document.getElementById("session-timeout");

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null;
    }
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- Keeping and restoring a form ------------------------------------------------------
  function formKey(form) {
    var forms = Array.prototype.slice.call(
      document.querySelectorAll("form[data-preserve-on-timeout]")
    );
    return form.id || "form-" + forms.indexOf(form);
  }

  // Hidden inputs (CSRF token, formset counts, versions) come fresh from the server page.
  function keepable(element) {
    var type = (element.type || "").toLowerCase();
    return (
      element.name &&
      type !== "hidden" &&
      type !== "password" &&
      type !== "file" &&
      type !== "submit" &&
      type !== "button"
    );
  }

  function snapshot(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!keepable(element)) {
        return;
      }
      var type = (element.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        fields.push({ name: element.name, value: element.value, checked: element.checked });
      } else {
        fields.push({ name: element.name, value: element.value });
      }
    });
    return fields;
  }

  function restore(form, fields) {
    fields.forEach(function (field) {
      var elements = form.querySelectorAll('[name="' + field.name.replace(/"/g, '\\"') + '"]');
      Array.prototype.forEach.call(elements, function (element) {
        if (!keepable(element)) {
          return;
        }
        var type = (element.type || "").toLowerCase();
        if (type === "checkbox" || type === "radio") {
          if (element.value === field.value) {
            element.checked = field.checked;
          }
        } else {
          element.value = field.value;
          element.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
    });
  }

  function handlePendingForm() {
    var store = storage();
    if (!store) {
      return;
    }
    var pending = JSON.parse(store.getItem(PENDING) || "null");
    if (document.querySelector("[data-session-expired]")) {
      if (pending) {
        store.setItem(RESTORE, pending.path);
      }
    } else if (document.querySelector("[data-auth-step]")) {
      // Second-factor step after logging in again: keep everything for the form's page.
    } else if (pending && store.getItem(RESTORE) === window.location.pathname) {
      var forms = document.querySelectorAll("form[data-preserve-on-timeout]");
      Array.prototype.forEach.call(forms, function (form) {
        if (formKey(form) === pending.form) {
          restore(form, pending.fields);
          var note = document.createElement("p");
          note.className = "message message-warning";
          note.setAttribute("role", "status");
          note.textContent = box ? box.getAttribute("data-text-restored") : "";
          form.insertBefore(note, form.firstChild);
        }
      });
      store.removeItem(PENDING);
      store.removeItem(RESTORE);
    } else {
      store.removeItem(PENDING);
      store.removeItem(RESTORE);
    }
    Array.prototype.forEach.call(
      document.querySelectorAll("form[data-preserve-on-timeout]"),
      function (form) {
        form.addEventListener("submit", function () {
          store.setItem(
            PENDING,
            JSON.stringify({
              path: window.location.pathname,
              form: formKey(form),
              fields: snapshot(form)
            })
          );
        });
      }
    );
  }

  // --- The warning -----------------------------------------------------------------------
  function startWarning() {
    if (!box) {
      return;
    }
    var idle = parseInt(box.getAttribute("data-idle-timeout"), 10) * 1000;
    var lead = parseInt(box.getAttribute("data-warning-before"), 10) * 1000;
    var message = box.querySelector("[data-role=message]");
    var button = box.querySelector("button");
    var warnTimer = null;
    var expireTimer = null;

    function schedule() {
      window.clearTimeout(warnTimer);
      window.clearTimeout(expireTimer);
      box.hidden = true;
      message.textContent = "";
      warnTimer = window.setTimeout(warn, Math.max(idle - lead, 0));
      expireTimer = window.setTimeout(expired, idle);
    }

    function warn() {
      message.textContent = box.getAttribute("data-text-warning");
      button.hidden = false;
      box.hidden = false;
    }

    function expired() {
      message.textContent = box.getAttribute("data-text-expired");
      button.hidden = true;
      box.hidden = false;
    }

    button.addEventListener("click", function () {
      fetch(box.getAttribute("data-keepalive-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (response.ok) {
          schedule();
        } else {
          expired();
        }
      }, expired);
    });
    schedule();
  }

  handlePendingForm();
  startWarning();
})();
