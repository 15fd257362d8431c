// Healthy Tips as an installable app. The service worker does the work (docs/pwa.md); this registers
// it, passes it what only the page knows, and shows what it reports.
(() => {
  "use strict";

  const sw = navigator.serviceWorker;
  const url = document.currentScript.dataset.serviceWorker;
  const tell = (message) => sw.controller?.postMessage(message);
  const install = document.querySelector("[data-install-app]");
  const persist = () => navigator.storage?.persist();
  let offer = null;

  if (sw && url === "retired") {  // the site retires its worker (docs/pwa.md): remove what is left
    sw.getRegistrations().then((all) => all.forEach((r) => r.unregister()));
    caches.keys().then((names) => names.filter((n) => n.startsWith("healthy-tips-")).forEach((n) => caches.delete(n)));
  } else if (sw) {
    // The app's status messages: a new version waiting, a signup sent later.
    const status = document.createElement("div");
    status.className = "app-status";
    status.setAttribute("role", "status");
    document.querySelector("header").after(status);

    sw.register(url, { scope: "/" }).then((registration) => {
      // A new version waits until the reader asks for it: nothing reloads under them.
      const show = () => {
        if (!registration.waiting || !sw.controller || status.querySelector("button")) return;
        status.insertAdjacentHTML("beforeend", "<p>A new version is ready: <button type=button>reload</button></p>");
        status.querySelector("button").onclick = () => {
          if (!registration.waiting) return location.reload();
          sw.addEventListener("controllerchange", () => location.reload());
          registration.waiting.postMessage({ type: "skip-waiting" });
        };
      };
      show();
      registration.addEventListener("updatefound", () => registration.installing.addEventListener("statechange", show));
    }, () => {});
    // A first visit loaded before the worker was in charge: once it is, it keeps this page too.
    if (!sw.controller) sw.ready.then((r) => r.active.postMessage({ type: "save-page", url: location.href }));

    // Signups kept offline go out now or when back online; the server's answer replaces the form.
    tell({ type: "send-signups" });
    addEventListener("online", () => tell({ type: "send-signups" }));
    sw.addEventListener("message", ({ data }) => {
      const form = document.getElementById("newsletter");
      if (data.type !== "signup-sent") return;
      (form || status).insertAdjacentHTML(form ? "afterend" : "beforeend", data.html);
      form?.remove();
      window.htmx?.process(document.getElementById("newsletter"));
    });

    // Past the middle of an article the worker fetches its related articles for offline reading,
    // unless the browser asks to save data or the connection is metered or slow.
    const links = [...document.querySelectorAll("[data-carousel] a")].map((a) => a.href);
    const net = navigator.connection || {};
    const read = () => {
      if (scrollY + innerHeight < document.body.scrollHeight / 2) return;
      removeEventListener("scroll", read);
      tell({ type: "read", url: location.href, links });
    };
    if (links[0] && !net.saveData && !net.metered && !/2g/.test(net.effectiveType)) addEventListener("scroll", read);
  }

  // "Install app": shown only when the browser offers it; once installed, ask to keep the reading
  // cache (persistent storage) rather than let the browser clear it when space runs low.
  if (matchMedia("(display-mode: standalone)").matches) persist();
  addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();  // no mini-infobar: the reader asks through our button, or not at all
    offer = event;
    install.hidden = false;
  });
  addEventListener("appinstalled", () => {
    offer = null;
    install.hidden = true;
    persist();
  });
  install.addEventListener("click", () => {
    offer?.prompt();
    offer = null;
    install.hidden = true;
  });
})();
