/*
 * Drafts survive what a long visit report meets: a validation error, an
 * expired form, a session that timed out. A form marked data-draft="key"
 * is copied to this tab's sessionStorage as the user types; when the same
 * form comes back empty (after signing in again, say), the copy is put
 * back and a notice says so. The copy is dropped once the form was sent and
 * the app answered with another page, unless that page keeps drafts (the
 * sign-in page and error pages carry data-keep-drafts on <body>).
 * sessionStorage is per tab and ends with it: nothing lingers on a shared
 * computer after the tab is closed.
 */
(function () {
  "use strict";
  var PREFIX = "npm-draft:";
  var SENT = "npm-draft-sent:";
  var store;
  try {
    store = window.sessionStorage;
    store.setItem(PREFIX + "probe", "1");
    store.removeItem(PREFIX + "probe");
  } catch (error) {
    return; // storage disabled: the server-side protections still apply
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      if (!element.name || element.disabled) return false;
      if (element.name === "csrf_token" || element.name === "version") return false;
      return ["password", "file", "submit", "button", "hidden"].indexOf(element.type) === -1;
    });
  }

  function snapshot(form) {
    var values = {};
    fieldsOf(form).forEach(function (element) {
      if (element.type === "checkbox" || element.type === "radio") {
        values[element.name + "=" + element.value] = element.checked;
      } else if (element.multiple) {
        values[element.name] = Array.prototype.filter
          .call(element.options, function (option) { return option.selected; })
          .map(function (option) { return option.value; });
      } else {
        values[element.name] = element.value;
      }
    });
    return values;
  }

  function isBlank(form) {
    return fieldsOf(form).every(function (element) {
      if (element.type === "checkbox" || element.type === "radio") {
        return element.checked === element.defaultChecked;
      }
      if (element.tagName === "SELECT") {
        // Without a "selected" option, a single select shows its first one.
        var noDefault = !Array.prototype.some.call(element.options, function (option) {
          return option.defaultSelected;
        });
        return Array.prototype.every.call(element.options, function (option, index) {
          var shown = noDefault ? !element.multiple && index === 0 : option.defaultSelected;
          return option.selected === shown;
        });
      }
      return element.value === element.defaultValue;
    });
  }

  function restore(form, values) {
    fieldsOf(form).forEach(function (element) {
      if (element.type === "checkbox" || element.type === "radio") {
        var key = element.name + "=" + element.value;
        if (key in values) element.checked = values[key];
      } else if (element.multiple && Array.isArray(values[element.name])) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values[element.name].indexOf(option.value) !== -1;
        });
      } else if (element.name in values) {
        element.value = values[element.name];
      }
    });
  }

  function announce(form) {
    var message = form.getAttribute("data-draft-restored");
    if (!message) return;
    var notice = document.createElement("p");
    notice.className = "alert alert-info draft-notice";
    notice.setAttribute("role", "status");
    notice.textContent = message;
    form.parentNode.insertBefore(notice, form);
  }

  var forms = document.querySelectorAll("form[data-draft]");
  var present = {};
  Array.prototype.forEach.call(forms, function (form) {
    var key = form.getAttribute("data-draft");
    present[key] = true;
    var saved = store.getItem(PREFIX + key);
    if (saved && isBlank(form)) {
      restore(form, JSON.parse(saved));
      announce(form);
    }
    store.removeItem(SENT + key);
    var save = function () { store.setItem(PREFIX + key, JSON.stringify(snapshot(form))); };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () {
      save();
      store.setItem(SENT + key, "1");
    });
  });

  // A draft whose form was sent and did not come back was saved by the app.
  if (!document.body.hasAttribute("data-keep-drafts")) {
    for (var index = store.length - 1; index >= 0; index -= 1) {
      var name = store.key(index);
      if (name && name.indexOf(SENT) === 0) {
        var key = name.slice(SENT.length);
        if (!present[key]) {
          store.removeItem(PREFIX + key);
          store.removeItem(name);
        }
      }
    }
  }
})();
