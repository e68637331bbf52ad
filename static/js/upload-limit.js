/*
 * Warn before sending a file the app would refuse for its size: on a slow
 * connection from a facility's car park, uploading 40 MB only to be told
 * "too large" wastes minutes. An <input type="file" data-max-bytes="N"
 * data-too-large="message"> gets the (translated) message next to it and
 * its form is not sent while the file is too large. The server checks the
 * size anyway: this only saves the wait.
 */
(function () {
  "use strict";

  function tooLarge(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var file = input.files && input.files[0];
    return Boolean(limit && file && file.size > limit);
  }

  function show(input) {
    var noteId = input.id + "-too-large";
    var note = document.getElementById(noteId);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== noteId;
    });
    if (tooLarge(input)) {
      if (!note) {
        note = document.createElement("div");
        note.id = noteId;
        note.className = "invalid-feedback d-block";
        note.setAttribute("role", "alert");
        input.parentNode.appendChild(note);
      }
      note.textContent = input.getAttribute("data-too-large");
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      described.push(noteId);
    } else {
      if (note) note.parentNode.removeChild(note);
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
    }
    input.setAttribute("aria-describedby", described.join(" "));
    return !tooLarge(input);
  }

  var inputs = document.querySelectorAll('input[type="file"][data-max-bytes]');
  Array.prototype.forEach.call(inputs, function (input) {
    if (input.hasAttribute("data-limit-watched")) return;
    input.setAttribute("data-limit-watched", "");
    input.addEventListener("change", function () { show(input); });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!show(input)) {
          event.preventDefault();
          input.focus();
        }
      });
    }
  });
})();
