/* 适老化: the header's large-text switch.  The form works without script (the server sets the
 * cookie and sends the page back); with script the page changes in place, so nothing typed into a
 * form on it is lost. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    const form = document.querySelector("form[data-elder-switch]");
    if (!form || !window.fetch) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const on = form.elements.on;
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "manual"})
        .then(function () {
          const enabled = on.value === "1";
          document.documentElement.classList.toggle("elder", enabled);
          form.querySelector("button").setAttribute("aria-pressed", enabled ? "true" : "false");
          on.value = enabled ? "0" : "1";
          // Maps measure their box once: tell them it changed.
          window.dispatchEvent(new Event("resize"));
        })
        .catch(function () { form.submit(); });
    });
  });
})();
