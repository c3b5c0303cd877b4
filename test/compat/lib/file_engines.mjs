// File-backed variants of the two engine adapters, for the tier-2 file-compatibility test
// (spec §18): both engines open real SQLite database FILES on disk.
//
//  * FileRealEngine -- the real wasm engine has no access to the disk, so every instance
//    registers wa-sqlite's example MemoryVFS (each file's bytes live in a JS Map) under the
//    name "memory". openFile() copies the disk file's bytes into the VFS before opening it (or
//    starts an empty file), close() runs crsql_finalize + close and then writes the file's bytes
//    back to disk. The VFS is synchronous, so it works unchanged in the Asyncify build.
//  * FileHostEngine -- crsqlite-host already opens paths; openFile() passes the path, and
//    openFile(..., {load: false}) opens it with plain SQLite (no extension), which reads the file
//    without the extension's load-time writes (e.g. the crsqlite_version upgrade).
//
// Invariant: a database file is only ever in one place at a time -- open in one engine, or on
// disk. Both use the default rollback journal (DELETE), so after close the whole database is in
// the one file (close() refuses to export while a hot journal is left in the VFS).

import fs from 'node:fs';

import * as SQLite from '@vlcn.io/wa-sqlite';
import { MemoryVFS } from '@vlcn.io/wa-sqlite/src/examples/MemoryVFS.js';

import { EngineError, HarnessError } from './engine_error.mjs';
import { HostEngine } from './host_engine.mjs';
import { RealEngine } from './real_engine.mjs';

const kVfsName = 'memory';  // MemoryVFS's registered name
const kOpenFlags = SQLite.SQLITE_OPEN_CREATE | SQLite.SQLITE_OPEN_READWRITE;

export class FileRealEngine extends RealEngine {
  // A fresh wasm instance with a MemoryVFS. RealEngine.create() instantiates the module; the
  // throwaway base adapter holds no connection, so this adapter simply adopts its module.
  static async create() {
    const base = await RealEngine.create();
    return new FileRealEngine(base.module_);
  }

  constructor(module) {
    super(module);
    this.vfs_ = new MemoryVFS();
    this.api_.vfs_register(this.vfs_, false);
    this.files_ = new Map();  // db name -> {diskPath, vfsPath}
  }

  // Opens diskPath (its bytes are copied in; a missing file starts empty) as database `name`.
  // Throws EngineError with SQLite's message when the open (i.e. the extension's init) fails.
  openFile(name, diskPath) {
    return this.serialize_(async () => {
      if (this.dbs_.has(name)) throw new HarnessError(`database ${name} is already open`);
      const vfsPath = `/${name}.db`;
      for (const suffix of ['', '-journal']) this.vfs_.mapNameToFile.delete(vfsPath + suffix);
      if (fs.existsSync(diskPath)) {
        const bytes = fs.readFileSync(diskPath);
        const data = new ArrayBuffer(bytes.length);
        new Uint8Array(data).set(bytes);
        this.vfs_.mapNameToFile.set(vfsPath, {
          name: vfsPath, flags: SQLite.SQLITE_OPEN_MAIN_DB | kOpenFlags, size: bytes.length, data,
        });
      }
      let db;
      try {
        db = await this.api_.open_v2(vfsPath, kOpenFlags, kVfsName);
      } catch (e) {
        if (!(e instanceof SQLite.SQLiteError)) throw e;
        // wa-sqlite reports only "sqlite3_open_v2"; open again by hand to read the real message.
        throw new EngineError(await this.openErrorMessage_(vfsPath, e.message), e.code);
      }
      this.dbs_.set(name, db);
      this.files_.set(name, { diskPath, vfsPath });
    });
  }

  // crsql_finalize + close; for a file database the file's bytes then replace diskPath.
  async close(name) {
    const file = this.files_.get(name);
    this.files_.delete(name);
    await super.close(name);
    if (!file) return;
    const journal = this.vfs_.mapNameToFile.get(file.vfsPath + '-journal');
    if (journal && journal.size > 0) {
      throw new HarnessError(`${name}: a hot journal was left after close`);
    }
    const f = this.vfs_.mapNameToFile.get(file.vfsPath);
    if (!f) throw new HarnessError(`${name}: ${file.vfsPath} vanished from the VFS`);
    fs.writeFileSync(file.diskPath, new Uint8Array(f.data, 0, f.size));
    this.vfs_.mapNameToFile.delete(file.vfsPath);
  }

  async openErrorMessage_(vfsPath, fallback) {
    const m = this.module_;
    const pp = m._malloc(4);
    try {
      const rc = await m.ccall('sqlite3_open_v2', 'number',
                               ['string', 'number', 'number', 'string'],
                               [vfsPath, pp, kOpenFlags, kVfsName], { async: true });
      const db = m.getValue(pp, '*');
      const msg = db ? m.ccall('sqlite3_errmsg', 'string', ['number'], [db]) : `rc ${rc}`;
      if (db) await m.ccall('sqlite3_close', 'number', ['number'], [db], { async: true });
      return msg;
    } catch {
      return fallback;
    } finally {
      m._free(pp);
    }
  }
}

export class FileHostEngine extends HostEngine {
  // Same contract as HostEngine.create.
  static async create({ hostPath, soPath, timeoutMs = 60000 }) {
    for (const [what, p] of [['crsqlite-host', hostPath], ['crsqlite.so', soPath]]) {
      if (!fs.existsSync(p)) throw new HarnessError(`${what} not found at ${p}`);
    }
    const engine = new FileHostEngine(hostPath, soPath, timeoutMs);
    const info = await engine.request_({ op: 'info' });
    engine.sqliteVersionValue_ = info.sqlite_version;
    return engine;
  }

  // Opens the file at diskPath (created if missing) as database `name`; load: false opens it
  // with plain SQLite (close() then skips crsql_finalize). Throws EngineError when the open or
  // the extension's init fails.
  async openFile(name, diskPath, { load = true } = {}) {
    const res = await this.serialize_({ op: 'open', db: name, path: diskPath, load });
    if (!res.ok) throw new EngineError(res.error, res.code, { xcode: res.xcode });
  }
}
