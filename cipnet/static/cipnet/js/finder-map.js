// The finder's map: drawn from the list's data when Leaflet is loaded. The list works without it.
(function () {
  "use strict";
  var map = null;
  var layer = null;

  function draw() {
    var box = document.getElementById("map");
    var data = document.getElementById("map-points");
    if (!box || !data || typeof L === "undefined") { return; }
    var points = JSON.parse(data.textContent || "[]");
    if (!points.length) { box.hidden = true; return; }
    box.hidden = false;
    if (map && map.getContainer() !== box) { map.remove(); map = null; }
    if (!map) {
      map = L.map(box, { scrollWheelZoom: false });
      L.tileLayer(box.getAttribute("data-tile-url"), {
        maxZoom: 18,
        attribution: box.getAttribute("data-attribution")
      }).addTo(map);
      layer = L.layerGroup().addTo(map);
    }
    layer.clearLayers();
    var bounds = [];
    points.forEach(function (p) {
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.name;
      var popup = document.createElement("div");
      popup.appendChild(link);
      popup.appendChild(document.createElement("br"));
      popup.appendChild(document.createTextNode(p.address));
      L.marker([p.lat, p.lon], { title: p.name, alt: p.name }).bindPopup(popup).addTo(layer);
      bounds.push([p.lat, p.lon]);
    });
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
