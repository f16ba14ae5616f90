// The ticket holder's status page (and the printable slip's buttons).
// Without this file the page still works: the server renders the state and <noscript> reloads.
//
// Live like the board: an EventSource on the centre's events/ says "version N"; we then fetch
// status.json with If-None-Match (unchanged → 304 without a database query). When push is
// unavailable or keeps failing, we poll every 10 s. When called: a flash, a vibration and,
// if the holder turned it on, a chime.
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
  var SAFETY_POLL_MS = 60000;
  var PUSH_FAILURES_BEFORE_POLL = 3;
  var PUSH_RETRY_MS = 60000;
  // Many phones follow one centre: spread their requests over a moment after each change.
  var JITTER_MS = 1500;

  var jsonUrl = box.dataset.jsonUrl;
  var eventsUrl = box.dataset.eventsUrl;
  var etag = box.dataset.etag || "";
  var version = parseInt(box.dataset.version || "-1", 10);
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
    if (typeof data.version === "number") { version = data.version; }
    if (calledNow) { alertHolder(); }
    if (data.final) { stop(); }
  }

  function alertHolder() {
    chime();
    if (navigator.vibrate) { navigator.vibrate([400, 200, 400, 200, 400]); }
    if (!(reduceMotion && reduceMotion.matches)) {
      el.state.classList.remove("is-flashing");
      void el.state.offsetWidth;
      el.state.classList.add("is-flashing");
    }
  }

  // ---- Sound, after the holder allows it with a click.
  var audio = null;
  var AudioContextClass = window.AudioContext || window.webkitAudioContext;
  function chime() {
    if (!audio || audio.state !== "running") { return; }
    var start = audio.currentTime + 0.05;
    [[880, 0], [660, 0.45]].forEach(function (tone) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = tone[0];
      var t = start + tone[1];
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.6, t + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.4);
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.42);
    });
  }
  if (AudioContextClass && el.sound && !finished) {
    el.sound.hidden = false;
    el.sound.addEventListener("click", function () {
      audio = audio || new AudioContextClass();
      audio.resume().then(function () {
        el.sound.setAttribute("aria-pressed", "true");
        el.sound.textContent = box.dataset.soundOn;
        el.sound.disabled = true;
        chime();
      });
    });
  }

  // ---- Fetching (conditional GET).
  var fetching = false;
  var again = false;
  function refresh() {
    if (finished) { return; }
    if (fetching) { again = true; return; }
    fetching = true;
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(jsonUrl, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        setOffline(false);
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        etag = response.headers.get("ETag") || "";
        return response.json();
      })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { setOffline(true); })
      .then(function () {
        fetching = false;
        if (again) { again = false; refresh(); }
      });
  }
  function refreshSoon() { setTimeout(refresh, Math.random() * JITTER_MS); }

  function setOffline(offline) {
    if (!el.offline) { return; }
    el.offline.hidden = !offline;
    el.offline.textContent = offline ? box.dataset.offline : "";
  }

  // ---- Push with automatic reconnect; polling as the fallback.
  var pollTimer = null;
  var pollEvery = 0;
  function poll(ms) {
    if (pollEvery === ms || finished) { return; }
    if (pollTimer) { clearInterval(pollTimer); }
    pollEvery = ms;
    pollTimer = setInterval(refresh, ms);
  }

  var source = null;
  var failures = 0;
  function connect() {
    if (finished) { return; }
    if (!window.EventSource) { poll(POLL_MS); return; }
    source = new EventSource(eventsUrl);
    source.addEventListener("open", function () {
      failures = 0;
      setOffline(false);
      poll(SAFETY_POLL_MS);
    });
    source.addEventListener("version", function (event) {
      var next = parseInt(JSON.parse(event.data).version, 10);
      if (next !== version) { refreshSoon(); }
    });
    source.addEventListener("error", function () {
      failures += 1;
      if (failures >= PUSH_FAILURES_BEFORE_POLL) { poll(POLL_MS); }
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        poll(POLL_MS);
        setTimeout(connect, PUSH_RETRY_MS);
      }
    });
  }

  // Served, cancelled or missed: nothing will change any more.
  function stop() {
    finished = true;
    if (source) { source.close(); }
    if (pollTimer) { clearInterval(pollTimer); }
    if (el.sound) { el.sound.hidden = true; }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(); }
  });

  if (!finished) { connect(); }
})();
