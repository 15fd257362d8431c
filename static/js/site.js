// Healthy Tips: small enhancements on top of pages that already work without JavaScript.
(() => {
  "use strict";

  // FAQ accordion: the first opening fetches the answer with htmx (the form's hx-get);
  // after that, the button only shows and hides what is already on the page.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest && event.target.closest("form.faq-toggle");
    if (!form || !window.htmx) return;
    const button = form.querySelector("button[aria-controls]");
    const panel = document.getElementById(button.getAttribute("aria-controls"));
    const expanded = button.getAttribute("aria-expanded") === "true";
    if (panel.dataset.loaded === "true" || panel.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (panel.getAttribute("aria-busy") === "true") return;
      button.setAttribute("aria-expanded", String(!expanded));
      panel.hidden = expanded;
      return;
    }
    // Not loaded yet: open the panel and let htmx fetch the answer into it.
    button.setAttribute("aria-expanded", "true");
    panel.hidden = false;
    panel.setAttribute("aria-busy", "true");
  }, true);

  document.addEventListener("htmx:after:swap", (event) => {
    const panel = event.target;
    if (panel && panel.classList && panel.classList.contains("faq-answer")) {
      panel.removeAttribute("aria-busy");
      panel.dataset.loaded = "true";
    }
  });

  document.addEventListener("htmx:error", (event) => {
    const source = event.target;
    const form = source && source.closest && source.closest("form.faq-toggle");
    if (!form) return;
    const button = form.querySelector("button[aria-controls]");
    const panel = document.getElementById(button.getAttribute("aria-controls"));
    panel.removeAttribute("aria-busy");
    panel.textContent = "This answer needs an internet connection. Check your connection and try again.";
    panel.classList.add("notice");
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
    update();
    section.dataset.carouselReady = "";
  }
})();
