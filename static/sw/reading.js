// The reading cache, imported by /sw.js (which defines CACHES, READING_CACHE_ARTICLES and the URL shapes).
// Pages the reader opened, or is likely to open next, with their pictures and FAQ answers. It keeps the
// READING_CACHE_ARTICLES most recently read articles (and as many other pages); older ones go, with the
// answers and pictures no page left uses. How it fits together: docs/pwa.md.
"use strict";

const SAVED_AT = "X-Saved-At";  // on each saved page: when it was last read (ms), the order of the cache
const STATIC_REF = /(?:src|href)="(\/static\/[^"]+)"/g;
const ANSWER_REF = /data-hx-get="([^"]+)"/g;
const PAGE_TITLE = /<title>([\s\S]*?)<\/title>/;

const fragmentRequest = (url) => new Request(url, { headers: { "HX-Request": "true" } });

// Never re-creates a cache: once a newer (or retiring) worker has deleted ours, we stop writing.
async function save(cacheName, url, response) {
  if (await caches.has(cacheName)) await (await caches.open(cacheName)).put(url, response);
}

async function existing(cacheName) {
  return (await caches.has(cacheName)) ? caches.open(cacheName) : null;
}

// Keep a page and the pictures it shows, so it reads the same offline; its HTML, for the caller.
async function savePage(url, response, savedAt = Date.now()) {
  const html = await response.text();
  const headers = new Headers(response.headers);
  for (const name of ["Content-Encoding", "Content-Length"]) headers.delete(name);  // the body is decoded
  headers.set(SAVED_AT, String(savedAt));
  await save(CACHES.pages, url, new Response(html, { status: response.status, statusText: response.statusText, headers }));
  const shell = Object.values(ASSETS);
  for (const [, ref] of html.matchAll(STATIC_REF)) {
    if (shell.includes(ref) || !HASHED.test(ref)) continue;
    if (await caches.match(ref, { ignoreVary: true, cacheName: CACHES.static })) continue;
    try {
      const file = (await caches.match(ref, ANY)) || (await fetch(ref));  // an older deploy's copy will do
      if (file.ok) await save(CACHES.static, ref, file);
    } catch { /* the page still reads without it */ }
  }
  await trim();
  return html;
}

// The FAQ answers a page links to, fetched and kept unless already saved.
async function saveAnswers(html) {
  for (const [, path] of html.matchAll(ANSWER_REF)) {
    const url = new URL(path, self.location.origin);
    if (!FAQ_ANSWER.test(url.pathname)) continue;
    if (await caches.match(url.href, { ignoreVary: true, cacheName: CACHES.fragments })) continue;
    const response = await fetch(fragmentRequest(url.href));
    if (keepable(response)) await save(CACHES.fragments, url.href, response);
  }
}

// A page that loaded before this worker was in charge (a first visit): kept unless it is already.
async function saveUnsaved(url) {
  if (new URL(url).pathname === OFFLINE_URL) return;
  if (await caches.match(url, { ignoreVary: true, cacheName: CACHES.pages })) return;
  const response = await fetch(url);
  if (keepable(response)) await savePage(url, response);
}

// The reader is halfway through `url`: keep its related articles (`links`) with their pictures and
// answers, ranked just below it in the reading order, unless the browser asks to save data.
async function prefetch(url, links) {
  if (self.navigator.connection && self.navigator.connection.saveData) return;
  const reading = await caches.match(url, { ignoreVary: true, cacheName: CACHES.pages });
  const readAt = Number(reading && reading.headers.get(SAVED_AT)) || Date.now();
  for (const [rank, link] of links.entries()) {
    const target = new URL(link, self.location.origin);
    if (!ours(target) || !ARTICLE_PAGE.test(target.pathname)) continue;
    const saved = await caches.match(target.href, { ignoreVary: true, cacheName: CACHES.pages });
    let html = saved && (await saved.text());
    if (!saved) {
      const response = await fetch(target.href);
      if (!keepable(response)) continue;
      html = await savePage(target.href, response, readAt - 1 - rank);
    }
    await saveAnswers(html);
  }
}

// At most READING_CACHE_ARTICLES articles and as many other pages: the least recently read go first,
// then every answer and picture that no saved page uses any more.
async function trim() {
  const pages = await existing(CACHES.pages);
  if (!pages) return;
  const requests = await pages.keys();
  const articles = requests.filter((request) => ARTICLE_PAGE.test(new URL(request.url).pathname));
  const others = requests.filter((request) => !articles.includes(request));
  const evicted = [...(await oldest(pages, articles)), ...(await oldest(pages, others))];
  if (!evicted.length) return;
  for (const request of evicted) await pages.delete(request);
  const used = new Set();
  for (const request of await pages.keys()) {
    const html = await (await pages.match(request)).text();
    for (const [, ref] of html.matchAll(STATIC_REF)) used.add(ref);
    for (const [, ref] of html.matchAll(ANSWER_REF)) used.add(ref);
  }
  for (const name of [CACHES.fragments, CACHES.static]) {
    const cache = await existing(name);
    for (const request of cache ? await cache.keys() : []) {
      if (!used.has(new URL(request.url).pathname)) await cache.delete(request);
    }
  }
}

// The requests beyond the limit, least recently read first.
async function oldest(cache, requests) {
  if (requests.length <= READING_CACHE_ARTICLES) return [];
  const dated = [];
  for (const request of requests) {
    const response = await cache.match(request);
    dated.push([Number(response && response.headers.get(SAVED_AT)) || 0, request]);
  }
  dated.sort(([a], [b]) => a - b);
  return dated.slice(0, dated.length - READING_CACHE_ARTICLES).map(([, request]) => request);
}

// A new deploy keeps what the reader saved: pages and answers fetched fresh, else copied as they were,
// each page keeping its place in the reading order.
async function carryOver() {
  const names = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && !Object.values(CACHES).includes(name));
  for (const name of names) {
    const kind = name.slice(PREFIX.length).replace(/-[^-]*$/, "");
    if (kind !== "pages" && kind !== "fragments") continue;
    const old = await caches.open(name);
    for (const request of await old.keys()) {
      const copy = await old.match(request, ANY);
      const savedAt = Number(copy.headers.get(SAVED_AT)) || 0;
      const keep = (response) => (kind === "pages" ? savePage(request.url, response, savedAt) : save(CACHES.fragments, request.url, response));
      const fresh = new Request(request.url, { cache: "no-cache", headers: kind === "pages" ? {} : { "HX-Request": "true" } });
      try {
        const response = await fetch(fresh);
        if (response.status === 404 || response.status === 410) continue;  // withdrawn: drop it
        if (!keepable(response)) throw new Error(String(response.status));
        await keep(response);
      } catch {
        await keep(copy);
      }
    }
  }
}

// On activation: what the previous worker saved while this one waited, copied across.
async function copyMissing(oldName) {
  const kind = oldName.slice(PREFIX.length).replace(/-[^-]*$/, "");
  const target = CACHES[kind] !== undefined && kind !== "shell" ? await existing(CACHES[kind]) : null;
  if (!target) return;
  const old = await caches.open(oldName);
  for (const request of await old.keys()) {
    if (!(await target.match(request, ANY))) await target.put(request, await old.match(request, ANY));
  }
  if (kind === "pages") await trim();
}

// The offline page, listing the articles saved on this device, most recently read first.
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
  const pages = await existing(CACHES.pages);
  const items = [];
  for (const request of pages ? await pages.keys() : []) {
    const path = new URL(request.url).pathname;
    if (!ARTICLE_PAGE.test(path)) continue;
    const saved = await pages.match(request);
    const match = (await saved.clone().text()).match(PAGE_TITLE);
    const title = match ? match[1].replace(TITLE_SUFFIX, "").trim() : path;
    items.push([Number(saved.headers.get(SAVED_AT)) || 0, `<li data-offline-url="${path}"><a href="${path}">${title}</a></li>`]);
  }
  return items.sort(([a], [b]) => b - a).map(([, item]) => item);
}
