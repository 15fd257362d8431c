// Article insights without cookies or storage (webapp/insights/events.py).
(() => {
  const nav = navigator, doc = document, data = doc.currentScript.dataset, sent = new Set(), faq = [];
  if (nav.globalPrivacyControl || nav.doNotTrack == "1") return;
  const send = (e, key = e.t) => sent.has(key) || (sent.add(key), nav.sendBeacon(data.endpoint,
    new Blob([JSON.stringify({ a: data.article, e: [e] })], { type: "application/json" })));
  const seen = (id, t, threshold) => new IntersectionObserver((es) =>
    es.some((e) => e.isIntersecting) && send({ t }), { threshold }).observe(doc.getElementById(id));
  addEventListener("load", () => {
    send({ t: "view", r: doc.referrer.split("/")[2] });
    seen("key-insights", "read", 0);
    seen("newsletter", "cta", 0.5);
  });
  doc.addEventListener("click", (e) => {
    const b = e.target.closest(".faq-toggle button"), q = b && b.ariaExpanded == "false" && +b.id.slice(6);
    if (q && !sent.has(q)) send({ t: "faq", q, first: !faq.length }, q), faq.push(q);
  });
  doc.addEventListener("formdata", (e) => faq[0] && e.target.faq_opened && e.formData.set("faq_opened", faq));
})();
