// The display board: live updates, a chime and a flash on each new call, a clock.
// Without this file the page still shows the state (the server renders it; <noscript> reloads).
//
// Live updates (push, with polling every 5 s as the fallback) come from queue-live.js.
(function () {
  "use strict";
  var body = document.body;
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  var POLL_MS = 5000;           // polling when push is unavailable
  var live = window.CipnetQueueLive;
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
  // Ukrainian text (ticket letters, untranslated names) on a board in another language is marked
  // lang="uk", as the server marks it, so that screen readers read it in Ukrainian.
  var CYRILLIC = /[\u0400-\u04FF]/;
  var pageIsUkrainian = (root.lang || "uk").split("-")[0] === "uk";
  function node(tag, className, text) {
    var n = document.createElement(tag);
    if (className) { n.className = className; }
    if (text !== undefined) {
      n.textContent = text;
      if (!pageIsUkrainian && CYRILLIC.test(text)) { n.setAttribute("lang", "uk"); }
    }
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
    if (fresh.length) { announce(fresh); }
  }

  // ---- New call: words for screen readers, a chime, a flash.
  function announce(calls) {
    var template = body.dataset.announce || "%(ticket)s → %(desk)s";
    el.live.textContent = calls.map(function (call) {
      return template.replace("%(ticket)s", call.ticket).replace("%(desk)s", call.desk);
    }).join(". ");
    sound.play();
    if (!(reduceMotion && reduceMotion.matches)) {
      el.flash.classList.remove("is-flashing");
      void el.flash.offsetWidth; // restart the animation
      el.flash.classList.add("is-flashing");
    }
  }

  // ---- Sound: browsers allow audio only after a click, so staff press "Turn on sound" once.
  var sound = live.chime();
  if (sound.available && el.sound) {
    el.sound.hidden = false;
    el.sound.addEventListener("click", function () {
      if (sound.isOn()) {
        sound.disable();
        el.sound.setAttribute("aria-pressed", "false");
        el.sound.textContent = body.dataset.soundOff;
        return;
      }
      sound.enable().then(function () {
        el.sound.setAttribute("aria-pressed", "true");
        el.sound.textContent = body.dataset.soundOn;
        sound.play();
      });
    });
  }

  function setOffline(offline) {
    if (!el.offline) { return; }
    el.offline.hidden = !offline;
    el.offline.textContent = offline ? body.dataset.offline : "";
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

  live.follow({
    jsonUrl: body.dataset.jsonUrl,
    eventsUrl: body.dataset.eventsUrl,
    etag: body.dataset.etag,
    version: parseInt(body.dataset.version || "-1", 10),
    pollMs: POLL_MS,
    onData: render,
    onOffline: setOffline
  });
})();
