// Venue map: a click places the marker and fills latitude/longitude;
// typed coordinates move the marker. Tiles only when a tile URL is configured.
(function () {
  var el = document.getElementById("venue-map");
  if (!el || !window.L) return;
  var lat = document.getElementById(el.dataset.lat || "id_latitude");
  var lon = document.getElementById(el.dataset.lon || "id_longitude");
  var map = L.map(el).setView([46.6, 2.4], 5);
  var tiles = el.dataset.tileUrl;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
  }
  var marker = null;
  function place(latlng, pan) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
    if (pan) map.setView(latlng, Math.max(map.getZoom(), 13));
  }
  function fromInputs() {
    var a = parseFloat((lat.value || "").replace(",", "."));
    var b = parseFloat((lon.value || "").replace(",", "."));
    if (!isNaN(a) && !isNaN(b)) place([a, b], true);
  }
  map.on("click", function (e) {
    lat.value = e.latlng.lat.toFixed(5);
    lon.value = e.latlng.lng.toFixed(5);
    place(e.latlng, false);
  });
  lat.addEventListener("change", fromInputs);
  lon.addEventListener("change", fromInputs);
  fromInputs();
})();
