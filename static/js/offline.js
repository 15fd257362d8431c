// The offline page's filter box (templates/pwa/offline.html): narrows the list of saved articles, which
// the service worker filled in, as the reader types. Works offline like the page itself.
(() => {
  "use strict";

  const box = document.querySelector("[data-offline-filter]");
  const items = [...document.querySelectorAll("[data-offline-list] li")];
  const none = document.querySelector("[data-offline-none]");
  if (!box || !items.length) return;
  const input = box.querySelector("input");
  box.hidden = false;
  input.addEventListener("input", () => {
    const words = input.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of items) {
      const text = item.textContent.toLocaleLowerCase();
      item.hidden = !words.every((word) => text.includes(word));
      shown += item.hidden ? 0 : 1;
    }
    none.hidden = shown > 0;
  });
})();
