// Healthy Tips service worker, rendered by webapp/pwa.py for each deploy. How it works: docs/pwa.md.
"use strict";

const VERSION = {{ version | tojson }};
const ASSETS = {{ assets | tojson }};  // static path -> hashed URL of the app shell
const PRECACHE = {{ precache | tojson }};
const OFFLINE_URL = {{ offline_url | tojson }};
const NEEDS_CONNECTION = {{ needs_connection | tojson }};
const NEVER_CACHED = ["/admin", "/newsletter/unsubscribe"];
const PREFIX = "healthy-tips-";
const CACHES = {
  shell: `${PREFIX}shell-${VERSION}`,       // precached on install
  pages: `${PREFIX}pages-${VERSION}`,       // every page the reader opened
  fragments: `${PREFIX}fragments-${VERSION}`, // every FAQ answer the reader opened
  static: `${PREFIX}static-${VERSION}`,     // pictures those pages use
};
const HASHED = /^\/static\/(.+)\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$/;
const FAQ_ANSWER = /^\/articles\/[^/]+\/faq\/\d+$/;
const STATIC_REF = /(?:src|href)="(\/static\/[^"]+)"/g;
const ARTICLE_PAGE = /^\/articles\/[^/]+$/;
const PAGE_TITLE = /<title>([\s\S]*?)<\/title>/;
const TITLE_SUFFIX = {{ (" · " ~ config.SITE_NAME) | e | tojson }};  // as base.html writes it, escaped
const NETWORK_TIMEOUT = 5000;  // lie-fi: after this long, a saved copy beats waiting
const ANY = { ignoreVary: true };

// A response we may keep: complete, our own, and not marked private by the server.
const keepable = (response) =>
  response.ok && response.type === "basic" && !/no-store|private/.test(response.headers.get("Cache-Control") || "");

const fragmentRequest = (url) => new Request(url, { headers: { "HX-Request": "true" } });

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const shell = await caches.open(CACHES.shell);
    await shell.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
    for (const name of Object.values(CACHES)) await caches.open(name);  // save() writes only to these
    await carryOver();
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const current = Object.values(CACHES);
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && !current.includes(name)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// A new deploy keeps what the reader saved: pages and answers fetched fresh, else copied as they were.
async function carryOver() {
  const names = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && !Object.values(CACHES).includes(name));
  for (const name of names) {
    const kind = name.slice(PREFIX.length).replace(/-[^-]*$/, "");
    if (kind !== "pages" && kind !== "fragments") continue;
    const old = await caches.open(name);
    for (const request of await old.keys()) {
      const fresh = new Request(request.url, { cache: "no-cache", headers: kind === "pages" ? {} : { "HX-Request": "true" } });
      try {
        const response = await fetch(fresh);
        if (response.status === 404 || response.status === 410) continue;  // withdrawn: drop it
        if (!keepable(response)) throw new Error(String(response.status));
        await (kind === "pages" ? savePage(request.url, response) : save(CACHES.fragments, request.url, response));
      } catch {
        const copy = await old.match(request, ANY);
        if (copy) await (kind === "pages" ? savePage(request.url, copy) : save(CACHES.fragments, request.url, copy));
      }
    }
  }
}

// Never re-creates a cache: once a newer (or retiring) worker has deleted ours, we stop writing.
async function save(cacheName, url, response) {
  if (await caches.has(cacheName)) await (await caches.open(cacheName)).put(url, response);
}

// Keep a page and the pictures it shows, so it reads the same offline.
async function savePage(url, response) {
  const html = await response.clone().text();
  await save(CACHES.pages, url, response);
  const shell = Object.values(ASSETS);
  for (const [, ref] of html.matchAll(STATIC_REF)) {
    if (shell.includes(ref) || !HASHED.test(ref)) continue;
    if (await caches.match(ref, { ignoreVary: true, cacheName: CACHES.static })) continue;
    try {
      const file = (await caches.match(ref, ANY)) || (await fetch(ref));  // an older deploy's copy will do
      if (file.ok) await save(CACHES.static, ref, file);
    } catch { /* the page still reads without it */ }
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (request.mode === "navigate") {
    event.respondWith(url.pathname === OFFLINE_URL ? offlinePage(200) : page(event));
  } else if (request.headers.get("HX-Request") === "true") {
    if (FAQ_ANSWER.test(url.pathname)) event.respondWith(faqAnswer(request));
  } else if (HASHED.test(url.pathname)) {
    event.respondWith(hashedFile(request, url));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(fetch(request).catch(() => caches.match(url.pathname, ANY)));
  }
});

// Pages: network first (fresh when online), the saved copy when offline, else the offline page.
async function page(event) {
  const { request } = event;
  const network = fetch(request);
  const saving = network.then((response) => keepable(response) && savePage(request.url, response.clone()));
  event.waitUntil(saving.catch(() => {}));
  try {
    return await Promise.race([
      network,
      new Promise((_, reject) => setTimeout(() => reject(new Error("slow")), NETWORK_TIMEOUT)),
    ]);
  } catch {
    const saved = await caches.match(request.url, { ignoreVary: true, ignoreSearch: true, cacheName: CACHES.pages });
    if (saved) return saved;
    try {
      return await network;
    } catch {
      return offlinePage(503);
    }
  }
}

// FAQ answers asked for by htmx: network first, the saved answer, else a clear "needs a connection".
async function faqAnswer(request) {
  try {
    const response = await fetch(request);
    if (keepable(response)) await save(CACHES.fragments, request.url, response.clone());
    return response;
  } catch {
    const saved = await caches.match(request.url, { ignoreVary: true, cacheName: CACHES.fragments });
    return saved || new Response(NEEDS_CONNECTION, {
      status: 503,
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
}

// Hashed files never change: cache first. Offline, an older page's stylesheet falls back to today's.
async function hashedFile(request, url) {
  const cached = await caches.match(request, ANY);
  if (cached) return cached;
  try {
    const response = await fetch(request);
    if (keepable(response)) await save(CACHES.static, url.pathname, response.clone());
    return response;
  } catch (error) {
    const [, stem, ext] = url.pathname.match(HASHED);
    const current = ASSETS[stem + ext];
    const fallback = current && (await caches.match(current, ANY));
    if (fallback) return fallback;
    throw error;
  }
}

// The offline page, listing only the articles saved on this device.
async function offlinePage(status) {
  const shell = await caches.match(OFFLINE_URL, { ignoreVary: true, cacheName: CACHES.shell });
  if (!shell) return fetch(OFFLINE_URL);
  const items = await savedArticles();
  let html = (await shell.text()).replace("data-offline-list></ul>", `data-offline-list>${items.join("")}</ul>`);
  if (items.length) html = html.replace("data-offline-empty>", "data-offline-empty hidden>");
  const headers = new Headers(shell.headers);  // the server's security headers (CSP and all) carry over
  for (const name of ["Content-Encoding", "Content-Length", "ETag"]) headers.delete(name);
  headers.set("Cache-Control", "no-store");
  return new Response(html, { status, headers });
}

// A list item for every article page saved on this device, its title read from the saved copy.
// The title is already HTML-escaped there (the server wrote it), and a path is percent-encoded.
async function savedArticles() {
  const pages = await caches.open(CACHES.pages);
  const items = [];
  for (const request of await pages.keys()) {
    const path = new URL(request.url).pathname;
    if (!ARTICLE_PAGE.test(path)) continue;
    const match = (await (await pages.match(request)).text()).match(PAGE_TITLE);
    const title = match ? match[1].replace(TITLE_SUFFIX, "").trim() : path;
    items.push([title, `<li data-offline-url="${path}"><a href="${path}">${title}</a></li>`]);
  }
  return items.sort(([a], [b]) => a.localeCompare(b)).map(([, item]) => item);
}

const sameSiteAnswer = (url) => url.origin === self.location.origin && FAQ_ANSWER.test(url.pathname);

// The page asks us to keep what it loaded before this worker took control (the first visit).
self.addEventListener("message", (event) => {
  const { type, url, fragments } = event.data || {};
  if (type !== "save-page" || new URL(url).origin !== self.location.origin) return;
  const path = new URL(url).pathname;
  if (path === OFFLINE_URL || NEVER_CACHED.some((prefix) => path.startsWith(prefix))) return;
  event.waitUntil((async () => {
    try {
      const response = await fetch(url);
      if (keepable(response)) await savePage(url, response);
      for (const answer of (fragments || []).filter((u) => sameSiteAnswer(new URL(u)))) {
        const response = await fetch(fragmentRequest(answer));
        if (keepable(response)) await save(CACHES.fragments, answer, response);
      }
    } catch { /* offline already: nothing to keep */ }
  })());
});
