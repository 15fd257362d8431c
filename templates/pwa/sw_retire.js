// Healthy Tips: the retiring service worker, served at /sw.js while FLASK_SW_RETIRE=1 (docs/pwa.md).
// It replaces whatever worker a reader has, deletes our caches and unregisters itself. It has no
// fetch handler, so every request goes straight to the network; it never reloads pages (no loops).
"use strict";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("healthy-tips-")) await caches.delete(name);
    }
    await self.registration.unregister();
  })());
});
