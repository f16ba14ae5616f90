// The display board: live updates, a chime and a flash on each new call, a clock.
// Without this file the page still shows the state (the server renders it; <noscript> reloads).
//
// Live: an EventSource on events/ says "version N"; we then fetch board.json with If-None-Match
// (unchanged → 304, costs the server no database query). When push is unavailable or keeps
// failing, we poll board.json every 5 s instead, and keep trying push in the background.
(function () {
  "use strict";
  var body = document.body;
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  var POLL_MS = 5000;           // polling when push is unavailable
  var SAFETY_POLL_MS = 60000;   // a cheap check while push works, in case an event was lost
  var PUSH_FAILURES_BEFORE_POLL = 3;
  var PUSH_RETRY_MS = 60000;    // try push again after the browser gave up on it

  var jsonUrl = body.dataset.jsonUrl;
  var eventsUrl = body.dataset.eventsUrl;
  var etag = body.dataset.etag || "";
  var version = parseInt(body.dataset.version || "-1", 10);
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

  var el = {
    calling: document.getElementById("board-calling"),
    nobody: document.getElementById("board-nobody"),
    recent: document.getElementById("board-recent"),
    waiting: document.getElementById("board-waiting"),
    live: document.getElementById("board-live"),
    flash: document.getElementById("board-flash"),
    clock: document.getElementById("board-clock"),
    sound: document.getElementById("board-sound"),
    offline: document.getElementById("board-offline")
  };

  // ---- Calls already shown: a call is new when its ticket or its number of calls is new.
  function callKey(call) { return call.ticket + "|" + call.calls; }
  var known = {};
  Array.prototype.forEach.call(el.calling.querySelectorAll("[data-key]"), function (item) {
    known[item.getAttribute("data-key")] = true;
  });

  // ---- Rendering (textContent only: names come from the database).
  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) { n.className = className; }
    if (text !== undefined) { n.textContent = text; }
    return n;
  }

  function replace(parent, fragment) {
    while (parent.firstChild) { parent.removeChild(parent.firstChild); }
    parent.appendChild(fragment);
  }

  function render(data) {
    var fresh = [];
    var keys = {};
    var calling = document.createDocumentFragment();
    (data.calling || []).forEach(function (call) {
      var key = callKey(call);
      keys[key] = true;
      var isNew = !known[key] && !call.serving;
      if (isNew) { fresh.push(call); }
      var li = node("li", "call" + (call.serving ? " call--serving" : "") + (isNew ? " call--new" : ""));
      li.setAttribute("data-key", key);
      if (isNew && body.dataset.newLabel) { li.setAttribute("data-new", body.dataset.newLabel); }
      li.appendChild(node("span", "call__ticket", call.ticket));
      li.appendChild(document.createTextNode(" "));
      var arrow = node("span", "call__arrow", "→");
      arrow.setAttribute("aria-hidden", "true");
      li.appendChild(arrow);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(node("span", "call__desk", call.desk));
      if (call.serving && body.dataset.serving) {
        li.appendChild(node("span", "call__state", body.dataset.serving));
      }
      calling.appendChild(li);
    });
    replace(el.calling, calling);
    el.nobody.hidden = (data.calling || []).length > 0;
    el.calling.classList.toggle("calls--many", (data.calling || []).length > 3);

    var recent = document.createDocumentFragment();
    (data.recent || []).forEach(function (call) {
      var li = node("li");
      li.appendChild(node("span", "recent__ticket", call.ticket));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(node("span", "recent__desk", call.desk));
      recent.appendChild(li);
    });
    replace(el.recent, recent);

    var waiting = document.createDocumentFragment();
    (data.waiting || []).forEach(function (topic) {
      var li = node("li");
      li.appendChild(node("span", "waiting__prefix", topic.prefix));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(node("span", "waiting__topic", topic.topic));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(node("span", "waiting__count", String(topic.count)));
      waiting.appendChild(li);
    });
    replace(el.waiting, waiting);

    known = keys;
    if (typeof data.version === "number") { version = data.version; }
    if (fresh.length) { announce(fresh); }
  }

  // ---- New call: words for screen readers, a chime, a flash.
  function announce(calls) {
    var template = body.dataset.announce || "%(ticket)s → %(desk)s";
    el.live.textContent = calls.map(function (call) {
      return template.replace("%(ticket)s", call.ticket).replace("%(desk)s", call.desk);
    }).join(". ");
    chime();
    if (!(reduceMotion && reduceMotion.matches)) {
      el.flash.classList.remove("is-flashing");
      void el.flash.offsetWidth; // restart the animation
      el.flash.classList.add("is-flashing");
    }
  }

  // ---- Sound: browsers allow audio only after a click, so staff press "Turn on sound" once.
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
  if (AudioContextClass && el.sound) {
    el.sound.hidden = false;
    el.sound.addEventListener("click", function () {
      if (audio && audio.state === "running") {
        audio.suspend();
        el.sound.setAttribute("aria-pressed", "false");
        el.sound.textContent = body.dataset.soundOff;
        return;
      }
      audio = audio || new AudioContextClass();
      audio.resume().then(function () {
        el.sound.setAttribute("aria-pressed", "true");
        el.sound.textContent = body.dataset.soundOn;
        chime();
      });
    });
  }

  // ---- Fetching the snapshot (conditional GET).
  var fetching = false;
  var again = false;
  function refresh() {
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

  function setOffline(offline) {
    if (!el.offline) { return; }
    el.offline.hidden = !offline;
    el.offline.textContent = offline ? body.dataset.offline : "";
  }

  // ---- Push with automatic reconnect; polling as the fallback.
  var pollTimer = null;
  var pollEvery = 0;
  function poll(ms) {
    if (pollEvery === ms) { return; }
    if (pollTimer) { clearInterval(pollTimer); }
    pollEvery = ms;
    pollTimer = setInterval(refresh, ms);
  }

  var source = null;
  var failures = 0;
  function connect() {
    if (!window.EventSource) { poll(POLL_MS); return; }
    source = new EventSource(eventsUrl);
    source.addEventListener("open", function () {
      failures = 0;
      setOffline(false);
      poll(SAFETY_POLL_MS);
    });
    source.addEventListener("version", function (event) {
      var next = parseInt(JSON.parse(event.data).version, 10);
      if (next !== version) { refresh(); }
    });
    source.addEventListener("error", function () {
      failures += 1;
      // The browser retries by itself (the server's retry: field); meanwhile poll.
      if (failures >= PUSH_FAILURES_BEFORE_POLL) { poll(POLL_MS); }
      if (source.readyState === EventSource.CLOSED) {
        // Refused for good (e.g. the server answered an error): poll, and try push later.
        source.close();
        poll(POLL_MS);
        setTimeout(connect, PUSH_RETRY_MS);
      }
    });
  }

  // ---- The clock, in Kyiv time whatever the TV's own zone.
  var clockFormat;
  try {
    clockFormat = new Intl.DateTimeFormat(body.dataset.language || undefined, { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Europe/Kyiv" });
  } catch (e) {
    try {
      clockFormat = new Intl.DateTimeFormat(body.dataset.language || undefined, { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Europe/Kiev" });
    } catch (e2) {
      clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
    }
  }
  function tick() {
    var now = new Date();
    el.clock.textContent = clockFormat.format(now);
    el.clock.setAttribute("datetime", now.toISOString());
  }
  tick();
  setInterval(tick, 1000);

  // A page reopened from the back/forward cache or a TV waking up: catch up at once.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(); }
  });

  connect();
})();
