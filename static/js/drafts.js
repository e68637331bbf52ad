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
 *
 * A draft belongs to the account that typed it. A signed-in page names its
 * account in <meta name="drafts-owner"> (an opaque key, see
 * visits/web/drafts.py); drafts are stored under it, a page of another
 * account drops every draft that is not its own, and signing out (a form
 * marked data-drafts-sign-out) drops the account's drafts in this tab and,
 * through a BroadcastChannel, in the app's other open tabs. A session that
 * timed out keeps them for the same account. Fields inside an element
 * marked data-no-draft (an interviewee's real name and identifying details)
 * are never written to storage.
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

  var meta = document.querySelector('meta[name="drafts-owner"]');
  var owner = meta ? meta.getAttribute("content") || "" : "";
  var signedOut = false;

  function names() {
    var found = [];
    for (var index = 0; index < store.length; index += 1) found.push(store.key(index));
    return found;
  }

  function isDraft(name) {
    return !!name && (name.indexOf(PREFIX) === 0 || name.indexOf(SENT) === 0);
  }

  function ownedBy(name, account) {
    return name.indexOf(PREFIX + account + ":") === 0 || name.indexOf(SENT + account + ":") === 0;
  }

  // Drop the drafts of `account`, or (others = true) every draft but its own.
  function forget(account, others) {
    names().forEach(function (name) {
      if (isDraft(name) && ownedBy(name, account) !== others) store.removeItem(name);
    });
  }

  var channel = null;
  if (typeof window.BroadcastChannel === "function") {
    channel = new window.BroadcastChannel("npm-drafts");
    channel.onmessage = function (event) {
      var data = event.data || {};
      if (typeof data.signedOut !== "string" || !data.signedOut) return;
      forget(data.signedOut, false);
      if (data.signedOut === owner) signedOut = true;
    };
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-drafts-sign-out]"), function (form) {
    form.addEventListener("submit", function () {
      if (!owner) return;
      signedOut = true;
      forget(owner, false);
      if (channel) channel.postMessage({ signedOut: owner });
    });
  });

  // Nobody signed in (the sign-in page, a public page): nothing to save or restore.
  if (!owner) return;
  forget(owner, true);

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      if (!element.name || element.disabled) return false;
      if (element.name === "csrf_token" || element.name === "version") return false;
      if (element.closest("[data-no-draft]")) return false;
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

  // Put the draft back; true if that changed anything the form shows.
  function restore(form, values) {
    var before = JSON.stringify(snapshot(form));
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
    return JSON.stringify(snapshot(form)) !== before;
  }

  function announce(form) {
    var message = form.getAttribute("data-draft-restored");
    if (!message) return;
    var notKept = form.getAttribute("data-draft-not-kept");
    if (notKept && form.querySelector("[data-no-draft]")) message += " " + notKept;
    var notice = document.createElement("p");
    notice.className = "alert alert-info draft-notice";
    notice.setAttribute("role", "status");
    notice.textContent = message;
    form.parentNode.insertBefore(notice, form);
  }

  function read(name) {
    try {
      var values = JSON.parse(store.getItem(name) || "null");
      return values && typeof values === "object" ? values : null;
    } catch (error) {
      return null;
    }
  }

  var forms = document.querySelectorAll("form[data-draft]");
  var present = {};
  Array.prototype.forEach.call(forms, function (form) {
    var key = owner + ":" + form.getAttribute("data-draft");
    present[key] = true;
    var saved = read(PREFIX + key);
    if (saved && isBlank(form) && restore(form, saved)) announce(form);
    store.removeItem(SENT + key);
    var save = function () {
      if (!signedOut) store.setItem(PREFIX + key, JSON.stringify(snapshot(form)));
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () {
      save();
      if (!signedOut) store.setItem(SENT + key, "1");
    });
  });

  // A draft whose form was sent and did not come back was saved by the app.
  if (!document.body.hasAttribute("data-keep-drafts")) {
    names().forEach(function (name) {
      if (!isDraft(name) || name.indexOf(SENT + owner + ":") !== 0) return;
      var key = name.slice(SENT.length);
      if (!present[key]) {
        store.removeItem(PREFIX + key);
        store.removeItem(name);
      }
    });
  }
})();
