/* palmap: place a resource's point by clicking on the map of its form.
   The latitude and longitude fields stay the way to type the point (and the keyboard's way);
   a click fills them and shows the point, typing moves the point. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var lat = document.getElementById("f-lat");
  var lon = document.getElementById("f-lon");
  if (!lat || !lon) { return; }
  var number = function (field) { return parseFloat(field.value.replace(",", ".")); };
  window.palmapMaps.forEach(function (map) {
    var point = null;
    var show = function (latlng) {
      if (point) { point.setLatLng(latlng); return; }
      point = L.circleMarker(latlng, {radius: 8, color: "#9b1c1c", weight: 3,
                                      fillColor: "#f2b134", fillOpacity: 0.9}).addTo(map);
    };
    var fromFields = function () {
      if (isFinite(number(lat)) && isFinite(number(lon))) { show([number(lat), number(lon)]); }
    };
    fromFields();
    lat.addEventListener("change", fromFields);
    lon.addEventListener("change", fromFields);
    map.getContainer().style.cursor = "crosshair";
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      show(event.latlng);
    });
  });
})();
