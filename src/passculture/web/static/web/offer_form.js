// Offer editor: the "other address" block (with its map) shows only when chosen.
(function () {
  var block = document.getElementById("other-address");
  if (!block) return;
  function sync() {
    var chosen = document.querySelector("input[name=location]:checked");
    block.hidden = !chosen || chosen.value !== "other";
    if (!block.hidden) window.dispatchEvent(new Event("resize")); // Leaflet re-measures
  }
  document.querySelectorAll("input[name=location]").forEach(function (radio) {
    radio.addEventListener("change", sync);
  });
  sync();
})();
