// The ticket holder's status page (and the printable slip's buttons).
// Without this file the page still works: the server renders the state and <noscript> reloads.
//
// Live like the board (queue-live.js; polling every 10 s as the fallback). When called: a flash,
// a vibration and, if the holder turned it on, a chime.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  // ---- The slip: a Print button, and printing at once when the kiosk asked for it.
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  if (document.body.dataset.autoprint === "1") {
    window.addEventListener("load", function () { window.print(); });
  }

  var box = document.getElementById("ticket-status");
  if (!box) { return; }

  var POLL_MS = 10000;
  // Many phones follow one centre: spread their requests over a moment after each change.
  var JITTER_MS = 1500;
  var live = window.CipnetQueueLive;
  var following = null;
  var lastStatus = box.dataset.status;
  var lastCalls = parseInt(box.dataset.calls || "0", 10);
  var finished = box.dataset.final === "1";
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

  var el = {
    state: document.getElementById("ticket-state"),
    headline: document.getElementById("ticket-headline"),
    detail: document.getElementById("ticket-detail"),
    cancel: document.getElementById("ticket-cancel"),
    sound: document.getElementById("ticket-sound"),
    offline: document.getElementById("ticket-offline")
  };

  function render(data) {
    el.headline.textContent = data.headline;
    el.detail.textContent = data.detail || "";
    el.detail.hidden = !data.detail;
    el.state.classList.toggle("ticket-state--called", !!data.called);
    if (el.cancel) { el.cancel.hidden = !data.can_cancel; }
    var calledNow = data.called && (lastStatus !== "called" || data.calls > lastCalls);
    lastStatus = data.status;
    lastCalls = data.calls;
    if (calledNow) { alertHolder(); }
    if (data.final) { stop(); }
  }

  function alertHolder() {
    sound.play();
    if (navigator.vibrate) { navigator.vibrate([400, 200, 400, 200, 400]); }
    if (!(reduceMotion && reduceMotion.matches)) {
      el.state.classList.remove("is-flashing");
      void el.state.offsetWidth;
      el.state.classList.add("is-flashing");
    }
  }

  // ---- Sound, after the holder allows it with a click.
  var sound = live.chime();
  if (sound.available && el.sound && !finished) {
    el.sound.hidden = false;
    el.sound.addEventListener("click", function () {
      sound.enable().then(function () {
        el.sound.setAttribute("aria-pressed", "true");
        el.sound.textContent = box.dataset.soundOn;
        el.sound.disabled = true;
        sound.play();
      });
    });
  }

  function setOffline(offline) {
    if (!el.offline) { return; }
    el.offline.hidden = !offline;
    el.offline.textContent = offline ? box.dataset.offline : "";
  }

  // Served, cancelled or missed: nothing will change any more.
  function stop() {
    finished = true;
    if (following) { following.stop(); }
    if (el.sound) { el.sound.hidden = true; }
  }

  if (!finished) {
    following = live.follow({
      jsonUrl: box.dataset.jsonUrl,
      eventsUrl: box.dataset.eventsUrl,
      etag: box.dataset.etag,
      version: parseInt(box.dataset.version || "-1", 10),
      pollMs: POLL_MS,
      jitterMs: JITTER_MS,
      onData: render,
      onOffline: setOffline
    });
  }
})();
