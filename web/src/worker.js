// The crsync Worker: one per database per tab (created by index.js). Several tabs of an origin
// share a database safely:
//
//   * every Worker holds the lock crsync-tab:<tabId> for its whole life (liveness, see DbOwner);
//   * the Worker that gets the Web Lock crsync-db:<name> becomes the database's owner: it opens
//     the file (OPFS access handles are exclusive) and runs DbOwner. The lock is released only
//     when that tab closes, and the next waiting Worker takes over;
//   * the others are followers: they send their page's requests to the owner over the
//     BroadcastChannel crsync-db:<name> and get the answers back. When a new owner announces
//     itself, followers resend every unanswered request and their sync wishes to it;
//   * changes and sync statuses are broadcast by the owner to every tab.
//
// Page <-> Worker messages: {id, op, ...} -> {id, result} | {id, error}; events
// {event: 'change', tables}, {event: 'sync', url, room, status, detail}, {event: 'role', owner}.
import { DbOwner, syncKey } from './db_owner.js';
import { IdbFiles } from './files_idb.js';
import { MemoryFiles } from './files_memory.js';
import { OpfsFiles } from './files_opfs.js';

const tabId = crypto.randomUUID();
let channel = null;
let owner = null; // DbOwner when this tab owns the database
let ownerFailure = null; // why this tab could not open the database it owns
let leaderId = null; // owning tab when this one is a follower
const pending = new Map(); // request id -> request (followers: sent, not answered)
const wishedSyncs = new Map(); // syncKey -> {url, room, token}: re-sent to every new owner

function chooseFiles(storage) {
  if (storage === 'memory') return new MemoryFiles();
  if (storage === 'idb') return new IdbFiles();
  if (storage === 'opfs' || OpfsFiles.available()) return new OpfsFiles();
  return new IdbFiles();
}

function toPage(message) {
  self.postMessage(message);
}

function errorOf(error) {
  return { message: error?.message ?? String(error), code: error?.code ?? null };
}

// An event for every tab, this one included.
function broadcast(event) {
  channel.postMessage(event);
  deliverEvent(event);
}

function deliverEvent(event) {
  if (event.type === 'change') toPage({ event: 'change', tables: event.tables });
  if (event.type === 'sync') {
    toPage({ event: 'sync', url: event.url, room: event.room, status: event.status,
      detail: event.detail });
  }
  if (event.type === 'sync-stopped') {
    for (const [key, wish] of wishedSyncs) {
      if (wish.url === event.url && (event.room == null || wish.room === event.room)) {
        wishedSyncs.delete(key);
      }
    }
  }
}

async function runAsOwner(request, fromTab) {
  if (ownerFailure) throw ownerFailure;
  const result = await owner.handle(request, fromTab);
  if (request.op === 'stopSync') {
    broadcast({ type: 'sync-stopped', url: request.url, room: request.room });
  }
  return result;
}

function sendToOwner(request) {
  if (leaderId) channel.postMessage({ type: 'request', to: leaderId, from: tabId, request });
}

async function becomeOwner(name, storage, moduleOptions) {
  leaderId = tabId;
  try {
    owner = await DbOwner.open(encodeURIComponent(name), chooseFiles(storage), broadcast,
      moduleOptions);
  } catch (error) {
    ownerFailure = error;
  }
  channel.postMessage({ type: 'leader', tabId });
  toPage({ event: 'role', owner: true });
  // This tab's own requests that waited for an owner, and its sync wishes.
  const waiting = [...pending.values()];
  pending.clear();
  for (const request of waiting) answerPage(request, runAsOwner(request, tabId));
  if (!ownerFailure) {
    for (const wish of wishedSyncs.values()) owner.startSync(wish);
  }
}

function answerPage(request, promise) {
  promise.then(
    (result) => toPage({ id: request.id, result }),
    (error) => toPage({ id: request.id, error: errorOf(error) }),
  );
}

// Runs a request forwarded by another tab and sends the answer back to it.
function serveOtherTab({ from, request }) {
  const reply = { type: 'response', to: from, id: request.id };
  runAsOwner(request, from).then(
    (result) => channel.postMessage({ ...reply, result }),
    (error) => channel.postMessage({ ...reply, error: errorOf(error) }),
  );
}

function onChannelMessage(message) {
  switch (message.type) {
    case 'leader':
      if (message.tabId === tabId) return;
      leaderId = message.tabId;
      for (const request of pending.values()) sendToOwner(request);
      for (const wish of wishedSyncs.values()) {
        sendToOwner({ id: `sync-${crypto.randomUUID()}`, op: 'startSync', ...wish });
      }
      return;
    case 'hello':
      if (owner) channel.postMessage({ type: 'leader', tabId });
      return;
    case 'request':
      if (message.to === tabId && owner) serveOtherTab(message);
      return;
    case 'response':
      if (message.to !== tabId || !pending.has(message.id)) return;
      pending.delete(message.id);
      toPage({ id: message.id, result: message.result, error: message.error });
      return;
    default:
      deliverEvent(message);
  }
}

// Emscripten options that instantiate the page's compiled module (see index.js) if it sent one.
function moduleOptionsFor(wasmModule) {
  if (!(wasmModule instanceof WebAssembly.Module)) return {};
  return {
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(wasmModule, imports).then((instance) => receive(instance));
      return {};
    },
  };
}

async function init({ name, storage, wasmModule }) {
  const moduleOptions = moduleOptionsFor(wasmModule);
  // Liveness: held until this Worker dies. Granted BEFORE any request leaves this tab: an owner
  // that watches this tab (an open transaction) must never get the lock while we are alive.
  await new Promise((granted) => {
    navigator.locks.request(`crsync-tab:${tabId}`, () => {
      granted();
      return new Promise(() => {});
    });
  });
  channel = new BroadcastChannel(`crsync-db:${name}`);
  channel.onmessage = (event) => onChannelMessage(event.data);
  navigator.locks.request(`crsync-db:${name}`, async () => {
    await becomeOwner(name, storage, moduleOptions);
    return new Promise(() => {}); // held for the life of this tab
  });
  channel.postMessage({ type: 'hello', from: tabId });
}

self.onmessage = (event) => {
  const request = event.data;
  if (request.op === 'init') {
    init(request).then(() => toPage({ id: request.id, result: { tabId } }),
      (error) => toPage({ id: request.id, error: errorOf(error) }));
    return;
  }
  if (request.op === 'role') {
    toPage({ id: request.id, result: { owner: !!owner, tabId, ownerTab: leaderId } });
    return;
  }
  if (request.op === 'startSync') {
    wishedSyncs.set(syncKey(request.url, request.room),
      { url: request.url, room: request.room, token: request.token });
  }
  if (owner || ownerFailure) {
    answerPage(request, runAsOwner(request, tabId));
  } else {
    pending.set(request.id, request);
    sendToOwner(request);
  }
};
