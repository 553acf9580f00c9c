/* The field app (grid workers, station agents, care workers, volunteers): the service worker, the
 * offline queue and the bottom bar's count of what waits.
 *
 * A form marked data-queue is not posted by the browser: its fields and files (photos shrunk
 * here first) go into the queue (web/outbox.js: IndexedDB and the one sender, shared with the
 * service worker) with a UUID made now, then the queue is sent — at once when online, else when
 * the connection returns: by the service worker's Background Sync where the browser has it
 * (Chromium), even with no page of the app open, and by any open page (the "online" event, a
 * visible page, every 20 s) everywhere.  Each item is posted with its UUID as Idempotency-Key
 * (web.field.replayable on the server), so an item sent twice is still one record.  An item the
 * server refuses stays in the queue, marked with the reason, until the worker discards it:
 * nothing typed on a phone is dropped silently.  A form refused as it is sent (online: a phone
 * number mistyped) gets what was typed back, photos included, beside the reason, and its item
 * leaves the queue: the worker corrects it there rather than typing it all again.  Pages with
 * their own recording (the patrol's track, the visit's signature) call MinshengField.enqueue.
 */
(function () {
  "use strict";

  const LIST_CACHE = "minsheng-lists", PAGE_CACHE = "minsheng-pages";
  const MAX_SIDE = 1600, JPEG_QUALITY = 0.8;
  let texts = {};
  let flushing = null;
  let account = null;  // the signed-in account: a phone shared by two workers sends each one's own items

  function text(key) { return texts[key] || key; }

  // The store and the sender are web/outbox.js's, shared with the service worker.
  const outbox = window.MinshengOutbox;
  function all() { return outbox.all(); }
  function put(item) { return outbox.put(item); }
  function remove(key) { return outbox.remove(key); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // --- photos are shrunk on the phone: a 12-megapixel photo is 4 MB, sent from a basement ----------
  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bitmap) {
      const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 400 * 1024) return file;
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) return resolve(file);
          resolve(new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", {type: "image/jpeg"}));
        }, "image/jpeg", JPEG_QUALITY);
      });
    }).catch(function () { return file; });
  }

  // --- the queue ---------------------------------------------------------------------------------
  /* Add an item: {url, label, fields: [[name, value]], files: [[name, Blob, filename]]}.  The page's
   * CSRF token is stored with it for the service worker, which has no page to read it from. */
  function enqueue(item) {
    const full = Object.assign({key: uuid(), user: account, created: new Date().toISOString(), state: "pending", error: "",
                                problem: "", tries: 0, files: [], csrf: csrfToken()}, item);
    return put(full).then(function () { refresh(); outbox.requestSync(); flush(); return full; });
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  /* What the page does once items are in, whoever sent them (this page or the service worker). */
  function arrived(sent) {
    let reload = false;
    sent.forEach(function (s) {
      reload = reload || (s.item.reload && s.item.page === window.location.pathname);
      document.dispatchEvent(new CustomEvent("field:sent", {detail: {item: s.item, answer: s.answer}}));
    });
    // A form whose page shows what it changed (the task recorded, the patrol ended): the page it
    // was sent from, if still open, is shown afresh.
    if (reload) window.location.reload();
  }

  function flushOnce() {
    if (!navigator.onLine) return refresh();
    return outbox.flush({account: account, token: csrfToken, changed: refresh}).then(function (result) {
      // Still waiting (no network, signed out, the server down): the worker sends it when it can.
      if (result.pending.length) outbox.requestSync();
      arrived(result.sent);
    });
  }

  function flush() {
    if (!window.indexedDB || !outbox) return Promise.resolve();
    if (!flushing) {
      flushing = flushOnce().catch(function () {}).then(function () { flushing = null; refresh(); });
    }
    return flushing;
  }

  // --- what the pages show ---------------------------------------------------------------------------
  function formatTime(iso) {
    const d = new Date(iso);
    return String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0") + " " +
      String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function renderList(list, items) {
    list.replaceChildren();
    items.forEach(function (item) {
      const li = document.createElement("li");
      li.className = "queue-item " + item.state;
      li.dataset.state = item.state;
      const title = document.createElement("strong");
      title.textContent = item.label;
      const meta = document.createElement("span");
      meta.className = "muted";
      const why = item.error || (item.problem ? text(item.problem) + (item.problem === "server" ? " " + item.status : "") : "");
      meta.textContent = " " + formatTime(item.created) + " · " + text(item.state) +
        (item.files.length ? " · " + text("photos").replace("%s", item.files.length) : "");
      li.append(title, meta);
      if (why) {
        const reason = document.createElement("p");
        reason.className = item.state === "failed" ? "error" : "muted";
        reason.textContent = why;
        li.append(reason);
      }
      if (item.state === "failed") {
        const drop = document.createElement("button");
        drop.type = "button"; drop.className = "secondary"; drop.textContent = text("discard");
        drop.addEventListener("click", function () {
          if (window.confirm(text("confirmDiscard"))) remove(item.key).then(refresh);
        });
        li.append(" ", drop);
      }
      list.append(li);
    });
  }

  function refresh() {
    if (!window.indexedDB || !outbox) return Promise.resolve();
    return all().then(function (items) {
      items = items.filter(function (i) { return i.user === account; });
      const waiting = items.length;
      document.querySelectorAll("[data-queue-count]").forEach(function (el) {
        el.textContent = waiting ? String(waiting) : "";
        el.hidden = !waiting;
      });
      document.querySelectorAll("[data-queue-list]").forEach(function (list) { renderList(list, items); });
      document.querySelectorAll("[data-queue-empty]").forEach(function (el) { el.hidden = waiting > 0; });
      const banner = document.querySelector("[data-connection]");
      if (banner) {
        banner.hidden = navigator.onLine && !waiting;
        banner.textContent = navigator.onLine ? text("waiting").replace("%s", waiting) : text("offlineBanner");
        banner.classList.toggle("offline", !navigator.onLine);
      }
    }).catch(function () {});
  }

  // --- forms that queue ------------------------------------------------------------------------------
  /* Put a refused item's fields and photos back into the form it came from.  False when some of it
   * cannot go back (a file the page added itself, a browser that lets no page set a file input):
   * then the item stays in the queue with its reason, as before. */
  function restore(form, item) {
    // A record the page made itself (the visit's signature pad, its check-in times): kept whole.
    if ((form.extraFiles || []).length) return false;
    const byName = {};
    item.files.forEach(function (f) { (byName[f[0]] = byName[f[0]] || []).push(f); });
    const inputs = {};
    for (const name of Object.keys(byName)) {
      const input = form.querySelector('input[type=file][name="' + name + '"]');
      if (!input || input.hidden || typeof DataTransfer === "undefined") return false;
      inputs[name] = input;
    }
    const values = {};
    item.fields.forEach(function (f) { (values[f[0]] = values[f[0]] || []).push(f[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "file") return;
      const given = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") el.checked = given.indexOf(el.value) !== -1;
      else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = given.indexOf(o.value) !== -1; });
      } else if (given.length) el.value = given.shift();
    });
    Object.keys(inputs).forEach(function (name) {
      const files = new DataTransfer();
      byName[name].forEach(function (f) { files.items.add(new File([f[1]], f[2], {type: f[1].type})); });
      inputs[name].files = files.files;
      inputs[name].dispatchEvent(new Event("change", {bubbles: true}));  // the previews are drawn again
    });
    return true;
  }

  function queueForm(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.dataset.busy) return;
      const ready = new CustomEvent("field:before-queue", {cancelable: true});
      if (!form.dispatchEvent(ready) || !form.reportValidity()) return;
      form.dataset.busy = "1";
      const data = new FormData(form), fields = [], files = [];
      data.forEach(function (value, name) {
        if (name === "csrfmiddlewaretoken") return;
        if (value instanceof File) { if (value.size) files.push([name, value]); } else fields.push([name, value]);
      });
      (form.extraFiles || []).forEach(function (f) { files.push([f[0], f[1]]); });
      Promise.all(files.map(function (f) {
        return shrink(f[1]).then(function (file) { return [f[0], file, file.name || "file"]; });
      })).then(function (shrunk) {
        const label = form.dataset.queueLabel + (form.dataset.queueTitle
          ? "：" + (form.querySelector("[name=" + form.dataset.queueTitle + "]") || {}).value : "");
        return enqueue({url: form.action, label: label, fields: fields, files: shrunk,
                        reload: form.dataset.queueReload !== undefined, page: window.location.pathname});
      }).then(function (item) {
        form.reset();
        // A form that is done once (a wish fulfilled): not offered again while its item waits.
        if (form.hasAttribute("data-queue-once")) {
          form.querySelectorAll("input, textarea, select, button").forEach(function (el) { el.disabled = true; });
        }
        form.dispatchEvent(new CustomEvent("field:queued", {detail: item}));
        const note = form.querySelector("[data-queue-note]");
        if (note) { note.hidden = false; note.textContent = navigator.onLine ? text("sending") : text("queued"); }
        return flush().then(function () { return all(); }).then(function (items) {
          const left = items.find(function (i) { return i.key === item.key; });
          if (left && note) {
            note.textContent = left.state === "failed" ? left.error : text("queued");
            note.className = left.state === "failed" ? "error" : "muted";
          }
          if (left && left.state === "failed" && restore(form, left)) {
            if (form.hasAttribute("data-queue-once")) {  // offered again: it was not done
              form.querySelectorAll("input, textarea, select, button").forEach(function (el) { el.disabled = false; });
            }
            return remove(left.key).then(refresh);
          }
        });
      }).finally(function () { delete form.dataset.busy; });
    });
  }

  // --- the service worker and the day's pages in its cache ------------------------------------------
  function warm(urls) {
    if (!window.caches || !navigator.onLine) return;
    const last = Number(localStorage.getItem("minsheng-warmed") || 0);
    if (Date.now() - last < 10 * 60 * 1000) return;
    localStorage.setItem("minsheng-warmed", String(Date.now()));
    urls.forEach(function (entry) {
      // Marked as a prefetch: the page leaves one-off messages for the worker's own next view.
      fetch(entry.url, {credentials: "same-origin", headers: {"X-Minsheng-Prefetch": "1"}}).then(function (response) {
        if (response.ok && !response.redirected) {
          return caches.open(entry.list ? LIST_CACHE : PAGE_CACHE).then(function (c) { return c.put(entry.url, response); });
        }
      }).catch(function () {});
    });
  }

  function forget() {  // signing out: nothing of this account stays in the phone's page caches
    localStorage.removeItem("minsheng-warmed");
    if (window.caches) [LIST_CACHE, PAGE_CACHE].forEach(function (name) { caches.delete(name); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const config = document.getElementById("field-config");
    if (!config) return;
    const cfg = JSON.parse(config.textContent);
    texts = cfg.texts;
    account = cfg.user;
    document.querySelectorAll("form[data-queue]").forEach(queueForm);
    // Any other form sent changes what the lists show: drop their cached copies first.
    document.addEventListener("submit", function (event) {
      if (!event.target.hasAttribute("data-queue") && window.caches) caches.delete(LIST_CACHE);
    }, true);
    const logout = document.querySelector("form[action='" + cfg.logout + "']");
    if ("serviceWorker" in navigator) {
      // The service worker sent items (Background Sync): the count, the list and the page follow.
      navigator.serviceWorker.addEventListener("message", function (event) {
        const data = event.data || {};
        if (data.type !== "minsheng-outbox") return;
        refresh();
        arrived((data.sent || []).filter(function (s) { return s.item.user === account; }));
      });
      navigator.serviceWorker.startMessages();
    }
    if (logout) logout.addEventListener("submit", function (event) {
      all().then(function (items) { return items.length; }, function () { return 0; }).then(function (waiting) {
        if (waiting && !window.confirm(text("logoutWaiting").replace("%s", waiting))) return;
        forget();
        logout.submit();
      });
      event.preventDefault();
    });
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(cfg.sw, {scope: "/"}).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function () { warm(cfg.warm); }).catch(function () {});
    }
    window.addEventListener("online", flush);
    window.addEventListener("offline", refresh);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) flush(); });
    setInterval(flush, 20000);
    refresh();
    flush();
  });

  window.MinshengField = {enqueue: enqueue, flush: flush, all: all, refresh: refresh, shrink: shrink,
                          text: text};
})();
