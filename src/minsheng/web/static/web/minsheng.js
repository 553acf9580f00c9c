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


  let comboboxCount = 0;

  function initCombobox(select) {
    // A type-ahead over the server's unit list (data-combobox is its URL) in front of a select that
    // stays in the form, hidden: picking an option selects it there, so the form posts as before.
    // ARIA 1.2 combobox: ↓/↑ move, Enter picks, Esc closes, Backspace in an empty box removes the last pick.
    const n = ++comboboxCount, multiple = select.multiple, ds = select.dataset;
    const wrap = document.createElement("div");
    wrap.className = "combobox";
    const chips = document.createElement("ul");
    chips.className = "combobox-chips";
    const input = document.createElement("input");
    input.type = "text";
    input.autocomplete = "off";
    input.placeholder = ds.comboboxPlaceholder || "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    const list = document.createElement("ul");
    list.id = `combobox-${n}-list`;
    list.className = "combobox-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    if (multiple) list.setAttribute("aria-multiselectable", "true");
    const label = select.id && document.querySelector(`label[for="${select.id}"]`);
    input.id = `${select.id || "combobox-" + n}-combo`;
    if (label) label.htmlFor = input.id;
    wrap.append(chips, input, list);
    select.after(wrap);
    select.hidden = true;
    select.tabIndex = -1;
    let options = [], active = -1, timer = null, asked = 0;

    function optionFor(id) { return select.querySelector(`option[value="${CSS.escape(String(id))}"]`); }

    function render() {  // the picks: chips (multiple) or the box's text (single)
      chips.replaceChildren();
      const picked = Array.from(select.selectedOptions).filter(o => o.value);
      if (multiple) {
        picked.forEach(o => {
          const li = document.createElement("li"), remove = document.createElement("button");
          li.textContent = o.textContent + " ";
          remove.type = "button";
          remove.className = "link";
          remove.textContent = "×";
          remove.setAttribute("aria-label", `${ds.comboboxRemove || ""} ${o.textContent}`);
          remove.addEventListener("click", () => { o.selected = false; render(); input.focus(); });
          li.append(remove);
          chips.append(li);
        });
      } else if (document.activeElement !== input) {
        input.value = picked.length ? picked[0].textContent : "";
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      const items = list.querySelectorAll("[role=option]");
      if (!items.length) return;
      active = (i + items.length) % items.length;
      items.forEach((li, j) => li.classList.toggle("active", j === active));
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({block: "nearest"});
    }

    function show() {
      list.replaceChildren();
      options.forEach((u, i) => {
        const li = document.createElement("li"), o = optionFor(u.id);
        li.id = `combobox-${n}-opt-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", o && o.selected ? "true" : "false");
        li.textContent = u.name;
        if (u.parent) {
          const small = document.createElement("small");
          small.textContent = ` · ${u.parent}`;
          li.append(small);
        }
        li.addEventListener("mousedown", e => { e.preventDefault(); pick(i); });
        list.append(li);
      });
      if (!options.length) {
        const li = document.createElement("li");
        li.className = "muted";
        li.textContent = ds.comboboxEmpty || "";
        list.append(li);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (options.length) highlight(0);
    }

    function pick(i) {
      const o = optionFor(options[i].id);
      if (!o) return;  // not a unit this field accepts
      if (multiple) {
        o.selected = !o.selected;
        input.value = "";
      } else {
        o.selected = true;
        input.value = o.textContent;
      }
      select.dispatchEvent(new Event("change", {bubbles: true}));
      render();
      close();
    }

    function search() {
      const ticket = ++asked;
      fetch(`${ds.combobox}?q=${encodeURIComponent(input.value.trim())}`, {headers: {Accept: "application/json"}})
        .then(r => r.ok ? r.json() : Promise.reject(r.status))
        .then(data => {
          if (ticket !== asked) return;  // an older answer, overtaken by what was typed since
          options = data.results.filter(u => optionFor(u.id));
          show();
        })
        .catch(() => {  // no answer: search the select's own options instead
          const needle = input.value.trim();
          options = Array.from(select.options).filter(o => o.value && o.textContent.includes(needle))
            .slice(0, 20).map(o => ({id: o.value, name: o.textContent, parent: ""}));
          show();
        });
    }

    input.addEventListener("input", () => {
      if (!multiple && !input.value.trim()) {  // emptied: back to the field's blank choice
        const blank = optionFor("");
        if (blank) blank.selected = true;
      }
      asked++;  // answers to what was typed before are stale now
      close();
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener("focus", () => { if (multiple) search(); });
    input.addEventListener("blur", () => { close(); if (multiple) input.value = ""; render(); });
    input.addEventListener("keydown", e => {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (list.hidden) { search(); return; }
        highlight(active + (e.key === "ArrowDown" ? 1 : -1));
      } else if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();  // Enter picks; it never sends the form half-chosen (Ctrl+Enter still does)
        if (!list.hidden && active >= 0) pick(active);
      } else if (e.key === "Escape" && !list.hidden) {
        e.preventDefault();
        close();
      } else if (e.key === "Backspace" && multiple && !input.value) {
        const last = Array.from(select.selectedOptions).pop();
        if (last) { last.selected = false; render(); }
      }
    });
    render();
  }

  function initBulk(form) {
    // The queue's bulk bar: only the actions open on every ticked row stay choosable (the server
    // checks again on its confirmation page), and the bar says how many rows are ticked.
    const select = form.querySelector("select[name=action]"), count = form.querySelector("[data-bulk-count]");
    const boxes = Array.from(document.querySelectorAll(`input[type=checkbox][form="${form.id}"]`));
    function update() {
      const ticked = boxes.filter(b => b.checked);
      Array.from(select.options).forEach(o => {
        o.disabled = ticked.some(b => !b.dataset.actions.split(" ").includes(o.value));
      });
      if (select.selectedOptions[0] && select.selectedOptions[0].disabled) {
        const open = Array.from(select.options).find(o => !o.disabled);
        if (open) select.value = open.value;
      }
      form.querySelector("button[type=submit]").disabled = !ticked.length ||
        Array.from(select.options).every(o => o.disabled);
      if (count) count.textContent = ticked.length ? count.dataset.some.replace("{n}", ticked.length) : count.dataset.none;
    }
    boxes.forEach(b => b.addEventListener("change", update));
    update();
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
    // The language switch: a handler here, not in the page, as the Content-Security-Policy allows no
    // inline script; first, so that nothing a page's other parts do can leave it without one.
    document.querySelectorAll("select[data-submit-on-change]").forEach(s => s.addEventListener("change", () => s.form.submit()));
    document.querySelectorAll("form#bulk").forEach(initBulk);
    // A form for the keyboard (the operator's intake): Ctrl+Enter sends it, Alt+N sends it with
    // its "and next" button; after a refusal the first field in error takes the focus.
    const keyed = document.querySelector("form[data-shortcuts]");
    if (keyed) {
      document.addEventListener("keydown", e => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          keyed.requestSubmit(keyed.querySelector("button[type=submit]:not([name])"));
        } else if (e.altKey && !e.ctrlKey && (e.code === "KeyN" || e.key === "n")) {
          const next = keyed.querySelector("button[name=and_next]");
          if (next) { e.preventDefault(); keyed.requestSubmit(next); }
        }
      });
      const wrong = keyed.querySelector(".field .errorlist");
      const field = wrong && wrong.closest(".field").querySelector("input:not([type=hidden]), select, textarea");
      if (field) field.focus();
    }
    // Reply templates: the chosen one (already filled with the demand's values) goes into the form's
    // text box — in place of nothing, or after what was typed — and stays editable before sending.
    document.querySelectorAll("select[data-reply-into]").forEach(s => s.addEventListener("change", () => {
      const box = s.form.querySelector(`[name="${s.dataset.replyInto}"]`);
      if (!box || !s.value) return;
      box.value = box.value.trim() ? `${box.value.replace(/\s+$/, "")}\n${s.value}` : s.value;
      s.value = "";
      box.focus();
    }));
    document.querySelectorAll("select[data-combobox]").forEach(initCombobox);
    document.querySelectorAll("select[data-filter-placeholder]").forEach(initSelectFilter);
    document.querySelectorAll("[data-map]").forEach(initMap);
    document.querySelectorAll("[data-locate]").forEach(initLocate);
    // On a phone the navigation scrolls sideways: bring the current page's link into view.
    const nav = document.querySelector("header.top nav"), active = nav && nav.querySelector("a.active");
    if (active && nav.scrollWidth > nav.clientWidth) nav.scrollLeft = active.offsetLeft - nav.offsetLeft - 16;
    // An action that ends a demand or turns back someone's work asks first (the form says what).
    document.querySelectorAll("form[data-confirm]").forEach(f => f.addEventListener("submit", e => {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    }));
  });
})();
