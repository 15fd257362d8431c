// Healthy Tips service worker, rendered by webapp/reader/worker.py for each deploy. How it works: docs/pwa.md.
"use strict";

const VERSION = {{ version | tojson }};
const ASSETS = {{ assets | tojson }};  // static path -> hashed URL of the app shell
const PRECACHE = {{ precache | tojson }};
const OFFLINE_URL = {{ offline_url | tojson }};
const SIGNUP_URL = {{ signup_url | tojson }};
const NEVER_CACHED = {{ never_cached | tojson }};  // path prefixes the worker never touches
const READING_CACHE_ARTICLES = {{ reading_cache_articles | tojson }};  // FLASK_READING_CACHE_ARTICLES
const NEEDS_CONNECTION = {{ needs_connection | tojson }};
const SIGNUP_QUEUED = {{ signup_queued | tojson }};
const TITLE_SUFFIX = {{ (" · " ~ config.SITE_NAME) | e | tojson }};  // as base.html writes it, escaped
const ARTICLE_PAGE = new RegExp({{ article_page | tojson }});
const FAQ_ANSWER = new RegExp({{ faq_answer | tojson }});
const PREFIX = "healthy-tips-";
const CACHES = {
  shell: `${PREFIX}shell-${VERSION}`,       // precached on install
  pages: `${PREFIX}pages-${VERSION}`,       // the pages the reader opened (or is about to)
  fragments: `${PREFIX}fragments-${VERSION}`, // their FAQ answers
  static: `${PREFIX}static-${VERSION}`,     // the pictures those pages show
};
const HASHED = /^\/static\/(.+)\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$/;
const NETWORK_TIMEOUT = 5000;  // lie-fi: after this long, a saved copy beats waiting
const ANY = { ignoreVary: true };

// The reading cache (savePage, prefetch, trim, the offline page) and the offline signups.
importScripts(...{{ modules | tojson }});

// A response we may keep: complete, our own, and not marked private by the server.
const keepable = (response) =>
  response.ok && response.type === "basic" && !/no-store|private/.test(response.headers.get("Cache-Control") || "");

const ours = (url) => url.origin === self.location.origin && !NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix));

// A new worker installs and then waits: the page offers "A new version is ready: reload" and sends
// "skip-waiting" when the reader accepts (the very first worker takes over at once, as none waits).
self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const shell = await caches.open(CACHES.shell);
    await shell.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
    for (const name of Object.values(CACHES)) await caches.open(name);  // save() writes only to these
    await carryOver();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const current = Object.values(CACHES);
    for (const name of await caches.keys()) {
      if (!name.startsWith(PREFIX) || current.includes(name)) continue;
      await copyMissing(name);  // what the old worker saved while this one waited
      await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (!ours(url)) return;
  if (request.method === "POST") {
    if (url.pathname === SIGNUP_URL && request.mode !== "navigate" && request.headers.get("HX-Request") === "true") {
      event.respondWith(signUp(request));
    }
  } else if (request.method !== "GET") {
    return;
  } else if (request.mode === "navigate") {
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
    // An article is the same page whatever query a link adds; elsewhere (search) the query picks the page.
    const ignoreSearch = ARTICLE_PAGE.test(new URL(request.url).pathname);
    const saved = await caches.match(request.url, { ignoreVary: true, ignoreSearch, cacheName: CACHES.pages });
    if (saved) {
      event.waitUntil(savePage(saved.url || request.url, saved.clone()).catch(() => {}));  // read again: kept longer
      return saved;
    }
    try {
      return await network;
    } catch {
      return offlinePage(503);
    }
  }
}

// FAQ answers asked for by htmx: network first, the saved answer, else a clear "needs a connection".
// An answer is kept under its path alone: whatever query a script adds, it is the same answer.
async function faqAnswer(request) {
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    if (keepable(response)) await save(CACHES.fragments, url.origin + url.pathname, response.clone());
    return response;
  } catch {
    const saved = await caches.match(request.url, { ignoreVary: true, ignoreSearch: true, cacheName: CACHES.fragments });
    return saved || htmlResponse(NEEDS_CONNECTION, 503);
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

const htmlResponse = (html, status) =>
  new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });

// What pages ask of the worker (static/js/pwa.js).
self.addEventListener("message", (event) => {
  const { type, url, links } = event.data || {};
  const done = (work) => event.waitUntil(work.catch(() => {}));
  if (type === "save-page" && ours(new URL(url))) {
    done(saveUnsaved(url));  // a first visit: the page loaded before this worker was in charge
  } else if (type === "read" && ours(new URL(url))) {
    done(prefetch(url, links || []));  // the reader is halfway through: keep what they may read next
  } else if (type === "send-signups") {
    done(sendSignupsSoon());  // a page loaded, or the connection came back
  } else if (type === "skip-waiting") {
    done(self.skipWaiting());  // the reader asked for the new version
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(sendSignups());  // a failure makes the browser retry later
});
