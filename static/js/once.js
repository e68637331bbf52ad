/*
 * One click, one record, as a courtesy: once a form that posts is sent, its
 * submit buttons are disabled, so a second click (or Enter) sends nothing.
 * The server refuses to save the same form twice anyway (visits/web/once.py):
 * this only spares the second request. The buttons come back when the page
 * is shown again from the browser's history, or after a while if no answer
 * came (a lost connection): sending again is then safe.
 */
(function () {
  "use strict";
  var RELEASE_AFTER_MS = 20000;

  function submitButtons(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.type === "submit";
    });
  }

  function release(form) {
    form.removeAttribute("data-sent");
    submitButtons(form).forEach(function (button) {
      if (button.hasAttribute("data-disabled-on-send")) {
        button.removeAttribute("data-disabled-on-send");
        button.disabled = false;
      }
    });
  }

  // On the document, so that it runs after the form's own handlers: a form
  // they stopped (a file too large, say) was not sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") {
      return;
    }
    if (form.hasAttribute("data-sent")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "");
    // After this event: a button disabled now would not send its own name and value.
    window.setTimeout(function () {
      submitButtons(form).forEach(function (button) {
        if (!button.disabled) {
          button.setAttribute("data-disabled-on-send", "");
          button.disabled = true;
        }
      });
    }, 0);
    window.setTimeout(function () { release(form); }, RELEASE_AFTER_MS);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      Array.prototype.forEach.call(document.querySelectorAll("form[data-sent]"), release);
    }
  });
})();
