// Kiosk: one tap, one ticket. Without this file the server still treats a double tap as one
// (the form carries a one-time key); this only stops the second request from being sent.
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      form.querySelectorAll("button").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
      });
    });
  });
})();

// Back to the start after a while, so the next visitor never sees the previous one's screen.
// (Without JavaScript a <noscript> refresh does the same.) A touch restarts the wait.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-return-after") || "", 10);
  var target = body.getAttribute("data-return-to");
  if (!seconds || !target) { return; }
  var timer = null;
  function arm() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(function () { window.location.assign(target); }, seconds * 1000);
  }
  ["pointerdown", "keydown"].forEach(function (name) { document.addEventListener(name, arm, { passive: true }); });
  arm();
})();

// A problem after a tap: focus its summary, so it is read out and the next Tab starts there.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
