// IdbFiles: the fallback file backend where OPFS is missing. The database file is kept in memory
// (MemoryFile) and persisted to IndexedDB (database "crsync-files", store "chunks" keyed
// [path, chunk index], store "sizes" keyed path); the rollback journal and temporary files live
// in memory only.
//
// Persisting happens when SQLite drops its lock to SHARED or below, i.e. when a write
// transaction has ended (committed or rolled back), and writes every changed chunk in ONE
// IndexedDB transaction. The stored image is therefore always a committed state of the
// database, whatever moment the browser dies at; the Worker answers a write only after
// whenPersisted() resolves, so an acknowledged write is durable.
import { CHUNK_SIZE, MemoryFile, MemoryFileHandles } from './files_memory.js';

const IDB_NAME = 'crsync-files';
const SHARED_LOCK = 1;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export class IdbFiles extends MemoryFileHandles {
  static available() {
    return typeof indexedDB !== 'undefined';
  }

  constructor() {
    super();
    this.kind = 'idb';
    this.path = null;
    this.main = null; // MemoryFile of the database
    this.storedChunks = 0; // chunks present in IndexedDB for path
    this.pending = Promise.resolve();
    this.failure = null;
  }

  async prepare(path) {
    const openReq = indexedDB.open(IDB_NAME, 1);
    openReq.onupgradeneeded = () => {
      openReq.result.createObjectStore('chunks');
      openReq.result.createObjectStore('sizes');
    };
    this.idb = await request(openReq);
    this.path = path;
    this.main = new MemoryFile();
    const tx = this.idb.transaction(['chunks', 'sizes'], 'readonly');
    const size = (await request(tx.objectStore('sizes').get(path))) ?? 0;
    const range = IDBKeyRange.bound([path, 0], [path, Infinity]);
    const [keys, values] = await Promise.all([
      request(tx.objectStore('chunks').getAllKeys(range)),
      request(tx.objectStore('chunks').getAll(range)),
    ]);
    keys.forEach((key, i) => this.main.chunks.set(key[1], new Uint8Array(values[i])));
    this.main.size = size;
    this.storedChunks = keys.length ? Math.max(...keys.map((k) => k[1])) + 1 : 0;
  }

  release() {
    this.idb?.close();
  }

  // Resolves when everything written so far is in IndexedDB; rejects if a persist failed.
  whenPersisted() {
    return this.pending.then(() => {
      if (this.failure) throw this.failure;
    });
  }

  persist() {
    const file = this.main;
    if (file.dirty.size === 0 && !file.truncated) return;
    const chunks = [...file.dirty].map((index) => [index, file.chunks.get(index).slice()]);
    const keep = Math.ceil(file.size / CHUNK_SIZE);
    const stale = this.storedChunks > keep ? [keep, this.storedChunks] : null;
    const size = file.size;
    file.markClean();
    this.storedChunks = Math.max(keep, ...chunks.map(([index]) => index + 1));
    const tx = this.idb.transaction(['chunks', 'sizes'], 'readwrite');
    const store = tx.objectStore('chunks');
    for (const [index, bytes] of chunks) store.put(bytes.buffer, [this.path, index]);
    if (stale) store.delete(IDBKeyRange.bound([this.path, stale[0]], [this.path, stale[1]]));
    tx.objectStore('sizes').put(size, this.path);
    this.pending = this.pending.then(() => done(tx)).catch((error) => {
      this.failure = error;
    });
  }

  fileOpen(name, flags) {
    return this.openFile(name === this.path ? this.main : new MemoryFile());
  }

  fileLock(id, level) {
    if (level <= SHARED_LOCK && this.open.get(id) === this.main) this.persist();
  }

  fileDelete(name) {
    return 0; // only the in-memory journal is ever deleted
  }

  fileExists(name) {
    return name === this.path && this.main.size > 0;
  }
}
