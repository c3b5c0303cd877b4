// OpfsFiles: the file backend over the Origin Private File System. Each database is the OPFS
// file crsync/<name> plus its rollback journal crsync/<name>-journal (journal_mode PERSIST),
// both opened up front with createSyncAccessHandle() (asynchronous, so before SQLite runs), then
// read and written synchronously from the VFS (web/cpp/browser_vfs.cpp). xSync is
// handle.flush(), so a committed transaction survives a killed browser. The access handles are
// exclusive: only the tab that holds the database's Web Lock opens them (worker.js). Any other
// file SQLite asks for (temporary files, statement journals beyond 64 KiB) lives in memory.
import { MemoryFile } from './files_memory.js';

const DIRECTORY = 'crsync';

export class OpfsFiles {
  static available() {
    return typeof FileSystemSyncAccessHandle !== 'undefined' &&
      typeof navigator !== 'undefined' && !!navigator.storage?.getDirectory;
  }

  constructor() {
    this.kind = 'opfs';
    // Run on the connection before anything else (engine.open). One owner per file (Web Locks,
    // exclusive access handles), so SQLite may keep its lock between transactions: it then
    // skips the hot-journal and change-counter checks at the start of each one. PERSIST: a
    // commit invalidates the journal by zeroing its header (a 28-byte write + flush) instead of
    // truncating it (a slower OPFS truncate + flush); the journal file stays allocated, capped
    // at 4 MiB after each commit. synchronous stays FULL: the journal is flushed before the
    // database is written, the database before the journal is invalidated, and the
    // invalidation itself, so a commit is durable once it returns.
    this.openPragmas = 'PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=PERSIST; ' +
      'PRAGMA journal_size_limit=4194304';
    this.handles = new Map(); // file name -> FileSystemSyncAccessHandle
    this.open = new Map(); // file id -> {handle} or {memory}
    this.nextId = 1;
  }

  // Opens the access handles of database `path` and its journal. A previous owner (a tab that is
  // closing) may still hold them for a moment: retried for up to ~5 s.
  async prepare(path) {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle(DIRECTORY, { create: true });
    for (const name of [path, `${path}-journal`]) {
      const file = await dir.getFileHandle(name, { create: true });
      for (let attempt = 0; ; attempt++) {
        try {
          this.handles.set(name, await file.createSyncAccessHandle());
          break;
        } catch (error) {
          if (attempt >= 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
  }

  release() {
    for (const handle of this.handles.values()) handle.close();
    this.handles.clear();
  }

  whenPersisted() {
    return Promise.resolve();
  }

  fileOpen(name, flags) {
    const handle = this.handles.get(name);
    const id = this.nextId++;
    this.open.set(id, handle ? { handle } : { memory: new MemoryFile() });
    return id;
  }

  fileClose(id) {
    this.open.delete(id);
  }

  fileRead(id, target, offset) {
    const f = this.open.get(id);
    if (f.memory) return f.memory.read(target, offset);
    return f.handle.read(target, { at: offset });
  }

  fileWrite(id, source, offset) {
    const f = this.open.get(id);
    if (f.memory) {
      f.memory.write(source, offset);
      return 0;
    }
    return f.handle.write(source, { at: offset }) === source.length ? 0 : -1;
  }

  fileTruncate(id, size) {
    const f = this.open.get(id);
    if (f.memory) f.memory.truncate(size);
    else f.handle.truncate(size);
    return 0;
  }

  fileSync(id) {
    const f = this.open.get(id);
    if (f.handle) f.handle.flush();
    return 0;
  }

  fileSize(id) {
    const f = this.open.get(id);
    return f.memory ? f.memory.size : f.handle.getSize();
  }

  fileLock(id, level) {}

  // With journal_mode PERSIST SQLite never deletes the journal; should it (another journal
  // mode), the handle stays open and the file becomes empty.
  fileDelete(name) {
    const handle = this.handles.get(name);
    if (handle) {
      handle.truncate(0);
      handle.flush();
    }
    return 0;
  }

  fileExists(name) {
    const handle = this.handles.get(name);
    return !!handle && handle.getSize() > 0;
  }
}
