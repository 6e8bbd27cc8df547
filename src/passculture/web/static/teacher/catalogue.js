// Teacher catalogue: the list and the Leaflet map stay in sync. Moving or zooming the map
// asks catalogue.json for the offers inside the visible bounds (debounced) and re-renders
// both the list (HTML rendered by the server) and the clustered markers. A new search
// (filters form) asks without bounds and fits the map to what it found.
// Works without background tiles (MAP_TILE_URL may be empty) and, without JavaScript,
// the form and the server-rendered list still work.
(function () {
  "use strict";
  var el = document.getElementById("catalogue-map");
  var form = document.getElementById("catalogue-filters");
  var results = document.getElementById("catalogue-results");
  var status = document.getElementById("map-status");
  if (!el || !form || !results || !window.L) return;

  var FRANCE = L.latLngBounds([41.3, -5.3], [51.2, 9.7]);
  var DEBOUNCE_MS = 300;
  var school = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  var hasSchool = el.dataset.hasSchool === "1";
  // maxZoom on the map itself: the cluster layer needs one even without a tile layer.
  var map = L.map(el, { minZoom: 3, maxZoom: 18 }).setView(school, parseInt(el.dataset.zoom, 10) || 6);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
  } else {
    el.classList.add("tp-map--no-tiles");
  }
  var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
  map.addLayer(cluster);
  if (hasSchool) {
    L.circleMarker(school, {
      radius: 9, color: "#000091", weight: 3, fillColor: "#ffffff", fillOpacity: 1,
    }).bindTooltip("Votre établissement : " + el.dataset.schoolName).addTo(map);
  }
  var radiusCircle = null;
  var timer = null;
  var controller = null;
  var sequence = 0;
  var markersById = {};

  function radiusKm() {
    var select = form.elements.namedItem("rayon");
    return select && select.value ? parseInt(select.value, 10) : 0;
  }

  function drawRadius() {
    if (radiusCircle) { map.removeLayer(radiusCircle); radiusCircle = null; }
    var km = radiusKm();
    if (km && hasSchool) {
      radiusCircle = L.circle(school, {
        radius: km * 1000, color: "#000091", weight: 1, fill: false, dashArray: "4 4",
        interactive: false,
      }).addTo(map);
    }
  }

  function query(withBounds) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "" && "swne".indexOf(key) === -1) params.append(key, value);
    });
    if (withBounds) {
      var b = map.getBounds();
      params.set("s", b.getSouth().toFixed(5));
      params.set("w", b.getWest().toFixed(5));
      params.set("n", b.getNorth().toFixed(5));
      params.set("e", b.getEast().toFixed(5));
    }
    return params;
  }

  function offerUrl(id) {
    return el.dataset.offerUrl.replace(/\/0\/$/, "/" + id + "/");
  }

  function popup(m) {
    // Built with DOM nodes and textContent: offer names never become HTML.
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = offerUrl(m[0]);
    link.textContent = m[3];
    link.className = "tp-popup-title";
    var venue = document.createElement("p");
    venue.textContent = m[4];
    var when = document.createElement("p");
    when.textContent = m[5];
    box.appendChild(link);
    box.appendChild(venue);
    box.appendChild(when);
    return box;
  }

  function render(data) {
    results.innerHTML = data.html;
    cluster.clearLayers();
    markersById = {};
    var layers = data.markers.map(function (m) {
      var marker = L.marker([m[1], m[2]], { title: m[3], alt: m[3], keyboard: true });
      marker.bindPopup(popup(m));
      markersById[m[0]] = marker;
      return marker;
    });
    cluster.addLayers(layers);
    if (status) {
      // Invalid filters are ignored by the server: say which, in French, from its messages.
      var problems = [];
      Object.keys(data.errors || {}).forEach(function (k) { problems = problems.concat(data.errors[k]); });
      status.textContent = problems.length ? "Filtre ignoré : " + problems.join(" ") : status.dataset.help;
    }
    el.dataset.count = String(data.count);
    el.dataset.loaded = String(parseInt(el.dataset.loaded || "0", 10) + 1);
  }

  function fitToResults(data) {
    var km = radiusKm();
    if (km && hasSchool) {
      map.fitBounds(L.latLng(school).toBounds(km * 2000), { maxZoom: 13 });
    } else if (data.markers.length) {
      var bounds = L.latLngBounds(data.markers.map(function (m) { return [m[1], m[2]]; }));
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 13 });
    }
  }

  function load(withBounds, fit) {
    var mine = ++sequence;
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    results.setAttribute("aria-busy", "true");
    var params = query(withBounds);
    fetch(el.dataset.jsonUrl + "?" + params.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (mine !== sequence) return;
        render(data);
        results.setAttribute("aria-busy", "false");
        if (fit) fitToResults(data);
        var shared = query(false).toString();
        window.history.replaceState(null, "", shared ? "?" + shared : window.location.pathname);
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        results.setAttribute("aria-busy", "false");
        if (status) status.textContent = "La liste n’a pas pu être mise à jour. Réessayez dans un instant.";
      });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () { load(true, false); }, DEBOUNCE_MS);
  }

  map.on("moveend", schedule);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    drawRadius();
    load(false, true);
  });
  results.addEventListener("click", function (event) {
    if (event.target.closest("[data-action=show-all]")) map.fitBounds(FRANCE);
  });
  // Hovering or focusing a list item highlights its marker (opens its popup when visible).
  function highlight(event) {
    var item = event.target.closest("[data-offer-id]");
    if (!item) return;
    var marker = markersById[item.dataset.offerId];
    if (marker && map.hasLayer(marker)) marker.openPopup();
  }
  results.addEventListener("mouseover", highlight);
  results.addEventListener("focusin", highlight);

  drawRadius();
  load(true, false);
})();
