// Quick entry, for a consultant typing fast at the keyboard.
// - Enter in a service field never saves half a word: with suggestions it takes the first one
//   (the one the list shows first) and waits for a second Enter; a service outside the catalogue
//   is saved only with "Not in the catalogue" ticked (the server refuses it otherwise).
// - Saving does not take the keyboard away: the service field is emptied and focused at once,
//   what is typed while the server answers is kept, and a visitor whose Enter came meanwhile
//   is saved right after (one at a time, so nothing is lost or saved twice).
// - After an error, the cursor moves to the list of problems.
(function () {
  "use strict";
  var saving = false; // a visitor is on its way to the server
  var queued = []; // services of visitors whose Enter came while saving (saved one after another)
  var typed = ""; // what was typed into the service field while saving
  var sent = ""; // the service of the visitor being saved

  function fold(text) { return text.replace(/\s+/g, " ").trim().toLocaleLowerCase(); }

  function options(input) {
    var list = input.list;
    if (!list) { return []; }
    return Array.prototype.map.call(list.options, function (o) { return o.value; });
  }

  // Names containing every word typed; those starting with the text first, in the list's order.
  function matches(input) {
    var text = fold(input.value);
    if (!text) { return []; }
    var words = text.split(" ");
    var starting = [], containing = [];
    options(input).forEach(function (name) {
      var folded = fold(name);
      if (!words.every(function (w) { return folded.indexOf(w) !== -1; })) { return; }
      (folded.indexOf(text) === 0 ? starting : containing).push(name);
    });
    return starting.concat(containing);
  }

  function say(text) {
    var region = document.getElementById("entry-live");
    if (region) { region.textContent = text; }
  }

  // True when Enter may save: nothing typed, a catalogue name, or free text asked for.
  function readyToSave(input) {
    var text = fold(input.value);
    if (!text) { return true; }
    if (options(input).some(function (name) { return fold(name) === text; })) { return true; }
    var free = document.getElementById("id_free_text");
    if (free && free.checked) { return true; }
    var found = matches(input);
    if (!found.length) { return true; } // the server answers with a clear error and keeps everything
    input.value = found[0];
    input.dispatchEvent(new Event("input", { bubbles: true }));
    var form = input.form;
    say((form && form.getAttribute("data-picked")) + " " + found[0]);
    return false;
  }

  function serviceField(target) {
    return target && (target.id === "id_service" || target.id === "id_service_2") ? target : null;
  }

  function submit(form) {
    var button = form.querySelector("button[type=submit][value=save]");
    if (form.requestSubmit) { form.requestSubmit(button); } else if (button) { button.click(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) { return; }
    var input = serviceField(event.target);
    if (!input || !input.form || input.form.id !== "entry-form") { return; }
    if (!readyToSave(input)) { event.preventDefault(); return; }
    if (!saving) { return; } // Enter saves
    // Still saving the previous visitor: this one is saved as soon as the answer is in.
    event.preventDefault();
    if (fold(input.value) && input.id === "id_service") {
      queued.push(input.value);
      input.value = "";
    }
  }, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target;
    if (!form || form.id !== "entry-form") { return; }
    var trigger = event.detail && event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    var button = trigger && trigger.submitter;
    if (button && button.value !== "save") { return; } // "same as last visitor", a suggestion: no type-ahead
    saving = true;
    // The values are already on their way: the service fields are free for the next visitor at
    // once (holding what was typed ahead while an earlier visitor was being saved).
    var second = document.getElementById("id_service_2");
    if (second) { second.value = ""; }
    var first = document.getElementById("id_service");
    if (first) {
      sent = first.value;
      first.value = typed;
      first.focus();
      first.setSelectionRange(first.value.length, first.value.length);
    }
    typed = "";
  });

  document.addEventListener("htmx:beforeSwap", function () {
    if (!saving) { return; }
    var first = document.getElementById("id_service");
    typed = first ? first.value : "";
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (saving && !event.detail.successful) { // no answer: the visitor is back, to be saved again
      saving = false;
      var first = document.getElementById("id_service");
      if (first) {
        typed = first.value;
        first.value = sent;
      }
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!document.getElementById("entry-panel")) { return; }
    var wasSaving = saving;
    saving = false;
    var summary = document.getElementById("error-summary");
    if (summary) { // not saved: once fixed and saved, what was typed after it comes back
      summary.focus();
      return;
    }
    var first = document.getElementById("id_service");
    if (!first) { return; }
    first.focus();
    if (!wasSaving) { return; }
    if (queued.length) { // the next visitor, Enter already pressed: save it now, keep what follows
      first.value = queued.shift();
      submit(first.form); // (its request puts what was typed after it back into the field)
      return;
    }
    first.value = typed; // (settle:0: no keystroke can come between the swap and this)
    typed = "";
    first.setSelectionRange(first.value.length, first.value.length);
  });
})();
