// "Autour de moi": ask the browser for the position, fill the hidden fields, search again.
(function () {
  var button = document.getElementById("geo-button");
  var form = document.getElementById("offer-search");
  var status = document.getElementById("geo-status");
  if (!button || !form || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "Recherche de votre position…";
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.querySelector("#lat").value = position.coords.latitude.toFixed(5);
        form.querySelector("#lon").value = position.coords.longitude.toFixed(5);
        form.submit();
      },
      function () {
        status.textContent =
          "Position indisponible : les offres de votre département restent affichées.";
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
    );
  });
})();
