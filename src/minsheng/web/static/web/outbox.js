/* The field app's offline queue and its one sender, shared by the pages (web/field.js loads it as a
 * script) and the service worker (/sw.js loads it with importScripts and sends from its
 * Background Sync event): an item is stored and sent the same way whoever sends it.
 *
 * The queue is the IndexedDB store "outbox" of the database "minsheng-field" (reachable from the
 * worker; localStorage is not).  Each item is posted with
 *   - its UUID as Idempotency-Key: the server answers a replay with the first answer and records
 *     nothing twice (web.field.replayable), so a page and the worker sending the same item, or an
 *     answer lost in a basement, still make one record;
 *   - X-Minsheng-Account, the account that queued it: the server keeps (answers "retry") an item of
 *     another account than the session's, so a phone shared by two workers never records one's
 *     item under the other's name;
 *   - X-CSRFToken: the page's token when a page sends; from the worker the csrftoken cookie (read
 *     through cookieStore where there is one), else the token stored with the item when queued.
 * A page and the worker never send at once: their passes take the same Web Lock (without the API
 * the idempotency key still makes a double send one record).
 *
 * What a pass does with each answer: a JSON 2xx removes the item (sent); a JSON 4xx is the server's
 * refusal, kept as "failed" with its reason until the worker discards it on 待发送; a JSON answer
 * asking to retry, a redirect to sign-in, a stale CSRF token, a server error or no network keep
 * the item "pending" with the problem noted, to be sent again later.
 */
(function (scope) {
  "use strict";

  const DB = "minsheng-field", STORE = "outbox", LOCK = "minsheng-outbox";
  const TAG = "minsheng-outbox";  // the Background Sync tag
  const LIST_CACHE = "minsheng-lists";

  // --- IndexedDB -------------------------------------------------------------------------------
  function open() {
    return new Promise(function (resolve, reject) {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, {keyPath: "key"}); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        const t = db.transaction(STORE, mode);
        const result = work(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }

  /* Every item, oldest first (the order they were recorded in). */
  function all() {
    return tx("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.created < b.created ? -1 : 1; });
    });
  }
  function put(item) { return tx("readwrite", function (store) { store.put(item); }); }
  function remove(key) { return tx("readwrite", function (store) { store.delete(key); }); }

  // --- sending -----------------------------------------------------------------------------------
  function post(item, token) {
    const body = new FormData();
    item.fields.forEach(function (f) { body.append(f[0], f[1]); });
    item.files.forEach(function (f) { body.append(f[0], f[1], f[2]); });
    const headers = {"Idempotency-Key": item.key, "X-CSRFToken": token || "", "Accept": "application/json"};
    if (item.user !== undefined && item.user !== null) headers["X-Minsheng-Account"] = String(item.user);
    return fetch(item.url, {method: "POST", body: body, credentials: "same-origin", redirect: "manual",
                            headers: headers});
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }

  /* Send one item and note the outcome on it: "sent" (removed from the store), "failed" (refused,
   * with the server's reason) or "pending" (kept; item.problem says why: offline, signin, server). */
  function sendOne(item, token) {
    return post(item, token).then(function (response) {
      if (isJson(response) && response.status < 500) {
        return response.json().then(function (answer) {
          if (response.ok) {
            return remove(item.key).then(function () { return {outcome: "sent", item: item, answer: answer}; });
          }
          if (answer.retry) {  // kept for later (another account signed in on this phone)
            item.state = "pending"; item.problem = ""; item.error = answer.error || "";
          } else {
            item.state = "failed"; item.problem = ""; item.error = answer.error || String(response.status);
          }
          return put(item).then(function () { return {outcome: item.state, item: item}; });
        });
      }
      // Signed out (a redirect to the login page), a stale CSRF token or a server error: kept.
      item.state = "pending"; item.error = "";
      item.problem = response.type === "opaqueredirect" || response.status === 403 ? "signin" : "server";
      item.status = response.status;
      return put(item).then(function () { return {outcome: "pending", item: item}; });
    }, function () {
      item.state = "pending"; item.error = ""; item.problem = "offline";
      return put(item).then(function () { return {outcome: "pending", item: item}; });
    });
  }

  function online() { return !scope.navigator || scope.navigator.onLine !== false; }

  /* One pass over the queue, oldest first.  options:
   *   account — send only this account's items (a page); undefined sends every account's (the
   *             worker, which does not know who is signed in: the server keeps the others' items);
   *   token(item) — the CSRF token to send the item with (a string or a promise of one);
   *   changed() — called when an item's state changes (the page redraws its list and count).
   * Resolves to {sent: [{item, answer}], failed: [item], pending: [item]}. */
  function pass(options) {
    const result = {sent: [], failed: [], pending: []};
    const changed = options.changed || function () {};
    return all().then(function (items) {
      let chain = Promise.resolve();
      items.filter(function (i) {
        return i.state !== "failed" && (options.account === undefined || i.user === options.account);
      }).forEach(function (item) {
        chain = chain.then(function () {
          if (!online()) { result.pending.push(item); return; }
          item.state = "sending"; item.tries = (item.tries || 0) + 1;
          return put(item).then(changed).then(function () {
            return Promise.resolve(options.token ? options.token(item) : item.csrf);
          }).then(function (token) { return sendOne(item, token); }).then(function (done) {
            if (done.outcome === "sent") result.sent.push({item: done.item, answer: done.answer});
            else result[done.outcome].push(done.item);
            return changed();
          });
        });
      });
      return chain;
    }).then(function () {
      // The lists cached by the worker now differ from the server's: dropped, so none hides this.
      if (result.sent.length && scope.caches) return scope.caches.delete(LIST_CACHE);
    }).then(function () { return result; });
  }

  /* A pass under the queue's lock: a page and the worker never send the same item at once. */
  function flush(options) {
    const locks = scope.navigator && scope.navigator.locks;
    if (locks && locks.request) return locks.request(LOCK, function () { return pass(options); });
    return pass(options);
  }

  /* From a page: ask the service worker to send the queue when the connection returns, even if no
   * page of the app is open then (Background Sync; Chromium).  Resolves to whether it was
   * registered: where the browser has none, the pages keep sending it themselves. */
  function requestSync() {
    const container = scope.navigator && scope.navigator.serviceWorker;
    if (!container) return Promise.resolve(false);
    return container.ready.then(function (registration) {
      if (!registration.sync) return false;
      return registration.sync.register(TAG).then(function () { return true; });
    }).catch(function () { return false; });
  }

  /* An item as a message can carry it (the worker tells the pages what it sent). */
  function summary(item) {
    return {key: item.key, url: item.url, label: item.label, fields: item.fields, page: item.page,
            reload: item.reload, user: item.user};
  }

  scope.MinshengOutbox = {TAG: TAG, LIST_CACHE: LIST_CACHE, all: all, put: put, remove: remove, flush: flush,
                          requestSync: requestSync, summary: summary};
})(self);
