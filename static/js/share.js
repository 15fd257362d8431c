// Share button: the Web Share API where the browser has it, else copy the article's link.
// The button is rendered hidden, so readers without JavaScript never see a button that does nothing.
(() => {
  "use strict";

  const canShare = typeof navigator.share === "function";
  const canCopy = Boolean(window.isSecureContext && navigator.clipboard && navigator.clipboard.writeText);

  const say = (status, message) => {
    // Clear first so that repeating the same message is announced again.
    status.textContent = "";
    window.setTimeout(() => { status.textContent = message; }, 50);
  };

  const copy = async (url, status) => {
    try {
      await navigator.clipboard.writeText(url);
      say(status, "Link copied.");
    } catch {
      say(status, `Could not copy the link. Copy it from here: ${url}`);
    }
  };

  for (const root of document.querySelectorAll("[data-share]")) {
    const button = root.querySelector("[data-share-button]");
    const status = root.querySelector("[data-share-status]");
    if (!button || !status || !(canShare || canCopy)) continue;
    const { url, title } = button.dataset;
    root.querySelector("[data-share-label]").textContent = canShare ? "Share this article" : "Copy link";
    button.addEventListener("click", async () => {
      if (!canShare) {
        await copy(url, status);
        return;
      }
      try {
        await navigator.share({ title, url });
        say(status, "Thanks for sharing.");
      } catch (error) {
        if (error && error.name === "AbortError") return; // the reader closed the share sheet
        if (canCopy) await copy(url, status);
        else say(status, `Sharing did not work. The link is: ${url}`);
      }
    });
    root.hidden = false;
  }
})();
