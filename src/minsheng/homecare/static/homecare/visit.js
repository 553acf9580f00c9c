/* A care visit on the worker's phone: 签到 and 签退 take the phone's time and position (no typed
 * times), the elder or a family member signs on a pad (signature_pad, vendored), and the record is
 * queued by web/field.js — sent at once, or when the connection returns, once.
 * A check-in survives a reload or a closed page (localStorage, per task) until the record is queued. */
(function () {
  "use strict";

  function hhmm(date) {
    return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
  }

  function dataUrlToFile(url, name) {  // synchronous, so the PNG is in the form before field.js reads it
    const [head, body] = url.split(","), bytes = atob(body), array = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) array[i] = bytes.charCodeAt(i);
    return new File([array], name, {type: head.slice(5).split(";")[0]});
  }

  function setUp(form, texts) {
    const key = "minsheng-visit:" + form.dataset.visit;
    const saved = JSON.parse(localStorage.getItem(key) || "{}");
    const note = form.querySelector("[data-queue-note]");

    function show(which) {
      const check = saved[which], out = form.querySelector("[data-check-at=" + which + "]");
      if (!check) return;
      const template = check.lat != null ? texts.at : texts.atNowhere;
      out.textContent = template.replace("%(time)s", hhmm(new Date(check.at)));
      form.elements[which === "in" ? "started_at" : "ended_at"].value = check.at;
      form.elements["check_" + which + "_latitude"].value = check.lat != null ? check.lat.toFixed(6) : "";
      form.elements["check_" + which + "_longitude"].value = check.lng != null ? check.lng.toFixed(6) : "";
    }

    form.querySelectorAll("[data-check]").forEach(function (button) {
      button.addEventListener("click", function () {
        const which = button.dataset.check, at = new Date().toISOString();  // the moment of the tap
        function keep(lat, lng) {
          saved[which] = {at: at, lat: lat, lng: lng};
          localStorage.setItem(key, JSON.stringify(saved));
          show(which);
        }
        if (!navigator.geolocation) return keep(null, null);
        navigator.geolocation.getCurrentPosition(function (p) { keep(p.coords.latitude, p.coords.longitude); },
          function () { keep(null, null); }, {enableHighAccuracy: true, maximumAge: 0, timeout: 15000});
      });
    });
    show("in"); show("out");

    // The pad takes the place of the file input the form falls back to.
    const input = form.querySelector("input[data-signature]");
    let pad = null;
    if (input && window.SignaturePad) {
      const canvas = document.createElement("canvas");
      canvas.className = "signature-pad";
      canvas.setAttribute("aria-label", texts.pad);
      const clear = document.createElement("button");
      clear.type = "button"; clear.className = "secondary"; clear.textContent = texts.clear;
      input.hidden = true;
      input.after(canvas, clear);
      pad = new window.SignaturePad(canvas, {penColor: "#111", minWidth: 1, maxWidth: 2.5});
      const fit = function () {  // sharp on a phone's dense screen; a resize clears the pad
        const ratio = Math.max(window.devicePixelRatio || 1, 1);
        if (!canvas.offsetWidth) return;
        canvas.width = canvas.offsetWidth * ratio;
        canvas.height = canvas.offsetHeight * ratio;
        canvas.getContext("2d").scale(ratio, ratio);
        pad.clear();
      };
      form.closest("details").addEventListener("toggle", fit);
      window.addEventListener("orientationchange", fit);
      fit();
      clear.addEventListener("click", function () { pad.clear(); });
      pad.addEventListener("endStroke", function () { if (note.className === "error") note.hidden = true; });
    }

    form.addEventListener("field:before-queue", function (event) {
      note.hidden = false;
      note.className = "error";
      if (!saved.in || !saved.out) { note.textContent = MinshengField.text("needCheckIn"); event.preventDefault(); return; }
      if (pad && pad.isEmpty()) { note.textContent = MinshengField.text("needSignature"); event.preventDefault(); return; }
      note.className = "muted";
      note.textContent = "";
      form.extraFiles = pad ? [["signature", dataUrlToFile(pad.toDataURL("image/png"), "signature.png")]] : [];
    });
    form.addEventListener("field:queued", function () {
      localStorage.removeItem(key);
      if (pad) pad.clear();
      form.querySelectorAll("[data-check-at]").forEach(function (out) { out.textContent = "—"; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const el = document.getElementById("visit-texts");
    if (!el || !window.MinshengField) return;
    const texts = {clear: el.dataset.clear, at: el.dataset.at, atNowhere: el.dataset.atNowhere, pad: el.dataset.pad};
    document.querySelectorAll("form[data-visit]").forEach(function (form) { setUp(form, texts); });
  });
})();
