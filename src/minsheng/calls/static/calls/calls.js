/* Screen pop: ask every 750 ms which call this operator has on the line; when a new one is
   answered, fetch its card and show it.  No inline script (the CSP forbids it).

   The card folds into a slim bar (call state, masked number, time on the line) with the bar's
   button, the card's 收起, Alt+C, or Escape inside the card; the choice is kept in localStorage,
   so the next page opens the same way, and a new call unfolds it by itself. */
(function () {
  "use strict";
  var box = document.getElementById("call-pop");
  // No token: a page before the second factor is given (calls/poll.py), which may not poll.
  if (!box || !window.fetch || !box.getAttribute("data-poll-token")) { return; }
  var liveUrl = box.getAttribute("data-live-url");
  var popUrl = box.getAttribute("data-pop-url");
  var body = document.getElementById("call-pop-body");
  var toggle = document.getElementById("call-pop-toggle");
  var stateText = box.querySelector(".call-bar-state");
  var callerText = box.querySelector(".call-bar-caller");
  var timeText = box.querySelector(".call-bar-time");
  // Every 750 ms: a call answered between two polls shows within one interval plus two small requests (< 1 s).
  var interval = Number(box.getAttribute("data-interval")) || 750;
  var shown = null;
  // The intake form filed from a call is that call's page: its card would only cover the form,
  // so there it stays folded into the bar (which still shows the call and its time).
  var filing = document.querySelector("form input[name=call]");
  var filingCall = filing ? Number(filing.value) : null;
  var dismissed = null;  // the call whose bar was closed: it shows again only as a new call
  var since = null;      // when the call began, by this page's clock (the server says how long ago)
  var timer = null;

  var COLLAPSED = "minsheng.callPop.collapsed", SEEN = "minsheng.callPop.call";
  function stored(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, value); } catch (e) { /* private mode: the choice lasts this page */ }
  }

  function setExpanded(open, remember) {
    box.classList.toggle("collapsed", !open);
    body.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (remember) { store(COLLAPSED, open ? "0" : "1"); }
  }

  function clockText(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    return (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }
  function tickClock() {
    if (since !== null) { timeText.textContent = clockText(Math.max(0, Math.round((Date.now() - since) / 1000))); }
  }
  function stopClock() {
    if (timer) { clearInterval(timer); timer = null; }
    tickClock();
  }

  function showBox(visible) {
    box.hidden = !visible;
    document.body.classList.toggle("call-pop-on", visible);
  }

  function show(id) {
    var url = popUrl.replace("/0/", "/" + id + "/") + "?next=" + encodeURIComponent(location.pathname + location.search);
    fetch(url, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}}).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html === null || shown !== id) { return; }
      body.innerHTML = html;
      var card = body.querySelector("[data-call]");
      since = Date.now() - 1000 * (Number(card && card.getAttribute("data-elapsed")) || 0);
      callerText.textContent = card ? card.getAttribute("data-caller") || "" : "";
      stateText.textContent = box.getAttribute("data-label-live");
      box.classList.remove("ended");
      if (timer) { clearInterval(timer); }
      timer = setInterval(tickClock, 1000);
      tickClock();
      var fresh = String(id) !== stored(SEEN);  // a call this browser has not shown yet unfolds
      store(SEEN, String(id));
      if (id === filingCall) {
        setExpanded(false, false);
      } else if (fresh) {
        setExpanded(true, true);
      } else {
        setExpanded(stored(COLLAPSED) !== "1", false);
      }
      showBox(true);
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
    showBox(false);
    body.innerHTML = "";
    callerText.textContent = "";
    stopClock();
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
      if (id && id !== shown && id !== dismissed) {
        shown = id;
        show(id);
      } else if (!id && shown) {
        // Hung up: the card (or its bar) stays until closed, marked as ended, its time stopped.
        box.classList.add("ended");
        stateText.textContent = box.getAttribute("data-label-ended");
        stopClock();
        shown = null;
      }
      return true;
    }).catch(function () { return true; }).then(function (again) {
      if (again) { setTimeout(tick, interval); }
    });
  }

  function fold(open) {
    setExpanded(open, true);
    if (!open) { toggle.focus(); }
  }

  toggle.addEventListener("click", function () {
    fold(toggle.getAttribute("aria-expanded") !== "true");
  });
  box.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("button") : event.target;
    if (!target) { return; }
    if (target.hasAttribute("data-call-pop-fold")) {
      fold(false);
    } else if (target.hasAttribute("data-call-pop-dismiss")) {
      var card = body.querySelector("[data-call]");
      dismissed = card ? Number(card.getAttribute("data-call")) : null;
      showBox(false);
      stopClock();
    }
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !box.classList.contains("collapsed")) {
      event.preventDefault();
      fold(false);
    }
  });
  document.addEventListener("keydown", function (event) {
    // Alt+C (来电): the same as the bar's button, from anywhere on the page.
    if (event.altKey && !event.ctrlKey && !event.metaKey && (event.code === "KeyC" || event.key === "c") && !box.hidden) {
      event.preventDefault();
      var open = box.classList.contains("collapsed");
      fold(open);
      if (open) { toggle.focus(); }
    }
  });
  tick();
}());
