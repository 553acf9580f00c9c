/* Screen pop: ask once a second which call this operator has on the line; when a new one is
   answered, fetch its card and show it.  No inline script (the CSP forbids it). */
(function () {
  "use strict";
  var box = document.getElementById("call-pop");
  if (!box || !window.fetch) { return; }
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

  function tick() {
    fetch(liveUrl, {credentials: "same-origin", cache: "no-store"}).then(function (r) {
      return r.ok ? r.json() : {call: null};
    }).then(function (data) {
      var id = data.call;
      if (id && id !== shown && id !== closed) {
        shown = id;
        show(id);
      } else if (!id && shown) {
        box.classList.add("ended");  // hung up: the card stays until closed, marked as ended
        shown = null;
      }
    }).catch(function () {}).then(function () { setTimeout(tick, interval); });
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
