// What the display board and the ticket holder's page share: following a centre's queue live,
// and a chime. Loaded (deferred) before board.js and ticket-status.js.
//
// follow(): an EventSource on events/ says "version N"; then the snapshot is fetched with
// If-None-Match (unchanged → 304, no database query on the server). When push is unavailable
// or keeps failing, the snapshot is polled instead, and push is tried again later.
(function () {
  "use strict";

  var SAFETY_POLL_MS = 60000;   // a cheap check while push works, in case an event was lost
  var PUSH_FAILURES_BEFORE_POLL = 3;
  var PUSH_RETRY_MS = 60000;    // try push again after the browser gave up on it

  // options: jsonUrl, eventsUrl, etag, version, pollMs, jitterMs (spread many clients' requests),
  // onData(data), onOffline(boolean). Returns { refresh, stop, setVersion }.
  function follow(options) {
    var etag = options.etag || "";
    var version = options.version;
    var stopped = false;
    var fetching = false;
    var again = false;

    function refresh() {
      if (stopped) { return; }
      if (fetching) { again = true; return; }
      fetching = true;
      var headers = { "Accept": "application/json" };
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(options.jsonUrl, { headers: headers, cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          options.onOffline(false);
          if (response.status === 304) { return null; }
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          etag = response.headers.get("ETag") || "";
          return response.json();
        })
        .then(function (data) {
          if (!data) { return; }
          if (typeof data.version === "number") { version = data.version; }
          options.onData(data);
        })
        .catch(function () { options.onOffline(true); })
        .then(function () {
          fetching = false;
          if (again) { again = false; refresh(); }
        });
    }
    function refreshSoon() {
      if (options.jitterMs) { setTimeout(refresh, Math.random() * options.jitterMs); } else { refresh(); }
    }

    var pollTimer = null;
    var pollEvery = 0;
    function poll(ms) {
      if (pollEvery === ms || stopped) { return; }
      if (pollTimer) { clearInterval(pollTimer); }
      pollEvery = ms;
      pollTimer = setInterval(refresh, ms);
    }

    var source = null;
    var failures = 0;
    function connect() {
      if (stopped) { return; }
      if (!window.EventSource) { poll(options.pollMs); return; }
      source = new EventSource(options.eventsUrl);
      source.addEventListener("open", function () {
        failures = 0;
        options.onOffline(false);
        poll(SAFETY_POLL_MS);
      });
      source.addEventListener("version", function (event) {
        var next = parseInt(JSON.parse(event.data).version, 10);
        if (next !== version) { refreshSoon(); }
      });
      source.addEventListener("error", function () {
        failures += 1;
        // The browser retries by itself (the server's retry: field); meanwhile poll.
        if (failures >= PUSH_FAILURES_BEFORE_POLL) { poll(options.pollMs); }
        if (source.readyState === EventSource.CLOSED) {
          // Refused for good (e.g. the server answered an error): poll, and try push later.
          source.close();
          poll(options.pollMs);
          setTimeout(connect, PUSH_RETRY_MS);
        }
      });
    }

    // A page reopened from the back/forward cache or a screen waking up: catch up at once.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { refresh(); }
    });
    connect();

    return {
      refresh: refresh,
      stop: function () {
        stopped = true;
        if (source) { source.close(); }
        if (pollTimer) { clearInterval(pollTimer); }
      }
    };
  }

  // A short two-tone chime. Browsers allow audio only after a click: call enable() from one.
  function chime() {
    var AudioContextClass = window.AudioContext || window.webkitAudioContext;
    var audio = null;
    return {
      available: !!AudioContextClass,
      isOn: function () { return !!audio && audio.state === "running"; },
      enable: function () {
        audio = audio || new AudioContextClass();
        return audio.resume();
      },
      disable: function () { if (audio) { audio.suspend(); } },
      play: function () {
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
    };
  }

  window.CipnetQueueLive = { follow: follow, chime: chime };
})();
