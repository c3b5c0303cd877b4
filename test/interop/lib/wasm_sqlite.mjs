// A small SYNCHRONOUS SQLite binding over the real cr-sqlite 0.16 WebAssembly build that ships
// without Asyncify (@vlcn.io/wa-sqlite 0.22.0 dist/crsqlite-sync.{mjs,wasm}; cr-sqlite is
// registered as an auto extension, so every connection has it). The reference ws-server needs a
// synchronous database (it was written for better-sqlite3, which cannot be built here), and the
// ws-client adapter is simpler on top of the same code.
//
// Value conventions are chosen per connection so that each side behaves like the JavaScript stack
// it stands in for (sync-protocol.md §7.1):
//   integers: "bigint"  -> every INTEGER is read as a BigInt (better-sqlite3 safeIntegers);
//             "safe"    -> a Number when it fits in ±2^53, else a BigInt (wa-sqlite).
//   numbers:  "real"    -> a JS number always binds as REAL (better-sqlite3);
//             "int32"   -> an int32-valued number binds as INTEGER, others as REAL (wa-sqlite).
// Strings bind as TEXT, Uint8Array as BLOB, bigint as INTEGER, null/undefined as NULL; anything
// else (e.g. a boolean) is an error, like better-sqlite3 and wa-sqlite.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const kDistDir = path.dirname(require.resolve('@vlcn.io/wa-sqlite/dist/crsqlite-sync.wasm'));

const SQLITE_OK = 0;
const SQLITE_ROW = 100;
const SQLITE_DONE = 101;
const SQLITE_INTEGER = 1;
const SQLITE_FLOAT = 2;
const SQLITE_TEXT = 3;
const SQLITE_BLOB = 4;
const SQLITE_OPEN_READWRITE = 0x2;
const SQLITE_OPEN_CREATE = 0x4;
const SQLITE_TRANSIENT = -1;
const kMaxSafeHi = BigInt(Number.MAX_SAFE_INTEGER) >> 32n;
const kMinSafeHi = BigInt(Number.MIN_SAFE_INTEGER) >> 32n;

export class SqliteError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'SqliteError';
    this.code = code;
  }
}

let modulePromise = null;

// The one wasm instance of this process (SQLite keeps per-connection state, so many connections
// can share it; everything is synchronous, so there is no interleaving).
async function loadModule() {
  if (!modulePromise) {
    const wasmBinary = fs.readFileSync(path.join(kDistDir, 'crsqlite-sync.wasm'));
    modulePromise = import(pathToFileURL(path.join(kDistDir, 'crsqlite-sync.mjs')).href)
        .then((m) => m.default({ wasmBinary }));
  }
  return modulePromise;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class WasmDb {
  // Opens a fresh in-memory database with cr-sqlite loaded.
  static async open({ integers = 'bigint', numbers = 'real' } = {}) {
    const m = await loadModule();
    const pp = m._sqlite3_malloc(4);
    const name = cString(m, ':memory:');
    try {
      const rc = m._sqlite3_open_v2(name, pp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0);
      const db = m.getValue(pp, 'i32');
      if (rc !== SQLITE_OK) {
        const message = db ? errmsg(m, db) : `rc ${rc}`;
        if (db) m._sqlite3_close(db);
        throw new SqliteError(`sqlite3_open_v2: ${message}`, rc);
      }
      return new WasmDb(m, db, { integers, numbers });
    } finally {
      m._sqlite3_free(pp);
      m._sqlite3_free(name);
    }
  }

  constructor(module, db, options) {
    this.m_ = module;
    this.db_ = db;
    this.options_ = options;
    this.statements_ = new Set();
  }

  get isOpen() {
    return this.db_ !== 0;
  }

  // Runs every statement of `sql` (no parameters), discarding rows.
  exec(sql) {
    this.checkOpen_();
    const m = this.m_;
    const sqlPtr = cString(m, sql);
    const pStmt = m._sqlite3_malloc(8);
    try {
      let tail = sqlPtr;
      while (m.HEAPU8[tail] !== 0) {
        const rc = m._sqlite3_prepare_v2(this.db_, tail, -1, pStmt, pStmt + 4);
        if (rc !== SQLITE_OK) throw new SqliteError(errmsg(m, this.db_), rc);
        const stmt = m.getValue(pStmt, 'i32');
        tail = m.getValue(pStmt + 4, 'i32');
        if (!stmt) continue;
        try {
          let step;
          while ((step = m._sqlite3_step(stmt)) === SQLITE_ROW) { /* discard */ }
          if (step !== SQLITE_DONE) throw new SqliteError(errmsg(m, this.db_), step);
        } finally {
          m._sqlite3_finalize(stmt);
        }
      }
    } finally {
      m._sqlite3_free(pStmt);
      m._sqlite3_free(sqlPtr);
    }
  }

  // One prepared statement, kept until finalize() or close().
  prepare(sql) {
    this.checkOpen_();
    return new Statement(this, sql);
  }

  // Convenience: prepare, run, finalize.
  all(sql, params = []) {
    const stmt = this.prepare(sql);
    try {
      return stmt.all(params);
    } finally {
      stmt.finalize();
    }
  }

  // Runs fn() inside BEGIN/COMMIT; ROLLBACK and rethrow when it throws.
  transaction(fn) {
    this.exec('BEGIN');
    try {
      const result = fn();
      this.exec('COMMIT');
      return result;
    } catch (e) {
      if (this.m_._sqlite3_get_autocommit(this.db_) === 0) this.exec('ROLLBACK');
      throw e;
    }
  }

  // crsql_finalize() then close (cr-sqlite requires the finalize before closing).
  close() {
    if (!this.isOpen) return;
    for (const stmt of [...this.statements_]) stmt.finalize();
    try {
      this.exec('SELECT crsql_finalize()');
    } finally {
      this.m_._sqlite3_close(this.db_);
      this.db_ = 0;
    }
  }

  checkOpen_() {
    if (!this.isOpen) throw new SqliteError('database is closed', 21);
  }
}

class Statement {
  constructor(db, sql) {
    const m = db.m_;
    this.db_ = db;
    const sqlPtr = cString(m, sql);
    const pStmt = m._sqlite3_malloc(4);
    try {
      const rc = m._sqlite3_prepare_v2(db.db_, sqlPtr, -1, pStmt, 0);
      if (rc !== SQLITE_OK) throw new SqliteError(`${errmsg(m, db.db_)} in: ${sql}`, rc);
      this.stmt_ = m.getValue(pStmt, 'i32');
    } finally {
      m._sqlite3_free(pStmt);
      m._sqlite3_free(sqlPtr);
    }
    db.statements_.add(this);
  }

  // Binds params positionally, steps to the end, returns the rows as arrays.
  all(params = []) {
    const m = this.db_.m_;
    const stmt = this.stmt_;
    this.bindAll_(params);
    const rows = [];
    try {
      for (;;) {
        const rc = m._sqlite3_step(stmt);
        if (rc === SQLITE_DONE) break;
        if (rc !== SQLITE_ROW) throw new SqliteError(errmsg(m, this.db_.db_), rc);
        const n = m._sqlite3_column_count(stmt);
        const row = new Array(n);
        for (let c = 0; c < n; ++c) row[c] = this.column_(c);
        rows.push(row);
      }
    } finally {
      m._sqlite3_reset(stmt);
      m._sqlite3_clear_bindings(stmt);
    }
    return rows;
  }

  run(params = []) {
    this.all(params);
  }

  // First column of the first row, or undefined.
  pluck(params = []) {
    const rows = this.all(params);
    return rows.length ? rows[0][0] : undefined;
  }

  finalize() {
    if (!this.stmt_) return;
    this.db_.m_._sqlite3_finalize(this.stmt_);
    this.stmt_ = 0;
    this.db_.statements_.delete(this);
  }

  bindAll_(params) {
    const m = this.db_.m_;
    const wanted = m._sqlite3_bind_parameter_count(this.stmt_);
    if (wanted !== params.length) {
      throw new SqliteError(`statement wants ${wanted} parameters, got ${params.length}`, 25);
    }
    for (let i = 0; i < params.length; ++i) this.bind_(i + 1, params[i]);
  }

  bind_(index, v) {
    const m = this.db_.m_;
    const stmt = this.stmt_;
    let rc;
    if (v === null || v === undefined) {
      rc = m._sqlite3_bind_null(stmt, index);
    } else if (typeof v === 'bigint') {
      const lo = Number(BigInt.asIntN(32, v & 0xffffffffn));
      const hi = Number(BigInt.asIntN(32, v >> 32n));
      rc = m._sqlite3_bind_int64(stmt, index, lo, hi);
    } else if (typeof v === 'number') {
      if (this.db_.options_.numbers === 'int32' && v === (v | 0)) {
        rc = m._sqlite3_bind_int(stmt, index, v);
      } else {
        rc = m._sqlite3_bind_double(stmt, index, v);
      }
    } else if (typeof v === 'string') {
      const bytes = encoder.encode(v);
      const ptr = copyIn(m, bytes);
      rc = m._sqlite3_bind_text(stmt, index, ptr, bytes.length, SQLITE_TRANSIENT);
      m._sqlite3_free(ptr);
    } else if (v instanceof Uint8Array) {
      const ptr = copyIn(m, v);
      rc = m._sqlite3_bind_blob(stmt, index, ptr, v.length, SQLITE_TRANSIENT);
      m._sqlite3_free(ptr);
    } else {
      throw new SqliteError(`cannot bind a value of type ${typeof v}`, 20);
    }
    if (rc !== SQLITE_OK) throw new SqliteError(errmsg(m, this.db_.db_), rc);
  }

  column_(c) {
    const m = this.db_.m_;
    const stmt = this.stmt_;
    switch (m._sqlite3_column_type(stmt, c)) {
      case SQLITE_INTEGER: {
        const lo = m._sqlite3_column_int64(stmt, c);
        const hi = m.getTempRet0();
        if (this.db_.options_.integers === 'safe' && hi <= kMaxSafeHi && hi >= kMinSafeHi) {
          return hi * 0x100000000 + (lo & 0x7fffffff) - (lo & 0x80000000);
        }
        return (BigInt(hi) << 32n) | (BigInt(lo) & 0xffffffffn);
      }
      case SQLITE_FLOAT:
        return m._sqlite3_column_double(stmt, c);
      case SQLITE_TEXT: {
        const ptr = m._sqlite3_column_text(stmt, c);
        const n = m._sqlite3_column_bytes(stmt, c);
        return decoder.decode(m.HEAPU8.subarray(ptr, ptr + n));
      }
      case SQLITE_BLOB: {
        const ptr = m._sqlite3_column_blob(stmt, c);
        const n = m._sqlite3_column_bytes(stmt, c);
        return n === 0 ? new Uint8Array(0) : m.HEAPU8.slice(ptr, ptr + n);
      }
      default:
        return null;
    }
  }
}

function cString(m, s) {
  const bytes = encoder.encode(s);
  const ptr = m._sqlite3_malloc(bytes.length + 1);
  m.HEAPU8.set(bytes, ptr);
  m.HEAPU8[ptr + bytes.length] = 0;
  return ptr;
}

function copyIn(m, bytes) {
  const ptr = m._sqlite3_malloc(Math.max(1, bytes.length));
  m.HEAPU8.set(bytes, ptr);
  return ptr;
}

function errmsg(m, db) {
  const ptr = m._sqlite3_errmsg(db);
  let end = ptr;
  while (m.HEAPU8[end] !== 0) ++end;
  return decoder.decode(m.HEAPU8.subarray(ptr, end));
}
