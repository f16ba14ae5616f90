// The finder's map, only when asked for ("Show on map"): Leaflet's files are loaded then, never before.
// The list is the accessible path: markers are out of the tab order and hidden from screen readers.
// Nearby centres are drawn as one numbered marker (a simple grid), so markers never overlap.
(function () {
  "use strict";
  var map = null;
  var layer = null;
  var CELL = 56; // px: a marker is 44 px, with room around it
  var loading = null;

  function load(link) {
    if (typeof L !== "undefined") { return Promise.resolve(); }
    if (loading) { return loading; }
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = link.getAttribute("data-leaflet-css");
      document.head.appendChild(css);
      var js = document.createElement("script");
      js.src = link.getAttribute("data-leaflet-js");
      js.onload = resolve;
      js.onerror = reject;
      document.head.appendChild(js);
    });
    return loading;
  }

  function icon(count) {
    return L.divIcon({
      className: "map-marker",
      html: count > 1 ? "<span>" + count + "</span>" : "",
      iconSize: [44, 44],
      iconAnchor: [22, 22]
    });
  }

  function popup(group) {
    var box = document.createElement("div");
    var list = document.createElement("ul");
    group.forEach(function (p) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.name;
      item.appendChild(link);
      item.appendChild(document.createElement("br"));
      item.appendChild(document.createTextNode(p.address));
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function cluster(points) {
    layer.clearLayers();
    var cells = {};
    points.forEach(function (p) {
      var at = map.latLngToLayerPoint([p.lat, p.lon]);
      var key = Math.floor(at.x / CELL) + ":" + Math.floor(at.y / CELL);
      (cells[key] = cells[key] || []).push(p);
    });
    Object.keys(cells).forEach(function (key) {
      var group = cells[key];
      var lat = 0, lon = 0;
      group.forEach(function (p) { lat += p.lat; lon += p.lon; });
      var marker = L.marker([lat / group.length, lon / group.length], {
        icon: icon(group.length), keyboard: false, title: "", alt: ""
      });
      marker.bindPopup(popup(group));
      marker.addTo(layer);
      var el = marker.getElement();
      if (el) { el.setAttribute("aria-hidden", "true"); el.removeAttribute("tabindex"); el.removeAttribute("role"); }
    });
  }

  function draw() {
    var box = document.getElementById("map");
    var data = document.getElementById("map-points");
    if (!box || !data || typeof L === "undefined") { return; }
    var points = JSON.parse(data.textContent || "[]");
    if (!points.length) { box.hidden = true; return; }
    box.hidden = false;
    if (map && map.getContainer() !== box) { map.remove(); map = null; }
    if (!map) {
      map = L.map(box, { scrollWheelZoom: false, zoomControl: false, keyboard: false });
      L.control.zoom({
        zoomInTitle: box.getAttribute("data-zoom-in"),
        zoomOutTitle: box.getAttribute("data-zoom-out")
      }).addTo(map);
      var prefix = document.createElement("a");
      prefix.href = "https://leafletjs.com";
      prefix.title = box.getAttribute("data-prefix-title") || "";
      prefix.textContent = "Leaflet";
      map.attributionControl.setPrefix(prefix.outerHTML);
      L.tileLayer(box.getAttribute("data-tile-url"), {
        maxZoom: 18,
        attribution: box.getAttribute("data-attribution")
      }).addTo(map);
      layer = L.layerGroup().addTo(map);
      map.on("zoomend", function () { cluster(JSON.parse(document.getElementById("map-points").textContent || "[]")); });
    }
    var bounds = points.map(function (p) { return [p.lat, p.lon]; });
    // Room at the top left for the zoom buttons, so no marker sits under them.
    map.fitBounds(bounds, { paddingTopLeft: [70, 90], paddingBottomRight: [40, 40], maxZoom: 14 });
    cluster(points);
  }

  function show(event) {
    var link = event.target.closest("[data-show-map]");
    if (!link) { return; }
    event.preventDefault();
    load(link).then(function () {
      draw();
      var box = document.getElementById("map");
      if (box) { box.scrollIntoView({ block: "nearest" }); }
    }, function () { window.location.assign(link.href); });
  }

  document.addEventListener("click", show);
  document.addEventListener("DOMContentLoaded", draw); // ?map=1: the page came with Leaflet
  document.addEventListener("htmx:afterSettle", function () {
    if (map) { map.remove(); map = null; }
    draw();
  });
})();
