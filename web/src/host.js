// Host: the object crsync.wasm calls into (Module.crsyncHost, see web/cpp/library_crsync.js).
// It forwards file calls to the file backend (OPFS, IndexedDB or memory) and socket calls to the
// SyncClient that owns the socket id, and runs posted C++ tasks from the event loop. Nothing
// may throw into wasm: every failure becomes the error value the C++ side expects.
export class Host {
  constructor(files) {
    this.files = files;
    this.sockets = new Map(); // socket id -> SyncClient
    this.engine = null; // set once the module is loaded
    this.gate = (fn) => fn(); // DbOwner replaces it: defers tasks while a transaction is open
    this.lastFileError = null;
  }

  guard(fallback, fn) {
    try {
      return fn();
    } catch (error) {
      this.lastFileError = error;
      console.error('crsync file backend:', error);
      return fallback;
    }
  }

  fileOpen(name, flags) {
    return this.guard(-1, () => this.files.fileOpen(name, flags));
  }
  fileClose(id) {
    this.guard(undefined, () => this.files.fileClose(id));
  }
  fileRead(id, target, offset) {
    return this.guard(-1, () => this.files.fileRead(id, target, offset));
  }
  fileWrite(id, source, offset) {
    return this.guard(-1, () => this.files.fileWrite(id, source, offset));
  }
  fileTruncate(id, size) {
    return this.guard(-1, () => this.files.fileTruncate(id, size));
  }
  fileSync(id) {
    return this.guard(-1, () => this.files.fileSync(id));
  }
  fileSize(id) {
    return this.guard(-1, () => this.files.fileSize(id));
  }
  fileLock(id, level) {
    this.guard(undefined, () => this.files.fileLock(id, level));
  }
  fileDelete(name) {
    return this.guard(-1, () => this.files.fileDelete(name));
  }
  fileExists(name) {
    return this.guard(false, () => this.files.fileExists(name));
  }

  wsSend(socket, bytes) {
    return this.guard(false, () => this.sockets.get(socket)?.send(bytes) ?? false);
  }
  wsBuffered(socket) {
    return this.guard(0, () => this.sockets.get(socket)?.buffered() ?? 0);
  }
  wsClose(socket, code, reason) {
    this.guard(undefined, () => this.sockets.get(socket)?.closeSocket(code, reason));
  }
  syncEvent(socket, kind, code, text) {
    this.guard(undefined, () => this.sockets.get(socket)?.onSessionEvent(kind, code, text));
  }

  post(task) {
    setTimeout(() => this.gate(() => this.engine.runTask(task)), 0);
  }
}
