/* The field app's service worker (served by web.views.field.service_worker at /sw.js).
 * Workbox, vendored under static (web/vendor/workbox), nothing from a CDN.
 *   - static files: stale-while-revalidate (their names do not change with their content);
 *   - basemap tiles: cache-first, at most 2,000, 30 days;
 *   - the day's lists (config.lists): stale-while-revalidate — shown at once, refreshed behind;
 *     field.js drops this cache whenever a form is sent, so a list never hides what one just did;
 *   - every other page: network-first, the cached copy after 4 s or when offline;
 *   - anything that is not a GET (forms) goes to the network: the page's queue keeps what fails;
 *   - Background Sync (Chromium): a page that queues something registers the tag "minsheng-outbox";
 *     the browser fires "sync" here when the connection is back, even with no page of the app open,
 *     and the queue is sent by the same sender as the pages' (web/outbox.js), then the open pages
 *     are told (postMessage) so their count of what waits follows.
 */
"use strict";
const CONFIG = {{ config|safe }};
importScripts(CONFIG.workbox + "/workbox-sw.js", CONFIG.outbox);
workbox.setConfig({modulePathPrefix: CONFIG.workbox, debug: false});
workbox.loadModule("workbox-core");
workbox.loadModule("workbox-routing");
workbox.loadModule("workbox-strategies");
workbox.loadModule("workbox-expiration");
workbox.loadModule("workbox-cacheable-response");

const {registerRoute, setCatchHandler} = workbox.routing;
const {NetworkFirst, StaleWhileRevalidate, CacheFirst} = workbox.strategies;
const {ExpirationPlugin} = workbox.expiration;
const {CacheableResponsePlugin} = workbox.cacheableResponse;
const ok = new CacheableResponsePlugin({statuses: [200]});

workbox.core.setCacheNameDetails({prefix: "minsheng"});
workbox.core.clientsClaim();
self.addEventListener("install", function () { self.skipWaiting(); });

const same = function (url) { return url.origin === self.location.origin; };

registerRoute(function ({url}) { return same(url) && url.pathname.startsWith(CONFIG.static); },
  new StaleWhileRevalidate({cacheName: "minsheng-static", plugins: [ok]}));

registerRoute(function ({url}) { return same(url) && url.pathname.startsWith("/tiles/"); },
  new CacheFirst({cacheName: "minsheng-tiles",
                  plugins: [ok, new ExpirationPlugin({maxEntries: 2000, maxAgeSeconds: 30 * 86400})]}));

registerRoute(function ({request, url}) {
  return request.mode === "navigate" && same(url) && CONFIG.lists.indexOf(url.pathname) !== -1;
}, new StaleWhileRevalidate({cacheName: "minsheng-lists", plugins: [ok]}));

registerRoute(function ({request, url}) { return request.mode === "navigate" && same(url); },
  new NetworkFirst({cacheName: "minsheng-pages", networkTimeoutSeconds: 4,
                    plugins: [ok, new ExpirationPlugin({maxEntries: 60})]}));

// A page never opened online: the queue page (always cached by field.js) says what is waiting.
setCatchHandler(async function ({request}) {
  if (request.mode === "navigate") {
    const cached = await caches.match(CONFIG.queue);
    if (cached) return cached;
  }
  return Response.error();
});


// --- Background Sync: the queue sent from here ----------------------------------------------------
// The CSRF token: the csrftoken cookie as it is now (cookieStore, where the browser has it), else the
// token the page stored with the item when it was queued.
function csrfToken(item) {
  if (!self.cookieStore) return item.csrf || "";
  return self.cookieStore.get(CONFIG.csrfCookie).then(function (cookie) {
    return cookie && cookie.value ? cookie.value : item.csrf || "";
  }, function () { return item.csrf || ""; });
}

function sendQueue() {
  return MinshengOutbox.flush({token: csrfToken}).then(function (result) {
    return self.clients.matchAll({type: "window", includeUncontrolled: true}).then(function (pages) {
      const message = {type: "minsheng-outbox", sent: result.sent.map(function (s) {
        return {item: MinshengOutbox.summary(s.item), answer: s.answer};
      }), failed: result.failed.length, pending: result.pending.length};
      pages.forEach(function (page) { page.postMessage(message); });
      return result;
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== MinshengOutbox.TAG) return;
  event.waitUntil(sendQueue().then(function (result) {
    // No network or the server down: failing the event makes the browser try again later (with
    // back-off).  Signed out or refused items wait for the worker, not for another attempt.
    const again = result.pending.some(function (i) { return i.problem === "offline" || i.problem === "server"; });
    if (again) throw new Error("the queue waits for the connection");
  }));
});

// A page (or a test) may ask the worker to send now: {type: "minsheng-outbox-send"}.
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "minsheng-outbox-send") event.waitUntil(sendQueue());
});
