// crsync in the browser: the page-side API. Every database runs in a dedicated Worker
// (worker.js) that owns the SQLite file (OPFS, or IndexedDB where OPFS is missing) and the sync
// sessions; these functions only send it requests. See index.d.ts for the documented API.
const databases = new Map(); // name -> Promise<Database>
let compiledModule = null; // Promise<WebAssembly.Module>: compiled once, shared by every Worker

// The engine compiled once per page: Workers instantiate this module, so optimised code
// (V8 tier-up) is shared instead of recompiled by each new Worker.
function compileEngine() {
  compiledModule ??= WebAssembly.compileStreaming(fetch(new URL('./crsync.wasm', import.meta.url)))
    .catch(() => null); // the Worker then loads the module itself
  return compiledModule;
}

class WorkerLink {
  constructor(worker) {
    this.worker = worker;
    this.nextId = 1;
    this.calls = new Map();
    this.listeners = new Set();
    worker.onmessage = (event) => this.receive(event.data);
    worker.onerror = (event) => {
      const error = new Error(`crsync worker failed: ${event.message ?? 'unknown error'}`);
      for (const { reject } of this.calls.values()) reject(error);
      this.calls.clear();
    };
  }

  call(op, args = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, ...args });
    });
  }

  receive(message) {
    if (message.event) {
      for (const listener of this.listeners) listener(message);
      return;
    }
    const call = this.calls.get(message.id);
    if (!call) return;
    this.calls.delete(message.id);
    if (message.error) {
      const error = new Error(message.error.message);
      error.code = message.error.code;
      call.reject(error);
    } else {
      call.resolve(message.result);
    }
  }
}

class Transaction {
  constructor(link, id) {
    this.link = link;
    this.id = id;
  }
  async exec(sql, params) {
    return this.link.call('exec', { sql, params, tx: this.id });
  }
  async query(sql, params) {
    return this.link.call('query', { sql, params, tx: this.id });
  }
  async execMany(sql, paramsList) {
    return this.link.call('execMany', { sql, paramsList, tx: this.id });
  }
}

export class Database {
  constructor(name, link) {
    this.name = name;
    this.link = link;
    this.closed = false;
  }

  exec(sql, params) {
    return this.link.call('exec', { sql, params });
  }

  query(sql, params) {
    return this.link.call('query', { sql, params });
  }

  execMany(sql, paramsList) {
    return this.link.call('execMany', { sql, paramsList });
  }

  applySchema(name, sql) {
    return this.link.call('applySchema', { name, sql });
  }

  async transaction(fn) {
    const tx = new Transaction(this.link, crypto.randomUUID());
    await this.link.call('begin', { tx: tx.id });
    let result;
    try {
      result = await fn(tx);
    } catch (error) {
      await this.link.call('rollback', { tx: tx.id }).catch(() => {});
      throw error;
    }
    await this.link.call('commit', { tx: tx.id });
    return result;
  }

  onChange(tables, callback) {
    const wanted = tables == null ? null : new Set([].concat(tables));
    const listener = (message) => {
      if (message.event !== 'change') return;
      const hit = wanted ? message.tables.filter((t) => wanted.has(t)) : message.tables;
      if (hit.length) callback({ tables: hit });
    };
    this.link.listeners.add(listener);
    return () => this.link.listeners.delete(listener);
  }

  startSync(url, { room, token } = {}) {
    const handle = new SyncHandle(this, url, room);
    return this.link.call('startSync', { url, room, token }).then((state) => {
      if (state?.status && !handle.status) handle.update(state.status, state.detail);
      return handle;
    });
  }

  stopSync(url, room) {
    return this.link.call('stopSync', { url, room });
  }

  syncStatus() {
    return this.link.call('syncStatus');
  }

  // Whether this tab's Worker owns the database file (the others go through it).
  async isOwner() {
    return (await this.link.call('role')).owner;
  }

  storage() {
    return this.link.call('storage');
  }

  close() {
    this.closed = true;
    this.link.worker.terminate();
    databases.delete(this.name);
  }
}

class SyncHandle {
  constructor(db, url, room) {
    this.db = db;
    this.url = url;
    this.room = room;
    this.status = null;
    this.detail = null;
    this.callbacks = new Set();
    this.listener = (message) => {
      if (message.event === 'sync' && message.url === url && message.room === room) {
        this.update(message.status, message.detail);
      }
    };
    db.link.listeners.add(this.listener);
  }

  update(status, detail) {
    this.status = status;
    this.detail = detail ?? null;
    for (const callback of this.callbacks) callback({ status, detail: this.detail });
  }

  onStatus(callback) {
    this.callbacks.add(callback);
    return () => this.callbacks.delete(callback);
  }

  // Resolves once the status is `status` (now or later); rejects after timeoutMs.
  waitFor(status, timeoutMs = 10000) {
    if (this.status === status) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`sync status stayed ${this.status} (${this.detail}), not ${status}`));
      }, timeoutMs);
      const off = this.onStatus(({ status: now }) => {
        if (now !== status) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  async stop() {
    await this.db.stopSync(this.url, this.room);
    this.db.link.listeners.delete(this.listener);
  }
}

export function openDatabase(name, options = {}) {
  if (!databases.has(name)) {
    const opening = (async () => {
      const worker = new Worker(options.workerUrl ?? new URL('./worker.js', import.meta.url),
        { type: 'module', name: `crsync:${name}` });
      const link = new WorkerLink(worker);
      const wasmModule = await compileEngine();
      await link.call('init', { name, storage: options.storage ?? 'auto', wasmModule });
      return new Database(name, link);
    })();
    opening.catch(() => databases.delete(name));
    databases.set(name, opening);
  }
  return databases.get(name);
}

export async function startSync(dbName, url, { room, token } = {}) {
  const db = await openDatabase(dbName);
  return db.startSync(url, { room, token });
}

export async function stopSync(dbName, url, room) {
  const db = await openDatabase(dbName);
  return db.stopSync(url, room);
}
