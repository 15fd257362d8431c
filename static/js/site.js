// Healthy Tips: small enhancements on top of pages that already work without JavaScript.
(() => {
  "use strict";

  // FAQ accordion; its state is the markup (aria-expanded, hidden, the answer). An answer here only
  // shows and hides, else htmx fetches it; the offline note counts as one until back online.
  const faq = (node) => {
    const button = node.closest?.("form.faq-toggle")?.querySelector("[aria-controls]");
    return button ? [button, document.getElementById(button.getAttribute("aria-controls"))] : [];
  };

  document.addEventListener("submit", (event) => {
    const [button, panel] = faq(event.target);
    if (!panel || !window.htmx) return;
    const busy = panel.hasAttribute("aria-busy");
    const here = panel.querySelector(navigator.onLine ? ".faq-answer-body:not([data-needs-connection])" : ".faq-answer-body");
    if (busy || here) {
      event.preventDefault();
      event.stopImmediatePropagation();  // htmx never sees it
      if (busy) return;
    }
    const open = !here || button.ariaExpanded !== "true";
    button.ariaExpanded = open;
    panel.hidden = !open;
    if (!here) panel.ariaBusy = "true";
  }, true);

  // htmx fires these on the element that made the request: the FAQ form.
  document.addEventListener("htmx:after:swap", (event) => faq(event.target)[1]?.removeAttribute("aria-busy"));
  document.addEventListener("htmx:error", (event) => {
    const [, panel] = faq(event.target);
    panel?.removeAttribute("aria-busy");
    if (panel && !panel.querySelector(".faq-answer-body")) {
      panel.innerHTML = '<p class="notice">This answer needs an internet connection. Check your connection, then try again.</p>';
    }
  });

  // Related-articles carousel: previous / next buttons scroll by one card.
  for (const section of document.querySelectorAll("[data-carousel]")) {
    const track = section.querySelector(".carousel");
    const prev = section.querySelector("[data-carousel-prev]");
    const next = section.querySelector("[data-carousel-next]");
    const step = () => {
      const item = track.querySelector(".carousel-item");
      const gap = parseFloat(getComputedStyle(track).columnGap) || 0;
      return item ? item.getBoundingClientRect().width + gap : track.clientWidth;
    };
    const update = () => {
      prev.disabled = track.scrollLeft <= 1;
      next.disabled = track.scrollLeft + track.clientWidth >= track.scrollWidth - 1;
    };
    const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    const go = (direction) => track.scrollBy({ left: direction * step(), behavior: reduced ? "auto" : "smooth" });
    prev.addEventListener("click", () => go(-1));
    next.addEventListener("click", () => go(1));
    track.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update, { passive: true });
    // Measure on the next frame, not while the scripts run: a forced style recalculation here would
    // lengthen the start-up task (Lighthouse's Total Blocking Time) for buttons below the fold.
    requestAnimationFrame(update);
    section.dataset.carouselReady = "";
  }
})();
