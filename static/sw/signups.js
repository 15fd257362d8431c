// Signups made offline, imported by /sw.js (which defines SIGNUP_QUEUED). A signup htmx posts without a
// connection is kept in IndexedDB, so it outlives the tab and the browser; it is sent once the
// connection is back, by Background Sync where the browser has it, else when a page says it loaded or
// came online (static/js/pwa.js); the server's answer then goes to the open pages. docs/pwa.md.
"use strict";

const SYNC_TAG = "send-signups";
const SIGNUP_DB = "healthy-tips";
const SIGNUP_STORE = "signups";
const SENDING_FOR = 60000;  // a send still unfinished after a minute was cut short (the worker stopped)
const REPLAYED = /^(content-type|hx-)/i;  // the request headers a signup is sent again with

function openDatabase() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(SIGNUP_DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(SIGNUP_STORE, { keyPath: "id", autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Run `work(store, setResult)` in one transaction; the result once it has committed.
async function transact(mode, work) {
  const db = await openDatabase();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(SIGNUP_STORE, mode);
      let result;
      transaction.oncomplete = () => resolve(result);
      transaction.onerror = transaction.onabort = () => reject(transaction.error);
      work(transaction.objectStore(SIGNUP_STORE), (value) => { result = value; });
    });
  } finally {
    db.close();
  }
}

const allSignups = () => transact("readonly", (store, result) => { store.getAll().onsuccess = (event) => result(event.target.result); });
const putSignup = (record) => transact("readwrite", (store) => store.put(record));

// Change one record if `change` accepts it (returns the new record), atomically across the worker and
// any other context; the new record, or undefined.
function updateSignup(id, change) {
  return transact("readwrite", (store, result) => {
    const get = store.get(id);
    get.onsuccess = () => {
      const next = get.result && change(get.result);
      if (next === null) store.delete(id);
      else if (next) store.put(next);
      result(next === null ? get.result : next);
    };
  });
}

// htmx's POST of the signup form: to the server, or, without a connection, kept and answered so.
async function signUp(request) {
  const body = await request.clone().arrayBuffer();
  try {
    return await fetch(request);
  } catch {
    const headers = [...request.headers].filter(([name]) => REPLAYED.test(name));
    await transact("readwrite", (store) => store.add({ url: request.url, body, headers, state: "queued", queuedAt: Date.now() }));
    if (self.registration.sync) await self.registration.sync.register(SYNC_TAG).catch(() => {});  // refused: pages send it
    return htmlResponse(SIGNUP_QUEUED, 202);
  }
}

let sending = null;

// Send every waiting signup, one sender at a time; throws when one must wait for the connection still.
function sendSignups() {
  sending = sending || sendWaiting().finally(() => { sending = null; });
  return sending;
}

async function sendWaiting() {
  let waiting = false;
  for (const { id } of await allSignups()) {
    const claimed = (record) =>
      (record.state === "queued" || (record.state === "sending" && Date.now() - record.sentAt > SENDING_FOR))
        ? { ...record, state: "sending", sentAt: Date.now() } : undefined;
    const record = await updateSignup(id, claimed);
    if (!record) continue;  // sent already, or being sent
    let response = null;
    try {
      response = await fetch(record.url, { method: "POST", body: record.body, headers: record.headers, credentials: "same-origin" });
    } catch { /* still offline */ }
    if (!response || response.status === 429 || response.status >= 500) {
      await putSignup({ ...record, state: "queued" });  // not taken: try again later
      waiting = true;
      continue;
    }
    await putSignup({ ...record, state: "sent", status: response.status, answer: await response.text() });
  }
  await deliverAnswers();
  if (waiting) throw new Error("a signup is waiting for the connection");
}

// Asked by a page (it loaded, or the browser says it is back online): the connection may take a few
// seconds more to carry requests, so a failed send is tried again a few times.
async function sendSignupsSoon() {
  for (const delay of [0, 2000, 5000, 10000]) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      return await sendSignups();
    } catch { /* not yet */ }
  }
}

// The server's answers go to every open page (each shows it); with no page open they wait for the next.
async function deliverAnswers() {
  const pages = await self.clients.matchAll({ type: "window" });
  if (!pages.length) return;
  for (const { id } of await allSignups()) {
    const record = await updateSignup(id, (r) => (r.state === "sent" ? null : undefined));  // taken once
    if (record && record.state === "sent") {
      for (const client of pages) client.postMessage({ type: "signup-sent", html: record.answer });
    }
  }
}
