// MemoryFile: a growable in-memory file made of fixed-size chunks. Backs SQLite's temporary
// files on every backend, and holds the IndexedDB backend's files between persists.
export const CHUNK_SIZE = 4096;

export class MemoryFile {
  constructor() {
    this.size = 0;
    this.chunks = new Map(); // chunk index -> Uint8Array(CHUNK_SIZE)
    this.dirty = new Set(); // chunk indexes written since markClean()
    this.truncated = false; // shrunk since markClean()
  }

  read(target, offset) {
    const end = Math.min(offset + target.length, this.size);
    let done = 0;
    for (let at = offset; at < end; ) {
      const index = Math.floor(at / CHUNK_SIZE);
      const within = at - index * CHUNK_SIZE;
      const n = Math.min(CHUNK_SIZE - within, end - at);
      const chunk = this.chunks.get(index);
      if (chunk) target.set(chunk.subarray(within, within + n), done);
      else target.fill(0, done, done + n);
      at += n;
      done += n;
    }
    return Math.max(done, 0);
  }

  write(source, offset) {
    let done = 0;
    while (done < source.length) {
      const at = offset + done;
      const index = Math.floor(at / CHUNK_SIZE);
      const within = at - index * CHUNK_SIZE;
      const n = Math.min(CHUNK_SIZE - within, source.length - done);
      let chunk = this.chunks.get(index);
      if (!chunk) {
        chunk = new Uint8Array(CHUNK_SIZE);
        this.chunks.set(index, chunk);
      }
      chunk.set(source.subarray(done, done + n), within);
      this.dirty.add(index);
      done += n;
    }
    this.size = Math.max(this.size, offset + source.length);
  }

  truncate(size) {
    if (size >= this.size) {
      this.size = size;
      return;
    }
    const keep = Math.ceil(size / CHUNK_SIZE);
    for (const index of [...this.chunks.keys()]) {
      if (index >= keep) {
        this.chunks.delete(index);
        this.dirty.delete(index);
      }
    }
    const tail = this.chunks.get(keep - 1);
    if (tail && size % CHUNK_SIZE !== 0) {
      tail.fill(0, size % CHUNK_SIZE);
      this.dirty.add(keep - 1);
    }
    this.size = size;
    this.truncated = true;
  }

  markClean() {
    this.dirty.clear();
    this.truncated = false;
  }
}

// MemoryFileHandles: the open-file table of a backend whose files are MemoryFile objects
// (MemoryFiles, IdbFiles): ids for open files and the per-id read/write/truncate/size calls.
export class MemoryFileHandles {
  constructor() {
    this.open = new Map(); // id -> MemoryFile
    this.nextId = 1;
  }
  // Registers file as open; returns its id.
  openFile(file) {
    const id = this.nextId++;
    this.open.set(id, file);
    return id;
  }
  fileClose(id) {
    this.open.delete(id);
  }
  fileRead(id, target, offset) {
    return this.open.get(id).read(target, offset);
  }
  fileWrite(id, source, offset) {
    this.open.get(id).write(source, offset);
    return 0;
  }
  fileTruncate(id, size) {
    this.open.get(id).truncate(size);
    return 0;
  }
  fileSync(id) {
    return 0;
  }
  fileSize(id) {
    return this.open.get(id).size;
  }
}

// MemoryFiles: a file backend that keeps every file in memory (storage: 'memory'; also what the
// Node smoke test uses). Nothing survives the Worker.
export class MemoryFiles extends MemoryFileHandles {
  constructor() {
    super();
    this.kind = 'memory';
    this.files = new Map(); // name -> MemoryFile
  }
  async prepare(path) {}
  release() {}
  whenPersisted() {
    return Promise.resolve();
  }
  fileOpen(name, flags) {
    let file = name ? this.files.get(name) : undefined;
    if (!file) {
      file = new MemoryFile();
      if (name) this.files.set(name, file);
    }
    return this.openFile(file);
  }
  fileLock(id, level) {}
  fileDelete(name) {
    this.files.delete(name);
    return 0;
  }
  fileExists(name) {
    return (this.files.get(name)?.size ?? 0) > 0;
  }
}
