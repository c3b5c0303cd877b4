// Adapter for the REAL cr-sqlite engine: the shipped browser build @vlcn.io/crsqlite-wasm 0.16.0
// (SQLite 3.44.0 + cr-sqlite, registered as an auto extension) driven through the low-level
// wa-sqlite 0.22.0 API. Same async interface as HostEngine (host_engine.mjs):
//   open(name), exec(name, sql, params) -> {columns, rows, changes, autocommit}
//   (throws EngineError {message, code, autocommit}), close(name), dispose().
//
// Invariants: every call is serialized through one promise queue -- the build uses Asyncify and
// must never run two statements at once. Values keep their storage class both ways: integers go
// through bind_int64/column_int64 (BigInt), text and blobs are copied as raw bytes with explicit
// lengths (wa-sqlite's own helpers stop text at NUL and bind an empty blob as NULL), reals as
// exact doubles. Exec semantics match crsqlite-host: statements run in order, each consumes the
// next bind_parameter_count() params, rows concatenate, the first error stops the exec.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import * as SQLite from '@vlcn.io/wa-sqlite';

import { EngineCrash, EngineError, HarnessError } from './engine_error.mjs';
import { fromHex, realValue, real, textFromBytes, toHex, valueBytes } from './values.mjs';

const require = createRequire(import.meta.url);
const kDistDir = path.dirname(require.resolve('@vlcn.io/crsqlite-wasm/crsqlite.wasm'));
const kSqliteRange = 25;

let factoryPromise = null;
let wasmBinary = null;

async function loadFactory() {
  if (!factoryPromise) {
    wasmBinary = fs.readFileSync(path.join(kDistDir, 'crsqlite.wasm'));
    factoryPromise = import(pathToFileURL(path.join(kDistDir, 'crsqlite.mjs')).href)
        .then((m) => m.default);
  }
  return factoryPromise;
}

export class RealEngine {
  // Creates a fresh, independent wasm instance (its own heap and SQLite library state).
  static async create() {
    const factory = await loadFactory();
    const module = await factory({ wasmBinary });
    return new RealEngine(module);
  }

  constructor(module) {
    this.kind = 'real';
    this.module_ = module;
    this.api_ = SQLite.Factory(module);
    this.freePtr_ = module._getSqliteFree();
    this.dbs_ = new Map();
    this.queue_ = Promise.resolve();
    this.crashed_ = null;
  }

  get sqliteVersion() {
    return this.api_.libversion();
  }

  open(name) {
    return this.serialize_(async () => {
      if (this.dbs_.has(name)) throw new HarnessError(`database ${name} is already open`);
      const db = await this.api_.open_v2(':memory:',
          SQLite.SQLITE_OPEN_CREATE | SQLite.SQLITE_OPEN_READWRITE | SQLite.SQLITE_OPEN_URI);
      this.dbs_.set(name, db);
    });
  }

  exec(name, sql, params = []) {
    return this.serialize_(() => this.exec_(this.db_(name), sql, params));
  }

  close(name) {
    return this.serialize_(async () => {
      const db = this.db_(name);
      this.dbs_.delete(name);
      try {
        await this.exec_(db, 'SELECT crsql_finalize()', []);
      } finally {
        await this.api_.close(db);
      }
    });
  }

  async dispose() {
    for (const name of [...this.dbs_.keys()]) {
      try {
        await this.close(name);
      } catch {
        // Best effort: the instance is dropped anyway.
      }
    }
  }

  db_(name) {
    const db = this.dbs_.get(name);
    if (db === undefined) throw new HarnessError(`no open database named ${name}`);
    return db;
  }

  serialize_(fn) {
    const run = async () => {
      if (this.crashed_) throw new EngineCrash(`wasm engine crashed earlier: ${this.crashed_}`);
      try {
        return await fn();
      } catch (e) {
        if (e instanceof EngineError || e instanceof HarnessError || e instanceof EngineCrash) {
          throw e;
        }
        // A wasm trap (RuntimeError: unreachable, memory access out of bounds, ...) leaves the
        // instance in an unknown state; refuse further use.
        this.crashed_ = String(e?.stack ?? e);
        throw new EngineCrash(`wasm engine crashed: ${e?.message ?? e}`);
      }
    };
    const result = this.queue_.then(run, run);
    this.queue_ = result.catch(() => {});
    return result;
  }

  fail_(db, code, message) {
    return new EngineError(message, code, { autocommit: this.api_.get_autocommit(db) !== 0 });
  }

  // Copies bytes into a fresh sqlite3_malloc'ed buffer (never NULL: NULL would bind SQL NULL).
  malloc_(bytes, extra = 0) {
    const m = this.module_;
    const ptr = m._sqlite3_malloc(Math.max(1, bytes.length + extra));
    if (!ptr) throw new EngineCrash('sqlite3_malloc failed');
    m.HEAPU8.set(bytes, ptr);
    return ptr;
  }

  bind_(db, stmt, idx, v) {
    const m = this.module_;
    let rc;
    try {
      if (v === null) return this.api_.bind_null(stmt, idx);
      if ('i' in v) return this.api_.bind_int64(stmt, idx, BigInt(v.i));
      if ('r' in v) return this.api_.bind_double(stmt, idx, realValue(v));
    } catch (e) {
      if (e instanceof SQLite.SQLiteError) throw this.fail_(db, e.code, e.message);
      throw e;
    }
    if ('s' in v || 'sx' in v) {
      const bytes = valueBytes(v);
      rc = m._sqlite3_bind_text(stmt, idx, this.malloc_(bytes), bytes.length, this.freePtr_);
    } else if ('b' in v) {
      const bytes = fromHex(v.b);
      rc = m._sqlite3_bind_blob(stmt, idx, this.malloc_(bytes), bytes.length, this.freePtr_);
    } else {
      throw new HarnessError(`cannot bind ${JSON.stringify(v)}`);
    }
    if (rc !== 0) {
      throw this.fail_(db, rc, m.ccall('sqlite3_errmsg', 'string', ['number'], [db]));
    }
    return rc;
  }

  column_(stmt, col) {
    const m = this.module_;
    switch (this.api_.column_type(stmt, col)) {
      case SQLite.SQLITE_INTEGER:
        return { i: this.api_.column_int64(stmt, col).toString() };
      case SQLite.SQLITE_FLOAT:
        return real(this.api_.column_double(stmt, col));
      case SQLite.SQLITE_TEXT: {
        const ptr = m._sqlite3_column_text(stmt, col);
        const n = m._sqlite3_column_bytes(stmt, col);
        return textFromBytes(m.HEAPU8.slice(ptr, ptr + n));
      }
      case SQLite.SQLITE_BLOB: {
        const ptr = m._sqlite3_column_blob(stmt, col);
        const n = m._sqlite3_column_bytes(stmt, col);
        return { b: n === 0 ? '' : toHex(m.HEAPU8.slice(ptr, ptr + n)) };
      }
      default:
        return null;
    }
  }

  async exec_(db, sql, params) {
    if (!Array.isArray(params)) throw new HarnessError('params must be an array');
    const m = this.module_;
    const api = this.api_;
    const sqlBytes = new TextEncoder().encode(sql);
    const sqlPtr = this.malloc_(sqlBytes, 1);
    m.HEAPU8[sqlPtr + sqlBytes.length] = 0;
    const rows = [];
    let columns = [];
    let nextParam = 0;
    try {
      let tail = sqlPtr;
      while (m.HEAPU8[tail] !== 0) {
        let prepared;
        try {
          prepared = await api.prepare_v2(db, tail);
        } catch (e) {
          if (e instanceof SQLite.SQLiteError) throw this.fail_(db, e.code, e.message);
          throw e;
        }
        if (!prepared) break;  // only whitespace, comments or ';' were left
        const stmt = prepared.stmt;
        tail = prepared.sql;
        try {
          const wanted = api.bind_parameter_count(stmt);
          if (wanted > params.length - nextParam) {
            throw this.fail_(db, kSqliteRange,
                `bind: statement needs ${wanted} parameters but only ` +
                `${params.length - nextParam} are left`);
          }
          for (let i = 1; i <= wanted; ++i) this.bind_(db, stmt, i, params[nextParam++]);
          const ncol = api.column_count(stmt);
          if (ncol > 0) columns = api.column_names(stmt);
          for (;;) {
            let rc;
            try {
              rc = await api.step(stmt);
            } catch (e) {
              if (e instanceof SQLite.SQLiteError) throw this.fail_(db, e.code, e.message);
              throw e;
            }
            if (rc !== SQLite.SQLITE_ROW) break;
            const row = [];
            for (let c = 0; c < ncol; ++c) row.push(this.column_(stmt, c));
            rows.push(row);
          }
        } finally {
          await api.finalize(stmt);
        }
      }
    } finally {
      m._sqlite3_free(sqlPtr);
    }
    if (nextParam !== params.length) {
      throw this.fail_(db, kSqliteRange,
          `bind: ${params.length} parameters supplied but the SQL used ${nextParam}`);
    }
    return { columns, rows, changes: api.changes(db), autocommit: api.get_autocommit(db) !== 0 };
  }
}
