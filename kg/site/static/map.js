// The map of a page: France's outline (vendored shapes, no tile server) and one circle per
// point of the page's JSON (#kg-points), coloured by certainty; clicking opens the incident.
(function () {
  "use strict";
  var holder = document.getElementById("map");
  var data = document.getElementById("kg-points");
  if (!holder || !data || !window.L) { return; }
  var points = JSON.parse(data.textContent);
  holder.innerHTML = "";
  var colours = { confirmed: "#8b0000", claimed: "#d9480f", suspected: "#e8a33d", unknown: "#6d6d6d", place: "#0b4f9c" };
  var map = L.map(holder, { attributionControl: true, zoomSnap: 0.25, keyboard: true });
  map.attributionControl.setPrefix("Leaflet");
  var metropole = [[41.3, -5.2], [51.1, 9.6]];
  map.fitBounds(metropole);  // a view first: Leaflet draws nothing on a map without one
  L.geoJSON(window.KG_FRANCE, { style: { color: "#777", weight: 1, fillColor: "#fdfdf6", fillOpacity: 1 }, interactive: false })
    .addTo(map);
  map.attributionControl.addAttribution("Shapes: Natural Earth");
  var counts = {};
  points.forEach(function (p) { counts[p.incident] = (counts[p.incident] || 0) + 1; });
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: 5 + 2 * Math.sqrt(counts[p.incident] || 1), color: "#1a1a1a", weight: 1,
      fillColor: colours[p.certainty] || colours.unknown, fillOpacity: 0.85, className: "kg-marker"
    }).addTo(map);
    marker.bindTooltip(p.label + (p.victim && p.victim !== p.label ? " — " + p.victim : ""));
    if (p.incident) { marker.on("click", function () { window.location.href = p.incident; }); }
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 8 }); }
  // Jump to the overseas departments, far from the mainland on one map.
  var places = { "Mainland": metropole, "Guadeloupe": [[15.8, -61.9], [16.6, -61.0]],
    "Martinique": [[14.3, -61.3], [14.9, -60.8]], "Guyane": [[2.1, -54.6], [5.8, -51.6]],
    "La Réunion": [[-21.4, 55.2], [-20.8, 55.9]], "Mayotte": [[-13.1, 45.0], [-12.6, 45.3]] };
  var bar = document.createElement("p");
  bar.className = "map-places";
  Object.keys(places).forEach(function (name) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = name;
    button.addEventListener("click", function () { map.fitBounds(places[name]); });
    bar.appendChild(button);
  });
  holder.parentNode.insertBefore(bar, holder.nextSibling);
})();
