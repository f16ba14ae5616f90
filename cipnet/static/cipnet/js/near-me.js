// "Find centres near me": asks the browser for the position, then opens the finder with it.
// Without JavaScript or permission, the place search above still works.
(function () {
  "use strict";
  var button = document.querySelector("[data-near-me]");
  if (!button || !("geolocation" in navigator)) { return; }
  var block = document.querySelector("[data-near-me-block]");
  var status = document.querySelector("[data-near-me-status]");
  if (block) { block.hidden = false; }
  button.addEventListener("click", function () {
    status.textContent = button.getAttribute("data-waiting") || "…";
    navigator.geolocation.getCurrentPosition(function (position) {
      var url = new URL(button.getAttribute("data-finder-url"), window.location.href);
      url.searchParams.set("lat", position.coords.latitude.toFixed(5));
      url.searchParams.set("lon", position.coords.longitude.toFixed(5));
      window.location.assign(url.toString());
    }, function () {
      status.textContent = button.getAttribute("data-denied") || "";
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  });
})();
