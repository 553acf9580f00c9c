/* Screen pop: ask every 750 ms which call this operator has on the line; when a new one is
   answered, fetch its card and show it.  No inline script (the CSP forbids it). */
(function () {
  "use strict";
  var box = document.getElementById("call-pop");
  // No token: a page before the second factor is given (calls/poll.py), which may not poll.
  if (!box || !window.fetch || !box.getAttribute("data-poll-token")) { return; }
  var liveUrl = box.getAttribute("data-live-url");
  var popUrl = box.getAttribute("data-pop-url");
  // Every 750 ms: a call answered between two polls shows within one interval plus two small requests (< 1 s).
  var interval = Number(box.getAttribute("data-interval")) || 750;
  var shown = null;
  // The intake form filed from a call is that call's page: its card would only cover the form.
  var filing = document.querySelector("form input[name=call]");
  var closed = filing ? Number(filing.value) : null;

  function show(id) {
    var url = popUrl.replace("/0/", "/" + id + "/") + "?next=" + encodeURIComponent(location.pathname + location.search);
    fetch(url, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}}).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html === null || shown !== id) { return; }
      box.innerHTML = html;
      box.hidden = false;
      box.classList.remove("ended");
    }).catch(function () { shown = null; });
  }

  // The poll names this page's session with its token and sends back the answer's version: an
  // unchanged answer is a bodiless 304 (calls/poll.py).
  var token = box.getAttribute("data-poll-token") || "";
  var version = null;

  function signedOut() {
    // The session has ended (signed out elsewhere, or idle: a poll is not activity).  Reloading
    // lets the page's own request sign the user out and take the caller's card off the screen;
    // at most once a minute, so that a page refused for another reason cannot reload for ever.
    var last = Number(sessionStorage.getItem("call-pop-reloaded")) || 0;
    box.hidden = true;
    box.innerHTML = "";
    if (Date.now() - last > 60000) {
      sessionStorage.setItem("call-pop-reloaded", String(Date.now()));
      location.reload();
    }
  }

  function tick() {
    var headers = {"X-Call-Poll": token};
    if (version) { headers["If-None-Match"] = version; }
    fetch(liveUrl, {credentials: "same-origin", cache: "no-store", headers: headers}).then(function (r) {
      if (r.status === 304) { return undefined; }
      if (r.status === 401 || r.status === 403) { return null; }
      if (!r.ok) { return undefined; }  // a passing fault (a restart): ask again at the next tick
      version = r.headers.get("ETag");
      return r.json();
    }).then(function (data) {
      if (data === null) {
        signedOut();
        return false;
      }
      if (data === undefined) { return true; }
      var id = data.call;
      if (id && id !== shown && id !== closed) {
        shown = id;
        show(id);
      } else if (!id && shown) {
        box.classList.add("ended");  // hung up: the card stays until closed, marked as ended
        shown = null;
      }
      return true;
    }).catch(function () { return true; }).then(function (again) {
      if (again) { setTimeout(tick, interval); }
    });
  }

  box.addEventListener("click", function (event) {
    if (event.target.hasAttribute("data-call-pop-close")) {
      var card = box.querySelector("[data-call]");
      closed = card ? Number(card.getAttribute("data-call")) : null;
      box.hidden = true;
    }
  });
  tick();
}());
