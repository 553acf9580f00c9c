/* The resident's report form (/submit/): describe first, then a pin or an address (the server names
 * the community, grid and building), the category suggested from the text and searchable with
 * synonyms, nearby open demands that look the same (我也遇到), and photos compressed here and kept
 * in the page, so that a server-side validation error never drops them: the form is sent with
 * fetch, and an answer with errors replaces the form while the photos are attached again.
 * Without JavaScript the form still posts as a plain form. */
(function () {
  "use strict";

  const MAX_SIDE = 1600, QUALITY = 0.82, MAX_PHOTOS = 6;
  let kept = [];  // the compressed photos (File objects), across re-renders of the form

  function debounce(fn, ms) {
    let t = null;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  // Too many look-ups from one address: the server answers 429 with a message for the resident,
  // shown in the form's notice (the look-up itself is dropped; the form keeps working).
  function throttled(r) {
    if (r.status !== 429) return r;
    return r.json().then(data => {
      const notice = document.querySelector("[data-throttle-notice]");
      if (notice) {
        notice.textContent = data.message || "";
        notice.hidden = false;
        clearTimeout(notice.hideTimer);
        notice.hideTimer = setTimeout(() => { notice.hidden = true; }, 1000 * (data.retry_after || 30));
      }
      throw new Error("throttled");
    });
  }

  function getJSON(url, params) {
    const q = new URLSearchParams(params).toString();
    return fetch(q ? url + "?" + q : url, {headers: {"Accept": "application/json"}}).then(throttled)
      .then(r => r.json());
  }

  // --- photos ------------------------------------------------------------------------------------

  function compress(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file).then(bitmap => {
      const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 600 * 1024) return file;
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(resolve => canvas.toBlob(blob => {
        if (!blob || blob.size >= file.size) { resolve(file); return; }
        const name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
        resolve(new File([blob], name, {type: "image/jpeg", lastModified: Date.now()}));
      }, "image/jpeg", QUALITY));
    }).catch(() => file);
  }

  function syncInput(input) {
    // The input carries the kept photos too, so that a plain submission sends them.
    try {
      const dt = new DataTransfer();
      kept.forEach(f => dt.items.add(f));
      input.files = dt.files;
    } catch (e) { /* very old browsers: the fetch submission still sends `kept` */ }
  }

  function showPreviews(form) {
    const box = form.querySelector("[data-photo-previews]"), input = form.querySelector("input[name=photos]");
    if (!box || !input) return;
    box.textContent = "";
    kept.forEach((file, i) => {
      const fig = document.createElement("figure");
      const img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = file.name;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = "×";
      remove.setAttribute("aria-label", (box.dataset.remove || "remove") + " " + file.name);
      remove.addEventListener("click", () => { kept.splice(i, 1); syncInput(input); showPreviews(form); });
      fig.append(img, remove);
      box.append(fig);
    });
    syncInput(input);
  }

  function initPhotos(form) {
    const input = form.querySelector("input[name=photos]");
    if (!input) return;
    input.addEventListener("change", () => {
      const chosen = Array.from(input.files).filter(f => !kept.includes(f));
      Promise.all(chosen.map(compress)).then(files => {
        kept = kept.concat(files).slice(0, MAX_PHOTOS);
        showPreviews(form);
      });
    });
    showPreviews(form);
  }

  // --- where: the map, "use my location", the typed address ----------------------------------------

  function initPlace(form, refreshSimilar) {
    const el = form.querySelector("[data-report-map]");
    const status = form.querySelector("[data-place-status]");
    const lat = form.querySelector("[name=latitude]"), lng = form.querySelector("[name=longitude]");
    const address = form.querySelector("[name=address]");
    const choices = form.querySelector("[data-place-candidates]");
    let map = null, marker = null, fromAddress = false;  // fromAddress: the pin follows the typed address

    function say(data) {
      status.textContent = data.message || "";
      status.className = "place-status " + (data.status || "");
      if (!choices) return;
      choices.textContent = "";
      (data.candidates || []).forEach(c => choices.append(button(c.name, () => {
        address.value = c.name;
        lookUp();
      })));
    }

    function pin(latlng, fromUser) {
      if (!map) return;
      marker = marker ? marker.setLatLng(latlng) : L.marker(latlng, {keyboard: false}).addTo(map);
      if (fromUser) {
        lat.value = latlng.lat.toFixed(6);
        lng.value = latlng.lng.toFixed(6);
      }
      getJSON(form.dataset.placeUrl, {latitude: lat.value, longitude: lng.value, address: address.value})
        .then(data => { say(data); if (data.status === "resolved" && !address.value) address.placeholder = data.place; })
        .catch(() => {});
      refreshSimilar();
    }

    if (el && window.MinshengBasemap) {
      map = MinshengBasemap.map(el);
      el.reportMap = map;
      getJSON(form.dataset.geojson, {}).then(data => {
        const layer = L.geoJSON(data, {style: {color: "#b22222", weight: 1, fillOpacity: 0.04}}).addTo(map);
        if (lat.value && lng.value) map.setView([+lat.value, +lng.value], 17);
        else if (data.features.length) map.fitBounds(layer.getBounds());
        else map.setView([39.9, 116.4], 11);
      });
      if (lat.value && lng.value) pin(L.latLng(+lat.value, +lng.value), false);
      map.on("click", e => { fromAddress = false; pin(e.latlng, true); });
    }

    const locate = form.querySelector("[data-report-locate]");
    if (locate) locate.addEventListener("click", () => {
      if (!navigator.geolocation) { say({message: locate.dataset.unavailable}); return; }
      navigator.geolocation.getCurrentPosition(pos => {
        const here = L.latLng(pos.coords.latitude, pos.coords.longitude);
        fromAddress = false;
        if (map) map.setView(here, 17);
        pin(here, true);
      }, () => say({message: locate.dataset.unavailable}), {enableHighAccuracy: true, timeout: 10000});
    });

    const lookUp = debounce(() => {
      if (lat.value && !fromAddress) { refreshSimilar(); return; }  // a tapped pin decides; the address is the detail
      if (!address.value.trim()) { say({}); return; }
      getJSON(form.dataset.placeUrl, {address: address.value}).then(data => {
        say(data);
        if (data.pin) {  // a known building, house number or estate: the pin goes there
          fromAddress = true;
          lat.value = data.pin.latitude.toFixed(6);
          lng.value = data.pin.longitude.toFixed(6);
          if (map) marker = marker ? marker.setLatLng([data.pin.latitude, data.pin.longitude])
            : L.marker([data.pin.latitude, data.pin.longitude], {keyboard: false}).addTo(map);
        } else if (fromAddress) {  // the words no longer name a point: the pin they set goes
          lat.value = lng.value = "";
          if (marker) { marker.remove(); marker = null; }
        }
        if (map && data.latitude != null) map.setView([data.latitude, data.longitude], data.zoom || 15);
        refreshSimilar();
      }).catch(() => {});
    }, 400);
    address.addEventListener("input", lookUp);
    if (!lat.value && address.value.trim()) lookUp();  // the form came back with an address typed
  }

  // --- what: the suggested category, the search with synonyms, the nearby look-alikes ---------------

  function choose(form, code) {
    const select = form.querySelector("select[name=category]");
    select.value = code;
    select.dispatchEvent(new Event("change"));
  }

  function button(label, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "chip";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function initCategory(form) {
    const text = form.querySelector("[name=description]");
    const box = form.querySelector("[data-suggestion]");
    const search = form.querySelector("[data-category-search]"), results = form.querySelector("[data-category-results]");
    const select = form.querySelector("select[name=category]");
    text.addEventListener("input", debounce(() => {
      if (text.value.trim().length < 4) { box.hidden = true; return; }
      getJSON(form.dataset.suggestionsUrl, {text: text.value}).then(data => {
        box.textContent = "";
        if (!data.results.length || select.value) { box.hidden = true; return; }
        box.append(document.createTextNode(form.dataset.suggestIntro + " "));
        data.results.forEach(r => box.append(button(r.label, () => { choose(form, r.code); box.hidden = true; })));
        box.hidden = false;
      }).catch(() => {});
    }, 500));
    search.addEventListener("input", debounce(() => {
      results.textContent = "";
      if (!search.value.trim()) return;
      getJSON(form.dataset.categoriesUrl, {q: search.value}).then(data => {
        results.textContent = "";
        if (!data.results.length) { results.textContent = form.dataset.noCategory || ""; return; }
        data.results.forEach(r => results.append(button(r.label, () => {
          choose(form, r.code); results.textContent = ""; search.value = "";
        })));
      }).catch(() => {});
    }, 250));
  }

  function similarRefresher(form) {
    const panel = form.querySelector("[data-similar]");
    const text = form.querySelector("[name=description]");
    return debounce(() => {
      const params = {description: text.value, latitude: form.querySelector("[name=latitude]").value,
                      longitude: form.querySelector("[name=longitude]").value,
                      address: form.querySelector("[name=address]").value,
                      category: form.querySelector("select[name=category]").value};
      if (text.value.trim().length < 4 || (!params.latitude && !params.address.trim())) { panel.textContent = ""; return; }
      fetch(form.dataset.similarUrl + "?" + new URLSearchParams(params).toString())
        .then(throttled).then(r => r.text()).then(html => { panel.innerHTML = html; }).catch(() => {});
    }, 500);
  }

  // --- sending ------------------------------------------------------------------------------------

  function initSubmit(form) {
    form.addEventListener("submit", event => {
      if (!window.fetch || !window.FormData) return;
      event.preventDefault();
      const data = new FormData(form, event.submitter || undefined);
      data.delete("photos");
      const joining = event.submitter && event.submitter.name === "join";
      if (!joining) kept.forEach(f => data.append("photos", f, f.name));
      const sending = form.querySelector("[data-sending]");
      if (sending) sending.hidden = false;
      form.querySelectorAll("button[type=submit]").forEach(b => { b.disabled = true; });
      fetch(form.action || window.location.href, {method: "POST", body: data, credentials: "same-origin"})
        .then(response => {
          if (response.redirected) { window.location.assign(response.url); return null; }
          return response.text();
        })
        .then(html => {
          if (html == null) return;
          const doc = new DOMParser().parseFromString(html, "text/html");
          const fresh = doc.getElementById("report-form");
          if (!fresh) { document.open(); document.write(html); document.close(); return; }
          form.replaceWith(fresh);
          init(fresh);
          const problem = fresh.querySelector("[data-field] .errorlist") || fresh.querySelector(".errorlist");
          if (problem) problem.scrollIntoView({block: "center"});
        })
        .catch(() => {
          form.querySelectorAll("button[type=submit]").forEach(b => { b.disabled = false; });
          if (sending) sending.textContent = form.dataset.offline || "";
        });
    });
  }

  function init(form) {
    const refresh = similarRefresher(form);
    initPhotos(form);
    initPlace(form, refresh);
    initCategory(form);
    form.querySelector("[name=description]").addEventListener("input", refresh);
    initSubmit(form);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("report-form");
    if (form) init(form);
  });
})();
