// Engine: the wasm module (dist/crsync.mjs) seen from the Worker. Opens databases on the browser
// VFS, runs SQL with bound parameters through the exported SQLite C API (statements of single-
// statement SQL are cached and reused), reports changed tables, and exposes the sync exports.
import createCrsyncModule from './crsync.mjs';

const SQLITE_OK = 0;
const SQLITE_ROW = 100;
const SQLITE_DONE = 101;
const SQLITE_INTEGER = 1;
const SQLITE_FLOAT = 2;
const SQLITE_TEXT = 3;
const SQLITE_BLOB = 4;
const SQLITE_TRANSIENT = -1;
const STATEMENT_CACHE_LIMIT = 64;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class SqlError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
  }
}

export class Engine {
  // host: the object behind the wasm imports (see web/cpp/library_crsync.js).
  // moduleOptions: extra emscripten options (e.g. wasmBinary when not loaded by URL).
  static async load(host, moduleOptions = {}) {
    return new Engine(await createCrsyncModule({ ...moduleOptions, crsyncHost: host }));
  }

  constructor(module) {
    this.m = module;
    this.statements = new Map(); // db -> Map(sql -> stmt)
    this.scratch = 0;
    this.scratchSize = 0;
    this.pointerSlot = module._malloc(8);
  }

  // pragmas: SQL run on the new connection before the engine loads (the file backend's
  // journal settings, see files_*.js openPragmas).
  open(path, pragmas = '') {
    const name = this.cString(path);
    const setup = this.cString(pragmas);
    const db = this.m._crsync_open(name, setup);
    this.m._free(name);
    this.m._free(setup);
    if (!db) throw new SqlError(this.m.UTF8ToString(this.m._crsync_db_error()), 1);
    this.statements.set(db, new Map());
    return db;
  }

  close(db) {
    for (const stmt of this.statements.get(db)?.values() ?? []) this.m._sqlite3_finalize(stmt);
    this.statements.delete(db);
    this.m._crsync_close(db);
  }

  inTransaction(db) {
    return this.m._sqlite3_get_autocommit(db) === 0;
  }

  // Runs every statement of sql; params (an array for ?/?NNN, an object for :name/@name/$name)
  // bind to each statement that declares parameters. Returns {columns, rows (arrays of values),
  // changes} of the last statement.
  run(db, sql, params) {
    const cache = this.statements.get(db);
    const cached = cache.get(sql);
    if (cached) return this.runStatement(db, cached, params, true);
    const m = this.m;
    const text = this.cString(sql);
    let at = text;
    let result = { columns: [], rows: [], changes: 0 };
    try {
      for (;;) {
        const rc = m._sqlite3_prepare_v2(db, at, -1, this.pointerSlot, this.pointerSlot + 4);
        if (rc !== SQLITE_OK) this.fail(db, rc);
        const stmt = m.HEAP32[this.pointerSlot >> 2];
        const tail = m.HEAP32[(this.pointerSlot + 4) >> 2];
        if (!stmt) break; // only whitespace or comments left
        const single = at === text && /^\s*;?\s*$/.test(m.UTF8ToString(tail));
        if (single && cache.size < STATEMENT_CACHE_LIMIT) {
          cache.set(sql, stmt);
          return this.runStatement(db, stmt, params, true);
        }
        try {
          result = this.runStatement(db, stmt, params, false);
        } finally {
          m._sqlite3_finalize(stmt);
        }
        at = tail;
      }
    } finally {
      m._free(text);
    }
    return result;
  }

  // Runs single-statement sql once per parameter set of paramsList (execMany) and returns the
  // total of changes; rows are discarded. The statement is prepared once (by the first run) and
  // then only bound, stepped and reset per set. SQL with several statements runs set by set
  // through run().
  runMany(db, sql, paramsList) {
    if (paramsList.length === 0) return 0;
    let changes = this.run(db, sql, paramsList[0]).changes;
    const stmt = this.statements.get(db).get(sql);
    if (!stmt) {
      for (let i = 1; i < paramsList.length; i++) {
        changes += this.run(db, sql, paramsList[i]).changes;
      }
      return changes;
    }
    const m = this.m;
    const readonly = m._sqlite3_stmt_readonly(stmt) !== 0;
    const count = m._sqlite3_bind_parameter_count(stmt);
    try {
      for (let i = 1; i < paramsList.length; i++) {
        const params = paramsList[i];
        try {
          if (Array.isArray(params) && params.length >= count) {
            // every parameter is bound again: nothing of the previous set survives
            for (let k = 0; k < count; k++) this.bind(db, stmt, k + 1, params[k]);
          } else {
            m._sqlite3_clear_bindings(stmt);
            this.bindAll(db, stmt, params);
          }
          let rc;
          while ((rc = m._sqlite3_step(stmt)) === SQLITE_ROW);
          if (rc !== SQLITE_DONE) this.fail(db, rc);
          if (!readonly) changes += m._sqlite3_changes(db);
        } finally {
          m._sqlite3_reset(stmt);
        }
      }
    } finally {
      m._sqlite3_clear_bindings(stmt);
    }
    return changes;
  }

  runStatement(db, stmt, params, reuse) {
    const m = this.m;
    try {
      this.bindAll(db, stmt, params);
      const columnCount = m._sqlite3_column_count(stmt);
      const columns = [];
      for (let i = 0; i < columnCount; i++) {
        columns.push(m.UTF8ToString(m._sqlite3_column_name(stmt, i)));
      }
      const rows = [];
      for (;;) {
        const rc = m._sqlite3_step(stmt);
        if (rc === SQLITE_DONE) break;
        if (rc !== SQLITE_ROW) this.fail(db, rc);
        const row = new Array(columnCount);
        for (let i = 0; i < columnCount; i++) row[i] = this.column(stmt, i);
        rows.push(row);
      }
      const readonly = m._sqlite3_stmt_readonly(stmt) !== 0;
      return { columns, rows, changes: readonly ? 0 : m._sqlite3_changes(db) };
    } finally {
      if (reuse) {
        m._sqlite3_reset(stmt);
        m._sqlite3_clear_bindings(stmt);
      }
    }
  }

  bindAll(db, stmt, params) {
    const m = this.m;
    const count = m._sqlite3_bind_parameter_count(stmt);
    if (count === 0 || params == null) return;
    if (Array.isArray(params)) {
      for (let i = 0; i < count && i < params.length; i++) this.bind(db, stmt, i + 1, params[i]);
      return;
    }
    for (const [key, value] of Object.entries(params)) {
      for (const prefix of [':', '@', '$']) {
        const name = this.cString(prefix + key);
        const index = m._sqlite3_bind_parameter_index(stmt, name);
        m._free(name);
        if (index > 0) this.bind(db, stmt, index, value);
      }
    }
  }

  bind(db, stmt, index, value) {
    const m = this.m;
    let rc;
    if (value === null || value === undefined) {
      rc = m._sqlite3_bind_null(stmt, index);
    } else if (typeof value === 'number') {
      if ((value | 0) === value) {
        rc = m._sqlite3_bind_int(stmt, index, value); // no BigInt for 32-bit integers
      } else {
        rc = Number.isSafeInteger(value)
          ? m._sqlite3_bind_int64(stmt, index, BigInt(value))
          : m._sqlite3_bind_double(stmt, index, value);
      }
    } else if (typeof value === 'bigint') {
      rc = m._sqlite3_bind_int64(stmt, index, BigInt.asIntN(64, value));
    } else if (typeof value === 'boolean') {
      rc = m._sqlite3_bind_int64(stmt, index, value ? 1n : 0n);
    } else if (typeof value === 'string') {
      // At most 3 UTF-8 bytes per UTF-16 unit: one encoding pass, no length pass.
      const room = value.length * 3 + 1;
      const ptr = this.scratchBuffer(room);
      const bytes = m.stringToUTF8(value, ptr, room);
      rc = m._sqlite3_bind_text(stmt, index, ptr, bytes, SQLITE_TRANSIENT);
    } else if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
      const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
      const ptr = this.scratchBuffer(Math.max(bytes.length, 1));
      m.HEAPU8.set(bytes, ptr);
      rc = m._sqlite3_bind_blob(stmt, index, ptr, bytes.length, SQLITE_TRANSIENT);
    } else {
      throw new SqlError(`cannot bind a value of type ${typeof value} (parameter ${index})`, 25);
    }
    if (rc !== SQLITE_OK) this.fail(db, rc);
  }

  column(stmt, i) {
    const m = this.m;
    switch (m._sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER: {
        const v = m._sqlite3_column_int64(stmt, i);
        return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
      }
      case SQLITE_FLOAT:
        return m._sqlite3_column_double(stmt, i);
      case SQLITE_TEXT: {
        const ptr = m._sqlite3_column_text(stmt, i);
        return m.UTF8ToString(ptr, m._sqlite3_column_bytes(stmt, i));
      }
      case SQLITE_BLOB: {
        const ptr = m._sqlite3_column_blob(stmt, i);
        return m.HEAPU8.slice(ptr, ptr + m._sqlite3_column_bytes(stmt, i));
      }
      default:
        return null;
    }
  }

  changedTables(db) {
    const joined = this.m.UTF8ToString(this.m._crsync_take_changed_tables(db));
    return joined ? joined.split('\n') : [];
  }

  // Wakes the sync sessions of db if its crsql_db_version moved; true when it did.
  pollForSync(db) {
    return this.m._crsync_db_poll(db) === 1;
  }

  subprotocol(room, token) {
    const r = this.cString(room);
    const t = token == null ? 0 : this.cString(token);
    const value = this.m._crsync_sync_subprotocol(r, t);
    this.m._free(r);
    if (t) this.m._free(t);
    if (!value) throw new Error(this.m.UTF8ToString(this.m._crsync_sync_error()));
    return this.m.UTF8ToString(value);
  }

  // Returns null, or the reason the session could not start.
  syncStart(db, socket) {
    return this.m._crsync_sync_start(db, socket) === 0
      ? null
      : this.m.UTF8ToString(this.m._crsync_sync_error());
  }

  syncMessage(socket, bytes) {
    const ptr = this.m._malloc(Math.max(bytes.length, 1));
    this.m.HEAPU8.set(bytes, ptr);
    try {
      this.m._crsync_sync_message(socket, ptr, bytes.length);
    } finally {
      this.m._free(ptr);
    }
  }

  // True when the session on socket is up to date (client::CaughtUpDetector's rule).
  syncTick(socket) {
    return this.m._crsync_sync_tick(socket) === 1;
  }

  // Returns 'unchanged', 'applied' or 'migrated'; throws with the reason.
  applySchema(db, name, text) {
    const n = this.cString(name);
    const t = this.cString(text);
    const outcome = this.m._crsync_apply_schema(db, n, t);
    this.m._free(n);
    this.m._free(t);
    if (outcome < 0) throw new SqlError(this.m.UTF8ToString(this.m._crsync_db_error()), 1);
    return ['unchanged', 'applied', 'migrated'][outcome];
  }

  syncDrained(socket) {
    this.m._crsync_sync_drained(socket);
  }

  syncStop(socket) {
    this.m._crsync_sync_stop(socket);
  }

  syncTransportClosed(socket, code, reason) {
    const r = this.cString(reason ?? '');
    this.m._crsync_sync_transport_closed(socket, code, r);
    this.m._free(r);
  }

  runTask(task) {
    this.m._crsync_run_task(task);
  }

  cString(text) {
    const bytes = this.m.lengthBytesUTF8(text) + 1;
    const ptr = this.m._malloc(bytes);
    this.m.stringToUTF8(text, ptr, bytes);
    return ptr;
  }

  scratchBuffer(bytes) {
    if (bytes > this.scratchSize) {
      if (this.scratch) this.m._free(this.scratch);
      this.scratchSize = Math.max(bytes, 256, this.scratchSize * 2);
      this.scratch = this.m._malloc(this.scratchSize);
    }
    return this.scratch;
  }

  fail(db, rc) {
    throw new SqlError(this.m.UTF8ToString(this.m._sqlite3_errmsg(db)), rc);
  }
}
