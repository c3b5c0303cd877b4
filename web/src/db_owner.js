// DbOwner: the tab that holds a database's Web Lock runs every request on it, its own and the
// other tabs' (worker.js routes them here). It owns the file backend, the wasm engine, the
// connection and the sync clients.
//
// Ordering: requests run one at a time in arrival order (the engine is synchronous). An open
// transaction (begin .. commit/rollback, identified by its tx id) holds the connection: other
// requests, incoming sync messages and the sync session's posted pumps wait in `idle` until it
// ends, so a session never reads or applies inside a caller's uncommitted transaction. A
// transaction opened by another tab is rolled back if that tab dies (its lifetime lock
// crsync-tab:<id> is released).
//
// After every write (outside a transaction, or at commit) the owner: waits for the backend to
// persist (IndexedDB), tells the sync sessions (crsync_db_poll) and broadcasts the changed
// tables.
import { Engine } from './engine.js';
import { Host } from './host.js';
import { SyncClient } from './sync_client.js';

export class DbOwner {
  // files: a file backend; notify(event): broadcast to every tab (this one included).
  static async open(path, files, notify, moduleOptions) {
    await files.prepare(path);
    const host = new Host(files);
    const engine = await Engine.load(host, moduleOptions);
    host.engine = engine;
    const owner = new DbOwner(engine, host, files, notify);
    owner.db = engine.open(path, files.openPragmas ?? '');
    engine.changedTables(owner.db);
    return owner;
  }

  constructor(engine, host, files, notify) {
    this.engine = engine;
    this.host = host;
    this.files = files;
    this.notify = notify;
    this.db = 0;
    this.tx = null; // {id, tabId, abort}
    this.idle = []; // work waiting for the transaction to end
    this.syncs = new Map(); // key -> SyncClient
    host.gate = (fn) => this.gate(fn);
  }

  // Runs fn now, or when no transaction is open (in order).
  gate(fn) {
    if (this.tx) this.idle.push(fn);
    else fn();
  }

  // Executes one request from tab `tabId`; resolves with its result or rejects with an Error.
  handle(request, tabId) {
    return new Promise((resolve, reject) => {
      // execute() runs synchronously up to its first await, so a 'begin' holds the connection
      // before the next queued request is looked at.
      const run = () => this.execute(request, tabId).then(resolve, reject);
      if (this.tx && request.tx !== this.tx.id) this.idle.push(run);
      else run();
    });
  }

  async execute(request, tabId) {
    switch (request.op) {
      case 'exec':
      case 'query': {
        const result = this.engine.run(this.db, request.sql, request.params);
        if (!this.tx) await this.afterWrite();
        return request.op === 'query' ? toObjects(result) : { changes: result.changes };
      }
      case 'execMany': {
        // One statement run for every parameter set, atomically: inside the caller's
        // transaction, or in one of its own.
        const own = !this.tx;
        let changes = 0;
        if (own) this.engine.run(this.db, 'BEGIN');
        try {
          changes = this.engine.runMany(this.db, request.sql, request.paramsList);
          if (own) this.engine.run(this.db, 'COMMIT');
        } catch (error) {
          if (own && this.engine.inTransaction(this.db)) this.engine.run(this.db, 'ROLLBACK');
          throw error;
        }
        if (!this.tx) await this.afterWrite();
        return { changes };
      }
      case 'begin':
        this.engine.run(this.db, 'BEGIN');
        this.tx = { id: request.tx, tabId };
        this.watchTab(tabId);
        return null;
      case 'commit':
      case 'rollback': {
        this.requireTx(request.tx);
        try {
          this.engine.run(this.db, request.op === 'commit' ? 'COMMIT' : 'ROLLBACK');
        } catch (error) {
          if (this.engine.inTransaction(this.db)) throw error; // still open: caller may retry
        }
        this.endTx();
        await this.afterWrite();
        return null;
      }
      case 'applySchema': {
        const outcome = this.engine.applySchema(this.db, request.name, request.sql);
        await this.afterWrite();
        return outcome;
      }
      case 'startSync':
        return this.startSync(request);
      case 'stopSync':
        return this.stopSync(request);
      case 'syncStatus':
        return this.syncStatuses();
      case 'storage':
        return this.files.kind;
      default:
        throw new Error(`unknown request ${request.op}`);
    }
  }

  requireTx(id) {
    if (!this.tx || this.tx.id !== id) throw new Error('no such transaction');
  }

  // Rolls back the transaction of tab tabId if the tab goes away while it is open.
  watchTab(tabId) {
    const abort = new AbortController();
    this.tx.abort = abort;
    navigator.locks
      .request(`crsync-tab:${tabId}`, { signal: abort.signal }, () => {
        if (this.tx && this.tx.tabId === tabId) {
          if (this.engine.inTransaction(this.db)) this.engine.run(this.db, 'ROLLBACK');
          this.endTx();
          return this.afterWrite();
        }
        return undefined;
      })
      .catch(() => {});
  }

  endTx() {
    this.tx?.abort?.abort();
    this.tx = null;
    const waiting = this.idle;
    this.idle = [];
    for (const fn of waiting) this.gate(fn);
  }

  async afterWrite() {
    await this.files.whenPersisted();
    const tables = this.engine.changedTables(this.db);
    if (this.engine.pollForSync(this.db)) {
      for (const sync of this.syncs.values()) sync.noteLocalChange();
    }
    if (tables.length) this.notify({ type: 'change', tables });
  }

  // A sync message was applied (it may have committed remote changes).
  afterSyncApply() {
    const tables = this.engine.changedTables(this.db);
    if (!tables.length) return;
    this.files.whenPersisted().then(
      () => this.notify({ type: 'change', tables }),
      (error) => console.error('crsync: persisting synced changes failed', error),
    );
  }

  startSync({ url, room, token }) {
    const key = syncKey(url, room);
    let sync = this.syncs.get(key);
    if (!sync) {
      sync = new SyncClient(this, { url, room, token }, (status, detail) =>
        this.notify({ type: 'sync', url, room, status, detail }),
      );
      this.syncs.set(key, sync);
      sync.start();
    }
    return { status: sync.status, detail: sync.detail };
  }

  stopSync({ url, room }) {
    for (const [key, sync] of this.syncs) {
      if (sync.url === url && (room == null || sync.room === room)) {
        sync.stop();
        this.syncs.delete(key);
      }
    }
    return null;
  }

  syncStatuses() {
    return [...this.syncs.values()].map((s) => ({
      url: s.url, room: s.room, status: s.status, detail: s.detail,
    }));
  }

  close() {
    for (const sync of this.syncs.values()) sync.stop();
    this.syncs.clear();
    this.engine.close(this.db);
    this.files.release();
  }
}

export function syncKey(url, room) {
  return `${url}\n${room}`;
}

function toObjects({ columns, rows }) {
  return rows.map((row) => {
    const object = {};
    columns.forEach((name, i) => (object[name] = row[i]));
    return object;
  });
}
