/* The patrol on the phone: the track from the device's position (navigator.geolocation.watchPosition),
 * drawn live on the basemap, each point queued with the time the phone took it (web/field.js sends
 * it, now or when the connection returns, once).  The points the server has are drawn solid, the
 * ones still on the phone dashed.  A finding is reported at the phone's last known position. */
(function () {
  "use strict";

  const MIN_METRES = 15, MIN_SECONDS = 60, MAX_ACCURACY = 100;

  function metres(a, b) {  // equirectangular: plenty for points a street apart
    const rad = Math.PI / 180, x = (b[1] - a[1]) * rad * Math.cos((a[0] + b[0]) / 2 * rad), y = (b[0] - a[0]) * rad;
    return Math.sqrt(x * x + y * y) * 6371000;
  }

  document.addEventListener("DOMContentLoaded", function () {
    const el = document.querySelector("[data-patrol-map]");
    if (!el || !window.MinshengField) return;
    const data = JSON.parse(document.getElementById(el.dataset.patrolMap).textContent);
    const trackUrl = el.dataset.trackUrl, label = el.dataset.label;
    const status = document.getElementById("track-status"), pendingNote = document.getElementById("track-pending");
    const watchButton = document.getElementById("track-watch"), nowButton = document.getElementById("track-now");
    const storeKey = "minsheng-watch:" + trackUrl;
    const map = MinshengBasemap.map(el);
    el.patrolMap = map;  // for the browser tests
    const sent = data.track.map(function (p) { return [p[0], p[1]]; });
    const solid = L.polyline(sent, {color: "#1d4ed8", weight: 4, opacity: 0.85}).addTo(map);
    const dashed = L.polyline([], {color: "#1d4ed8", weight: 4, opacity: 0.85, dashArray: "6 8"}).addTo(map);
    const here = L.circleMarker([0, 0], {radius: 7, color: "#fff", weight: 2, fillColor: "#1d4ed8", fillOpacity: 1});
    let last = sent.length ? {point: sent[sent.length - 1], at: 0} : null, lastFix = null, watchId = null;

    function fit() {
      const all = solid.getLatLngs().concat(dashed.getLatLngs());
      // Without animation: Leaflet drops a new view asked for while it still animates the last one.
      if (all.length > 1) map.fitBounds(L.latLngBounds(all), {padding: [24, 24], maxZoom: 17, animate: false});
      else if (all.length === 1) map.setView(all[0], 17, {animate: false});
      else if (data.bounds) map.fitBounds(data.bounds, {animate: false});
      else map.setView([0, 0], 2);
    }

    function showPending() {
      return MinshengField.all().then(function (items) {
        const mine = items.filter(function (i) { return i.url === trackUrl; });
        const points = mine.map(function (i) {
          const f = Object.fromEntries(i.fields);
          return [Number(f.latitude), Number(f.longitude)];
        });
        const tail = sent.length ? [sent[sent.length - 1]] : [];
        dashed.setLatLngs(points.length ? tail.concat(points) : []);
        pendingNote.textContent = points.length ? MinshengField.text("waiting").replace("%s", points.length) : "";
      });
    }

    function record(position, force) {
      const c = position.coords, point = [Number(c.latitude.toFixed(6)), Number(c.longitude.toFixed(6))];
      lastFix = point;
      here.setLatLng(point).addTo(map);
      status.textContent = MinshengField.text("accuracy").replace("%s", Math.round(c.accuracy));
      if (!force && c.accuracy > MAX_ACCURACY) return;  // too rough for a track: wait for a better fix
      const now = Date.now();
      if (!force && last && metres(last.point, point) < MIN_METRES && now - last.at < MIN_SECONDS * 1000) return;
      last = {point: point, at: now};
      MinshengField.enqueue({url: trackUrl, label: label,
                             fields: [["latitude", point[0].toFixed(6)], ["longitude", point[1].toFixed(6)],
                                      ["taken_at", new Date(position.timestamp || now).toISOString()]]})
        .then(showPending).then(fit);
    }

    function failed(error) {  // refused: say how to fix it; a slow fix: only while there is none yet
      if (!error || error.code === 1) status.textContent = MinshengField.text("noPosition");
      else if (!lastFix) status.textContent = MinshengField.text("searching");
    }

    function startWatch() {
      if (!navigator.geolocation) return failed();
      watchId = navigator.geolocation.watchPosition(function (p) { record(p, false); }, failed,
                                                     {enableHighAccuracy: true, maximumAge: 5000, timeout: 30000});
      watchButton.textContent = watchButton.dataset.on;
      watchButton.setAttribute("aria-pressed", "true");
      localStorage.setItem(storeKey, "1");
    }

    function stopWatch() {
      if (watchId !== null) navigator.geolocation.clearWatch(watchId);
      watchId = null;
      watchButton.textContent = watchButton.dataset.off;
      watchButton.setAttribute("aria-pressed", "false");
      localStorage.removeItem(storeKey);
    }

    watchButton.addEventListener("click", function () { if (watchId === null) startWatch(); else stopWatch(); });
    nowButton.addEventListener("click", function () {
      if (!navigator.geolocation) return failed();
      navigator.geolocation.getCurrentPosition(function (p) { record(p, true); }, failed,
                                               {enableHighAccuracy: true, maximumAge: 0, timeout: 30000});
    });

    // A finding is reported where the phone is; the server has the track already.
    const finding = document.getElementById("finding-form");
    if (finding) finding.addEventListener("field:before-queue", function () {
      if (lastFix && !finding.elements.latitude.value) {
        finding.elements.latitude.value = lastFix[0].toFixed(6);
        finding.elements.longitude.value = lastFix[1].toFixed(6);
      }
    });
    const finish = document.getElementById("finish-form");
    if (finish) finish.addEventListener("field:queued", stopWatch);  // no point after the patrol's end

    document.addEventListener("field:sent", function (event) {
      const item = event.detail.item;
      if (item.url !== trackUrl) return;
      const f = Object.fromEntries(item.fields);
      sent.push([Number(f.latitude), Number(f.longitude)]);
      solid.setLatLngs(sent);
      document.getElementById("track-count").textContent = String(event.detail.answer.points);
      showPending();
    });

    if (localStorage.getItem(storeKey)) startWatch();  // the page was reloaded mid-patrol
    else if (navigator.permissions && navigator.geolocation) {  // where a finding would be, without asking
      navigator.permissions.query({name: "geolocation"}).then(function (p) {
        if (p.state === "granted") {
          navigator.geolocation.getCurrentPosition(function (pos) {
            lastFix = [pos.coords.latitude, pos.coords.longitude];
            here.setLatLng(lastFix).addTo(map);
          }, function () {});
        }
      }).catch(function () {});
    }
    showPending().then(fit);
  });
})();
