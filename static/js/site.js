// Healthy Tips: small enhancements on top of pages that already work without JavaScript.
(() => {
  "use strict";

  // FAQ accordion: the first opening fetches the answer with htmx (the form's data-hx-get);
  // after that, the button only shows and hides what is already on the page.
  const faqParts = (node) => {
    const form = node && node.closest ? node.closest("form.faq-toggle") : null;
    if (!form) return null;
    const button = form.querySelector("button[aria-controls]");
    return { button, panel: document.getElementById(button.getAttribute("aria-controls")) };
  };

  document.addEventListener("submit", (event) => {
    const faq = faqParts(event.target);
    if (!faq || !window.htmx) return;
    const { button, panel } = faq;
    if (panel.dataset.loaded === "true" || panel.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (panel.getAttribute("aria-busy") === "true") return;
      const expanded = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", String(!expanded));
      panel.hidden = expanded;
      return;
    }
    // Not loaded yet: open the panel and let htmx fetch the answer into it.
    button.setAttribute("aria-expanded", "true");
    panel.hidden = false;
    panel.classList.remove("notice");
    panel.setAttribute("aria-busy", "true");
  }, true);

  // htmx fires its events on the element that made the request: here, the FAQ form.
  document.addEventListener("htmx:after:swap", (event) => {
    const faq = faqParts(event.target);
    if (!faq) return;
    faq.panel.removeAttribute("aria-busy");
    faq.panel.dataset.loaded = "true";
  });

  document.addEventListener("htmx:error", (event) => {
    const faq = faqParts(event.target);
    if (!faq || faq.panel.dataset.loaded === "true") return;
    faq.panel.removeAttribute("aria-busy");
    faq.panel.classList.add("notice");
    faq.panel.textContent = "This answer needs an internet connection. Check your connection, then try again.";
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
