// Building blocks of the tier-2 file-compatibility test: database handles on either engine, a
// "world" of named peers that runs a scripted workload in lockstep on several COPIES of one
// database (one copy per engine) and records every disagreement, ws-style syncs, and full state
// captures (crsql_changes, crsql_db_version(), every table, metadata, file header).
//
// Invariant: a peer with several copies gets every statement on every copy and the outcomes must
// be identical (copies share a history, hence their site ids); a peer with one copy is the single
// source for what it sends, so every copy of the receiver applies exactly the same change rows.
// Site ids are random per run, so values equal to a known site id are shown as {site: <role>};
// that makes states of different runs (real-written vs ours-written files) comparable too.

import fs from 'node:fs';

import { EngineError, HarnessError } from './engine_error.mjs';
import { sortRows } from './fleet.mjs';
import { diffValues, formatResult } from './runner.mjs';
import { formatValue, int } from './values.mjs';
import { kChangesSelect, quoteId } from './workload.mjs';

const kPull = 'SELECT "table","pk","cid","val","col_version","db_version","site_id","cl","seq" ' +
              'FROM crsql_changes WHERE db_version > ? AND site_id IS NOT ?';
const kApply = 'INSERT INTO crsql_changes VALUES (?,?,?,?,?,?,?,?,?)';
const kTrackPeer =
    'INSERT INTO crsql_tracked_peers (site_id, event, version, seq, tag) VALUES (?, 0, ?, 0, 0) ' +
    'ON CONFLICT (site_id, tag, event) DO UPDATE SET version = MAX(version, excluded.version), ' +
    'seq = CASE version > excluded.version WHEN 1 THEN seq ELSE excluded.seq END';

function stableJson(v) {
  return JSON.stringify(v);
}

// ---- sites ---------------------------------------------------------------------------------

export class Sites {
  constructor() {
    this.byHex_ = new Map();
  }

  add(siteValue, role) {
    if (!siteValue || !('b' in siteValue) || siteValue.b.length !== 32) {
      throw new HarnessError(`${role}: site id ${JSON.stringify(siteValue)} is not 16 bytes`);
    }
    const known = this.byHex_.get(siteValue.b);
    if (known && known !== role) throw new HarnessError(`${role} has ${known}'s site id`);
    this.byHex_.set(siteValue.b, role);
  }

  map(v) {
    if (v && 'b' in v && this.byHex_.has(v.b)) return { site: this.byHex_.get(v.b) };
    return v;
  }

  mapRows(rows) {
    return rows.map((row) => row.map((v) => this.map(v)));
  }
}

// ---- one database on one engine --------------------------------------------------------------

export class Db {
  // engine: a FileRealEngine / FileHostEngine; name: the adapter's db name; path: the disk
  // file, or null for an in-memory database.
  constructor(engine, name, path = null) {
    this.engine = engine;
    this.name = name;
    this.path = path;
  }

  get kind() {
    return this.engine.kind;
  }

  static async openFile(engine, name, path, opts) {
    await engine.openFile(name, path, opts);
    return new Db(engine, name, path);
  }

  static async openMemory(engine, name) {
    await engine.open(name);
    return new Db(engine, name);
  }

  // -> {ok: true, columns, rows, changes, autocommit} | {ok: false, error, code, autocommit}.
  // Engine crashes and harness errors propagate.
  async exec(sql, params = []) {
    try {
      const r = await this.engine.exec(this.name, sql, params);
      return { ok: true, columns: r.columns, rows: r.rows, changes: r.changes,
               autocommit: r.autocommit };
    } catch (e) {
      if (e instanceof EngineError) {
        return { ok: false, error: e.message, code: e.code, autocommit: e.autocommit };
      }
      throw e;
    }
  }

  // Rows of a query that must succeed.
  async rows(sql, params = []) {
    const r = await this.exec(sql, params);
    if (!r.ok) {
      throw new HarnessError(`${this.kind}:${this.name}: ${sql} failed: ${formatResult(r)}`);
    }
    return r.rows;
  }

  async value(sql, params = []) {
    const rows = await this.rows(sql, params);
    return rows.length ? rows[0][0] : undefined;
  }

  async close() {
    await this.engine.close(this.name);
  }
}

function bigOf(v) {
  return v && 'i' in v ? BigInt(v.i) : null;
}

// Ascending (db_version, seq); ties (undefined order) broken by the site-mapped row text, so the
// same changes are applied in the same order in every run.
function canonicalOrder(rows, sites) {
  const keyed = rows.map((row) => ({ row, key: stableJson(row.map((v) => sites.map(v))) }));
  keyed.sort((a, b) => {
    const [da, db] = [bigOf(a.row[5]), bigOf(b.row[5])];
    if (da !== db) return da < db ? -1 : 1;
    const [sa, sb] = [bigOf(a.row[8]), bigOf(b.row[8])];
    if (sa !== sb) return sa < sb ? -1 : 1;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
  return keyed.map((k) => k.row);
}

// ---- a world of peers ----------------------------------------------------------------------

export class World {
  // sites: Sites; label: prefix of every reported difference.
  constructor(sites, label) {
    this.sites = sites;
    this.label = label;
    this.peers_ = new Map();      // role -> [Db, ...] (copies)
    this.cursors_ = new Map();    // "from>to" -> BigInt db_version
    this.diffs = [];              // engine disagreements: strings
    this.failures = [];           // broken absolute expectations: strings
    this.phase = '';
  }

  setPeer(role, copies) {
    this.peers_.set(role, copies);
  }

  copies(role) {
    const c = this.peers_.get(role);
    if (!c) throw new HarnessError(`no peer ${role}`);
    return c;
  }

  resetCursors(role) {
    for (const key of [...this.cursors_.keys()]) {
      if (key.split('>').includes(role)) this.cursors_.delete(key);
    }
  }

  where_(role, sql, params) {
    const p = params.length ? ` [${params.map((v) => formatValue(this.sites.map(v))).join(', ')}]`
                            : '';
    return `${this.label} / ${this.phase} / ${role}: ${sql}${p}`;
  }

  fail(message) {
    this.failures.push(`${this.label} / ${this.phase}: ${message}`);
  }

  normalize_(r, dml) {
    if (!r.ok) return { ok: false, error: r.error, code: r.code, autocommit: r.autocommit };
    // Column names only with rows: SQLite 3.44 (real) reports a column for some DDL, e.g.
    // ALTER TABLE ... ADD COLUMN on a STRICT table, 3.40 (ours) none.
    const out = { ok: true, rows: this.sites.mapRows(r.rows), autocommit: r.autocommit };
    if (r.rows.length) out.columns = r.columns;
    if (dml) out.changes = r.changes;
    return out;
  }

  // Runs sql on every copy of `role`; records a diff when the copies' outcomes differ and a
  // failure when the statement fails but `mayFail` is not set. Returns the first copy's outcome.
  async exec(role, sql, params = [], { dml = false, mayFail = false } = {}) {
    const copies = this.copies(role);
    const outs = [];
    for (const db of copies) outs.push(await db.exec(sql, params));
    const ref = this.normalize_(outs[0], dml);
    for (let i = 1; i < copies.length; i++) {
      const other = this.normalize_(outs[i], dml);
      if (stableJson(ref) !== stableJson(other)) {
        this.diffs.push(`${this.where_(role, sql, params)}\n` +
                        `    ${copies[0].kind}: ${formatResult(ref)}\n` +
                        `    ${copies[i].kind}: ${formatResult(other)}`);
      }
    }
    if (!mayFail) {
      outs.forEach((o, i) => {
        if (!o.ok) {
          this.fail(`${copies[i].kind}: ${role}: ${sql} failed: ${formatResult(o)}`);
        }
      });
    }
    return outs[0];
  }

  // The committed db version of each copy (BigInt), checked equal across copies.
  async dbVersion(role) {
    const r = await this.exec(role, 'SELECT crsql_db_version()');
    return r.ok ? BigInt(r.rows[0][0].i) : null;
  }

  // A local write on `role` (sql may hold several statements, e.g. BEGIN..COMMIT) that must
  // commit exactly one new db version whose own changes carry exactly the seq values `seqs`
  // (spec §8.2, §8.5); seqs: null skips that check.
  async write(role, sql, params = [], { seqs = null } = {}) {
    const before = await this.dbVersion(role);
    await this.exec(role, sql, params, { dml: true });
    const after = await this.dbVersion(role);
    if (before !== null && after !== before + 1n) {
      this.fail(`${role}: ${sql}: db_version ${before} -> ${after}, expected ${before + 1n}`);
    }
    if (seqs === null || after === null) return;
    for (const db of this.copies(role)) {
      const got = (await db.rows('SELECT seq FROM crsql_changes WHERE db_version = ? AND ' +
                                 'site_id = crsql_site_id() ORDER BY seq', [int(after)]))
          .map((r) => Number(r[0].i));
      if (stableJson(got) !== stableJson(seqs)) {
        this.fail(`${db.kind}: ${role}: ${sql}: seqs at db_version ${after} are [${got}], ` +
                  `expected [${seqs}]`);
      }
    }
  }

  // ws-server style sync from -> to: pull changes after the pair's cursor that `to` did not
  // author; flavour "direct" keeps the authors' site ids, "ws" applies them as the sender's (and
  // records the sender's cursor in crsql_tracked_peers). All copies of `from` must pull the same
  // rows; every copy of `to` applies the first copy's rows in one transaction.
  async sync(from, to, { flavour = 'direct' } = {}) {
    const key = `${from}>${to}`;
    const cursor = this.cursors_.get(key) ?? 0n;
    const toSite = await this.copies(to)[0].value('SELECT crsql_site_id()');
    const fromSite = await this.copies(from)[0].value('SELECT crsql_site_id()');
    const pulled = [];
    for (const db of this.copies(from)) {
      const r = await db.exec(kPull, [int(cursor), toSite]);
      if (!r.ok) {
        this.fail(`${db.kind}: pull ${key} failed: ${formatResult(r)}`);
        return;
      }
      pulled.push(canonicalOrder(r.rows, this.sites));
    }
    for (let i = 1; i < pulled.length; i++) {
      const d = diffValues(this.sites.mapRows(pulled[0]), this.sites.mapRows(pulled[i]), 'pull',
                           this.copies(from).map((db) => db.kind));
      if (d) {
        this.diffs.push(`${this.label} / ${this.phase} / pull ${key}:\n    ${d.real}\n` +
                        `    ${d.ours}`);
      }
    }
    const rows = pulled[0].map((row) => {
      const r = [...row];
      if (flavour === 'ws') r[6] = fromSite;
      return r;
    });
    if (rows.length === 0) return;
    const last = rows[rows.length - 1][5];
    const steps = [...rows.map((row) => [kApply, row, { dml: true }])];
    if (flavour === 'ws') steps.push([kTrackPeer, [fromSite, last], { dml: true }]);
    steps.push(['SELECT crsql_rows_impacted()', []]);
    await this.exec(to, 'BEGIN');
    for (const [sql, params, opts] of steps) {
      if (!(await this.exec(to, sql, params, opts)).ok) {
        await this.exec(to, 'ROLLBACK', [], { mayFail: true });
        return;
      }
    }
    await this.exec(to, 'COMMIT');
    this.cursors_.set(key, BigInt(last.i));
  }

  // Captures every copy of `role` and records where they differ. crsqlite_version is left out
  // of that comparison (it differs by design, spec §17.1) and checked against `versions`, the
  // value each copy must hold (null: not checked). Returns the captures.
  async compareCopies(role, what, { versions = null } = {}) {
    const copies = this.copies(role);
    const states = [];
    for (const db of copies) states.push(await captureState(db, this.sites));
    for (let i = 1; i < states.length; i++) {
      const d = diffStates(states[0], states[i], [copies[0].kind, copies[i].kind],
                           { ignore: ['crsqlite_version'] });
      if (d) this.diffs.push(`${this.label} / ${what}: ${d}`);
    }
    states.forEach((st, i) => {
      if (!st.crsql_changes_ascending) {
        this.fail(`${copies[i].kind}: ${what}: crsql_changes not in ascending (db_version, seq)`);
      }
      const want = versions?.[i];
      const got = st.crsqlite_version.map((r) => formatValue(r[0])).join(',');
      if (want != null && got !== String(want)) {
        this.fail(`${copies[i].kind}: ${what}: crsql_master crsqlite_version is ` +
                  `${got || 'missing'}, expected ${want}`);
      }
    });
    return states;
  }
}

// ---- state capture -------------------------------------------------------------------------

// Everything a file holds, read with plain SQL (works without the extension): sqlite_master,
// crsql_master (crsqlite_version separately: it differs by design), crsql_site_id, tracked
// peers, the rows of every other table (metadata and user tables alike), integrity_check and the
// header-backed pragmas. Site ids mapped to roles.
export async function captureMetadata(db, sites) {
  const q = async (sql) => sites.mapRows(await db.rows(sql));
  const meta = {};
  meta.sqlite_master = await q('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name');
  meta.crsqlite_version = await q(
      "SELECT value FROM crsql_master WHERE key = 'crsqlite_version'");
  meta.crsql_master = await q(
      "SELECT key, value FROM crsql_master WHERE key != 'crsqlite_version' ORDER BY key");
  meta.crsql_site_id = await q('SELECT ordinal, site_id FROM crsql_site_id ORDER BY ordinal');
  meta.crsql_tracked_peers = sortRows(await q('SELECT * FROM crsql_tracked_peers'));
  meta.tables = {};
  const skip = new Set(['crsql_master', 'crsql_site_id', 'crsql_tracked_peers']);
  for (const [type, name] of meta.sqlite_master) {
    if (type.s !== 'table' || skip.has(name.s) || name.s.startsWith('sqlite_')) continue;
    meta.tables[name.s] = sortRows(await q(`SELECT * FROM ${quoteId(name.s)}`));
  }
  meta.integrity_check = await q('PRAGMA integrity_check');
  meta.pragmas = {};
  // (PRAGMA encoding answers nothing in the wasm build; the header check covers the encoding.)
  for (const p of ['user_version', 'application_id', 'page_size', 'auto_vacuum', 'journal_mode']) {
    meta.pragmas[p] = await q(`PRAGMA ${p}`);
  }
  return meta;
}

// captureMetadata plus what only the extension can say: crsql_site_id(), crsql_db_version() and
// the whole crsql_changes (sorted; the engine's own order must be ascending (db_version, seq)).
export async function captureState(db, sites) {
  const state = {};
  state.site_id = sites.mapRows(await db.rows('SELECT crsql_site_id()'));
  state.db_version = await db.rows('SELECT crsql_db_version()');
  const changes = await db.rows(kChangesSelect);
  let ascending = true;
  for (let i = 1; i < changes.length; i++) {
    const [a, b] = [changes[i - 1], changes[i]];
    const [da, dbv] = [bigOf(a[5]), bigOf(b[5])];
    if (dbv < da || (dbv === da && bigOf(b[8]) < bigOf(a[8]))) ascending = false;
  }
  state.crsql_changes_ascending = ascending;
  state.crsql_changes = sortRows(sites.mapRows(changes));
  Object.assign(state, await captureMetadata(db, sites));
  return state;
}

// First difference between two captures (null when equal), with the other differing keys.
// `ignore`: top-level keys left out (e.g. crsqlite_version, checked on its own).
export function diffStates(a, b, labels, { ignore = [] } = {}) {
  const strip = (s) => Object.fromEntries(Object.entries(s).filter(([k]) => !ignore.includes(k)));
  const d = diffValues(strip(a), strip(b), 'state', labels);
  return d ? `differs at ${d.where}\n    ${d.real}\n    ${d.ours}` : null;
}

// ---- the file header -----------------------------------------------------------------------

// The 100-byte SQLite header of a database file (https://sqlite.org/fileformat.html §1.3).
export function readHeader(path) {
  const h = fs.readFileSync(path).subarray(0, 100);
  const u32 = (o) => h.readUInt32BE(o);
  const pageSize = h.readUInt16BE(16);
  return {
    magic: h.subarray(0, 16).toString('latin1'),
    page_size: pageSize === 1 ? 65536 : pageSize,
    write_version: h[18], read_version: h[19], reserved_bytes: h[20],
    max_payload: h[21], min_payload: h[22], leaf_payload: h[23],
    change_counter: u32(24), page_count: u32(28), first_freelist_page: u32(32),
    freelist_pages: u32(36), schema_cookie: u32(40), schema_format: u32(44),
    default_cache_size: u32(48), largest_root_btree: u32(52), text_encoding: u32(56),
    user_version: u32(60), incremental_vacuum: u32(64), application_id: u32(68),
    version_valid_for: u32(92), sqlite_version_number: u32(96),
  };
}

// Header fields every compatible writer must agree on (the rest are counters and the writer's
// SQLite version, which legitimately differ).
export const kStructuralHeaderFields = [
  'magic', 'page_size', 'write_version', 'read_version', 'reserved_bytes', 'max_payload',
  'min_payload', 'leaf_payload', 'schema_format', 'default_cache_size', 'largest_root_btree',
  'text_encoding', 'user_version', 'incremental_vacuum', 'application_id',
];
