// The installable app's page side; the service worker does the work (docs/pwa.md).
(() => {
  "use strict";

  const sw = navigator.serviceWorker;
  const url = document.currentScript.dataset.serviceWorker;
  const tell = (message) => sw.controller?.postMessage(message);
  const install = document.querySelector("[data-install-app]");
  const persist = () => navigator.storage?.persist();
  let offer;

  if (sw) {
    document.querySelector("header").insertAdjacentHTML("afterend", '<div class="app-status" role="status"></div>');
    const status = document.querySelector(".app-status");
    sw.register(url, { scope: "/" }).then((registration) => {
      // A new version waits until the reader asks for it.
      const show = () => {
        if (!registration.waiting || !sw.controller || status.querySelector("button")) return;
        status.insertAdjacentHTML("beforeend", "<p>A new version is ready: <button>reload</button>");
        status.querySelector("button").onclick = () => {
          if (!registration.waiting) return location.reload();
          sw.oncontrollerchange = () => location.reload();
          registration.waiting.postMessage({ type: "skip-waiting" });
        };
      };
      show();
      registration.onupdatefound = () => registration.installing.addEventListener("statechange", show);
    }, () => {});
    // Loaded before the worker was in charge: it keeps this page once it is.
    if (!sw.controller) sw.ready.then((r) => r.active.postMessage({ type: "save-page", url: location.href }));

    // Signups kept offline go out now or once online; the answer replaces the form.
    const send = () => tell({ type: "send-signups" });
    send();
    addEventListener("online", send);
    sw.onmessage = ({ data }) => {
      const form = document.getElementById("newsletter");
      if (data.type !== "signup-sent") return;
      (form || status).insertAdjacentHTML(form ? "afterend" : "beforeend", data.html);
      form?.remove();
      window.htmx?.process(document.getElementById("newsletter"));
    };

    // Read past the middle: the worker fetches the related articles (unless saving data).
    const links = [...document.querySelectorAll("[data-carousel] a")].map((a) => a.href);
    const net = navigator.connection || {};
    const read = () => {
      if (scrollY + innerHeight < document.body.scrollHeight / 2) return;
      removeEventListener("scroll", read);
      tell({ type: "read", url: location.href, links });
    };
    if (links[0] && !net.saveData && !net.metered && !/2g/.test(net.effectiveType)) addEventListener("scroll", read);
  }

  // "Install app" when the browser offers it; installed, the reading cache asks to be kept.
  if (matchMedia("(display-mode: standalone)").matches) persist();
  addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();  // our button, not the mini-infobar
    offer = event;
    install.hidden = false;
  });
  addEventListener("appinstalled", () => {
    offer = null;
    install.hidden = true;
    persist();
  });
  install.onclick = () => {
    offer?.prompt();
    offer = null;
    install.hidden = true;
  };
})();
