// Healthy Tips as an installable, offline-capable app: registers /sw.js and offers "Install app".
(() => {
  "use strict";

  const script = document.currentScript;
  const workerUrl = script ? script.dataset.serviceWorker : "/sw.js";

  // Offline reading. When the site retires its worker (docs/pwa.md), remove any that is left.
  if ("serviceWorker" in navigator) {
    if (workerUrl === "retired") {
      navigator.serviceWorker.getRegistrations().then((all) => all.forEach((r) => r.unregister()));
      caches.keys().then((names) => names.filter((n) => n.startsWith("healthy-tips-")).forEach((n) => caches.delete(n)));
    } else if (workerUrl) {
      navigator.serviceWorker.register(workerUrl, { scope: "/" }).catch(() => {});
      // The worker was not in charge while this page loaded (a first visit): ask it to keep the
      // page and any FAQ answer fetched so far, so the article reads offline from now on.
      const [navigation] = performance.getEntriesByType("navigation");
      const viaWorker = navigation ? navigation.workerStart > 0 : !!navigator.serviceWorker.controller;
      navigator.serviceWorker.ready.then((registration) => {
        if (viaWorker || !registration.active) return;
        const fragments = performance.getEntriesByType("resource")
          .map((entry) => entry.name)
          .filter((url) => /\/articles\/[^/]+\/faq\/\d+$/.test(new URL(url).pathname));
        registration.active.postMessage({ type: "save-page", url: location.href, fragments });
      });
    }
  }

  // An answer that said it needs a connection is asked for again once we're online: this runs
  // before site.js's own submit handler (pwa.js loads first), which then sees it as not loaded.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest ? event.target.closest("form.faq-toggle") : null;
    const button = form && form.querySelector("button[aria-controls]");
    const panel = button && document.getElementById(button.getAttribute("aria-controls"));
    if (panel && navigator.onLine && panel.querySelector("[data-needs-connection]")) {
      delete panel.dataset.loaded;
    }
  }, true);

  // "Install app": shown only when the browser offers installation, gone once installed.
  const button = document.querySelector("[data-install-app]");
  let offer = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();  // no mini-infobar: the reader asks through our button, or not at all
    offer = event;
    if (button) button.hidden = false;
  });
  window.addEventListener("appinstalled", () => {
    offer = null;
    if (button) button.hidden = true;
  });
  if (button) {
    button.addEventListener("click", async () => {
      if (!offer) return;
      const prompt = offer;
      offer = null;
      button.hidden = true;
      await prompt.prompt();
      await prompt.userChoice;
    });
  }
})();
