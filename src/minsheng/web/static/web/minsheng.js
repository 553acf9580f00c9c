/* Minsheng page helpers: a map pin on the configured basemap (maps/basemap.js), and the phone's location. */
(function () {
  "use strict";

  function inside(point, ring) {  // ray casting; point and ring vertices are [lng, lat]
    let hit = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i], [xj, yj] = ring[j];
      if ((yi > point[1]) !== (yj > point[1]) &&
          point[0] < (xj - xi) * (point[1] - yi) / (yj - yi) + xi) hit = !hit;
    }
    return hit;
  }

  function setPoint(form, lat, lng, features) {
    form.querySelector("[name=latitude]").value = lat.toFixed(6);
    form.querySelector("[name=longitude]").value = lng.toFixed(6);
    const grid = features.find(f => inside([lng, lat], f.geometry.coordinates[0]));
    const select = form.querySelector("[name=region]");
    if (grid && select) select.value = grid.properties.code;
    const status = form.querySelector("[data-map-status]");
    if (status) status.textContent = grid ? grid.properties.name : status.dataset.outside;
    form.dispatchEvent(new Event("pinplaced", {bubbles: true}));  // intake looks for the same event around the pin
  }

  function initMap(el) {
    const form = el.closest("form");
    fetch(el.dataset.geojson).then(r => r.json()).then(data => {
      if (!data.features.length) {  // no grid has a boundary yet: no map, the grid select still works
        el.hidden = true;
        return;
      }
      const map = MinshengBasemap.map(el);
      const layer = L.geoJSON(data, {style: {color: "#b22222", weight: 1, fillOpacity: 0.06},
        onEachFeature: (f, l) => l.bindTooltip(document.createTextNode(f.properties.name))}).addTo(map);
      map.fitBounds(layer.getBounds());
      let marker = null;
      el.placePin = (lat, lng) => {
        marker = marker ? marker.setLatLng([lat, lng]) : L.marker([lat, lng]).addTo(map);
        map.setView([lat, lng], 17);
        setPoint(form, lat, lng, data.features);
      };
      map.on("click", e => {
        marker = marker ? marker.setLatLng(e.latlng) : L.marker(e.latlng).addTo(map);
        setPoint(form, e.latlng.lat, e.latlng.lng, data.features);
      });
      el.mapFeatures = data.features;
    });
  }

  function initLocate(button) {
    button.addEventListener("click", () => {
      const form = button.closest("form");
      const status = form.querySelector("[data-map-status]");
      if (!navigator.geolocation) { if (status) status.textContent = button.dataset.unavailable; return; }
      navigator.geolocation.getCurrentPosition(pos => {
        const map = form.querySelector("[data-map]");
        setPoint(form, pos.coords.latitude, pos.coords.longitude, (map && map.mapFeatures) || []);
      }, () => { if (status) status.textContent = button.dataset.unavailable; });
    });
  }

  function initSelectFilter(select) {
    // A search box above a long select: typing hides the options that do not match.
    const box = document.createElement("input");
    box.type = "search";
    box.placeholder = select.dataset.filterPlaceholder || "";
    box.setAttribute("aria-label", box.placeholder);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", () => {
      const needle = box.value.trim();
      let first = null;
      select.querySelectorAll("option").forEach(o => {
        const show = !needle || o.value === "" || o.textContent.includes(needle) ||
          (o.parentNode.label || "").includes(needle);
        o.hidden = !show;
        if (show && o.value && !first) first = o;
      });
      if (first && needle) select.value = first.value;
    });
  }

  // Intake's address check (htmx): a known building, house number or estate places the pin and
  // chooses its grid; when several places fit, a button per place completes the address.
  function afterAddressCheck(box) {
    const form = box.closest("form"), found = box.querySelector("[data-address-point], [data-address-grid]");
    if (found && found.dataset.addressGrid) {
      const select = form.querySelector("[name=region]");
      if (select && !select.value) { select.value = found.dataset.addressGrid; select.dispatchEvent(new Event("change")); }
    }
    if (found && found.dataset.addressPoint) {
      const [lat, lng] = found.dataset.addressPoint.split(",").map(Number), map = form.querySelector("[data-map]");
      if (map && map.placePin) map.placePin(lat, lng);
    }
    box.querySelectorAll("[data-fill-address]").forEach(b => b.addEventListener("click", () => {
      const input = form.querySelector("[name=address]");
      input.value = b.dataset.fillAddress;
      input.dispatchEvent(new Event("change"));
    }));
  }
  document.addEventListener("htmx:afterSwap", e => { if (e.target.id === "address-check") afterAddressCheck(e.target); });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("select[data-filter-placeholder]").forEach(initSelectFilter);
    document.querySelectorAll("[data-map]").forEach(initMap);
    document.querySelectorAll("[data-locate]").forEach(initLocate);
    // On a phone the navigation scrolls sideways: bring the current page's link into view.
    const nav = document.querySelector("header.top nav"), active = nav && nav.querySelector("a.active");
    if (active && nav.scrollWidth > nav.clientWidth) nav.scrollLeft = active.offsetLeft - nav.offsetLeft - 16;
    // The language switch: a handler here, not in the page, as the Content-Security-Policy allows no inline script.
    document.querySelectorAll("select[data-submit-on-change]").forEach(s => s.addEventListener("change", () => s.form.submit()));
    // An action that ends a demand or turns back someone's work asks first (the form says what).
    document.querySelectorAll("form[data-confirm]").forEach(f => f.addEventListener("submit", e => {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    }));
  });
})();
