/* The agreement's signatures: each party signs on a pad (signature_pad, vendored) that takes the
 * place of the file input the form falls back to; on submit each drawing is put into its input as
 * a PNG, so the form posts as it would without script.  An empty pad is refused here and by the
 * service (each party must sign). */
(function () {
  "use strict";

  function pngFile(canvasPad, name) {
    const url = canvasPad.toDataURL("image/png"), bytes = atob(url.split(",")[1]), array = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) array[i] = bytes.charCodeAt(i);
    return new File([array], name, {type: "image/png"});
  }

  function setUp(form) {
    if (!window.SignaturePad || !window.DataTransfer) return;
    const pads = [];
    form.querySelectorAll("input[data-signature]").forEach(function (input) {
      const canvas = document.createElement("canvas");
      canvas.className = "signature-pad";
      canvas.setAttribute("aria-label", form.dataset.padLabel + " " + (input.labels[0] ? input.labels[0].textContent : ""));
      const clear = document.createElement("button");
      clear.type = "button"; clear.className = "secondary"; clear.textContent = form.dataset.clear;
      input.hidden = true;
      input.after(canvas, clear);
      const pad = new window.SignaturePad(canvas, {penColor: "#111", minWidth: 1, maxWidth: 2.5});
      const fit = function () {  // sharp on a dense screen; a resize clears the pad
        const ratio = Math.max(window.devicePixelRatio || 1, 1);
        if (!canvas.offsetWidth) return;
        canvas.width = canvas.offsetWidth * ratio;
        canvas.height = canvas.offsetHeight * ratio;
        canvas.getContext("2d").scale(ratio, ratio);
        pad.clear();
      };
      const details = form.closest("details");
      if (details) details.addEventListener("toggle", fit);
      window.addEventListener("orientationchange", fit);
      fit();
      clear.addEventListener("click", function () { pad.clear(); });
      pads.push({input: input, pad: pad});
    });
    form.addEventListener("submit", function (event) {
      const note = form.querySelector("[data-signature-note]");
      const empty = pads.filter(function (p) { return p.pad.isEmpty(); });
      if (empty.length) {
        event.preventDefault();
        note.hidden = false;
        note.textContent = form.dataset.needAll;
        empty[0].input.nextElementSibling.scrollIntoView({block: "center"});
        return;
      }
      pads.forEach(function (p) {
        const transfer = new DataTransfer();
        transfer.items.add(pngFile(p.pad, p.input.name + ".png"));
        p.input.files = transfer.files;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-agreement]").forEach(setUp);
  });
})();
