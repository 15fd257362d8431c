// The confirmation page confirms by itself: it sends the Confirm form's POST as soon as it loads and
// puts the answer ("Confirmed", or why not) in place of the button. Mail scanners run no script, so
// opening the link confirms nothing for them; without JavaScript the button is still there.
(() => {
  "use strict";

  const form = document.querySelector("form[data-auto-confirm]");
  const box = form && form.closest("[data-confirm-box]");
  if (!form || !box) return;

  const confirm = async () => {
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      });
      const type = response.headers.get("Content-Type") || "";
      if (!type.startsWith("text/html") || response.status >= 500) throw new Error(`${response.status}`);
      const answer = document.createRange().createContextualFragment(await response.text());
      const replacement = answer.querySelector("[data-confirm-box]");
      if (!replacement) throw new Error("no answer box");
      box.replaceWith(replacement);
      replacement.focus();
    } catch {
      button.disabled = false; // Offline or a server error: the button still works.
    }
  };

  confirm();
})();
