// Reference numbers for crsqlite-bench: the same workloads on the REAL cr-sqlite 0.16.0, as
// shipped in @vlcn.io/crsqlite-wasm (a WebAssembly build of SQLite 3.44 + the extension, run
// here in Node through wa-sqlite's async API). Workloads, mirroring bench/micro:
//   1 bulk insert of N rows in one transaction (CRR vs plain table)
//   2 M single-row autocommit inserts (CRR vs plain)
//   3 pull the whole change feed (SELECT ... FROM crsql_changes WHERE db_version > 0)
//   4 merge that feed into a fresh CRR peer in one transaction
//   5 metadata bytes per row: page_count*page_size after VACUUM, CRR minus plain (this wasm
//     build has no dbstat)
// Everything is :memory:. Every SQLite call crosses the JS/wasm boundary (and asyncify), so
// absolute numbers are far below a native build; CRR/plain ratios are diluted by that per-call
// overhead too. Each time is the best of --reps runs on fresh databases.
//
// Usage: node reference_bench.mjs [--rows N] [--single N] [--reps N] [--summary FILE]
//                                [--build async|sync]
import { appendFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as SQLite from "@vlcn.io/wa-sqlite";

const here = path.dirname(fileURLToPath(import.meta.url));
// "async": @vlcn.io/crsqlite-wasm's dist/crsqlite.{mjs,wasm} (asyncify build, what the package
// uses); "sync": @vlcn.io/wa-sqlite's dist/crsqlite-sync.{mjs,wasm} (same cr-sqlite 0.16 +
// SQLite 3.44, built without asyncify: less per-call overhead).
const BUILDS = {
  async: { dir: path.join(here, "node_modules", "@vlcn.io", "crsqlite-wasm", "dist"), stem: "crsqlite" },
  sync: { dir: path.join(here, "node_modules", "@vlcn.io", "wa-sqlite", "dist"), stem: "crsqlite-sync" },
};

const REF_NATIVE = { bulkRatio: 16, pull: 490000, merge: 117000 };
const TABLE = "items";
const VALUE_COLUMNS = 3;
const PULL_SQL =
  'SELECT "table",pk,cid,val,col_version,db_version,site_id,cl,seq FROM crsql_changes ' +
  "WHERE db_version > 0";
const MERGE_SQL = "INSERT INTO crsql_changes VALUES (?,?,?,?,?,?,?,?,?)";

function parseArgs(argv) {
  const opt = { rows: 100000, single: 10000, reps: 3, summary: "", build: "async" };
  for (let i = 2; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, "");
    const value = argv[++i];
    if (!(key in opt) || value === undefined) {
      console.error("usage: node reference_bench.mjs [--rows N] [--single N] [--reps N] [--summary FILE] [--build async|sync]");
      process.exit(2);
    }
    opt[key] = key === "summary" || key === "build" ? value : Number(value);
  }
  if (!(opt.build in BUILDS)) {
    console.error("--build must be async or sync");
    process.exit(2);
  }
  return opt;
}

async function loadSqlite(build) {
  const { dir, stem } = BUILDS[build];
  const { default: factory } = await import(pathToFileURL(path.join(dir, `${stem}.mjs`)).href);
  const module = await factory({ wasmBinary: readFileSync(path.join(dir, `${stem}.wasm`)) });
  return SQLite.Factory(module);
}

// Thin helpers over the wa-sqlite API for one connection.
class Db {
  static async open(sqlite3, crr) {
    const db = new Db(sqlite3, await sqlite3.open_v2(":memory:"));
    await db.exec(`CREATE TABLE ${TABLE} (id INTEGER PRIMARY KEY NOT NULL, a INTEGER, b TEXT, c REAL)`);
    if (crr) await db.exec(`SELECT crsql_as_crr('${TABLE}')`);
    return db;
  }
  constructor(sqlite3, handle) {
    this.sqlite3 = sqlite3;
    this.handle = handle;
  }
  async exec(sql) {
    await this.sqlite3.exec(this.handle, sql);
  }
  async queryOne(sql) {
    let value = null;
    await this.sqlite3.exec(this.handle, sql, (row) => {
      if (value === null) value = row[0];
    });
    return value;
  }
  // prepare_v2 takes a C string in wasm memory: stage sql through wa-sqlite's str_* helpers.
  async prepare(sql) {
    const str = this.sqlite3.str_new(this.handle, sql);
    try {
      const prepared = await this.sqlite3.prepare_v2(this.handle, this.sqlite3.str_value(str));
      return prepared.stmt;
    } finally {
      this.sqlite3.str_finish(str);
    }
  }
  async close() {
    await this.exec("SELECT crsql_finalize()");
    await this.sqlite3.close(this.handle);
  }
}

function now() {
  return Number(process.hrtime.bigint()) / 1e9;
}

// Row i, byte-identical to bench/micro/workloads_write.cpp BindRow.
function bindRow(sqlite3, stmt, i) {
  sqlite3.bind_int64(stmt, 1, BigInt(i + 1));
  sqlite3.bind_int64(stmt, 2, BigInt((i * 7919) % 1000003));
  sqlite3.bind_text(stmt, 3, "item-" + String(i).padStart(15, "0"));
  sqlite3.bind_double(stmt, 4, i * 0.25 + 0.1);
}

async function insertRows(db, count, oneTransaction) {
  const { sqlite3 } = db;
  const stmt = await db.prepare(`INSERT INTO ${TABLE} VALUES (?, ?, ?, ?)`);
  const start = now();
  if (oneTransaction) await db.exec("BEGIN");
  for (let i = 0; i < count; i++) {
    bindRow(sqlite3, stmt, i);
    await sqlite3.step(stmt);
    await sqlite3.reset(stmt);
  }
  if (oneTransaction) await db.exec("COMMIT");
  const seconds = now() - start;
  await sqlite3.finalize(stmt);
  return seconds;
}

// Workload 3: step the feed and read every column with the getter of its storage class.
async function pull(db, collect) {
  const { sqlite3 } = db;
  const stmt = await db.prepare(PULL_SQL);
  const changes = [];
  let count = 0;
  let touched = 0;
  const start = now();
  while ((await sqlite3.step(stmt)) === SQLite.SQLITE_ROW) {
    const change = collect ? [] : null;
    for (let col = 0; col < 9; col++) {
      const type = sqlite3.column_type(stmt, col);
      const value = sqlite3.column(stmt, col); // copies blobs/text out of wasm memory
      if (value !== null) touched++;
      if (collect) change.push(type, value);
    }
    if (collect) changes.push(change);
    count++;
  }
  const seconds = now() - start;
  await sqlite3.finalize(stmt);
  return { seconds, count, changes, touched };
}

function bindTyped(sqlite3, stmt, index, type, value) {
  switch (type) {
    case SQLite.SQLITE_INTEGER:
      return sqlite3.bind_int64(stmt, index, BigInt(value));
    case SQLite.SQLITE_FLOAT:
      return sqlite3.bind_double(stmt, index, value);
    case SQLite.SQLITE_TEXT:
      return sqlite3.bind_text(stmt, index, value);
    case SQLite.SQLITE_BLOB:
      return sqlite3.bind_blob(stmt, index, value);
    default:
      return sqlite3.bind_null(stmt, index);
  }
}

// Workload 4: merge the collected feed into peer in one transaction.
async function merge(peer, changes) {
  const { sqlite3 } = peer;
  const stmt = await peer.prepare(MERGE_SQL);
  const start = now();
  await peer.exec("BEGIN");
  for (const change of changes) {
    for (let col = 0; col < 9; col++) bindTyped(sqlite3, stmt, col + 1, change[2 * col], change[2 * col + 1]);
    await sqlite3.step(stmt);
    await sqlite3.reset(stmt);
  }
  await peer.exec("COMMIT");
  const seconds = now() - start;
  await sqlite3.finalize(stmt);
  return seconds;
}

async function dbBytes(db) {
  await db.exec("VACUUM");
  const pages = Number(await db.queryOne("PRAGMA page_count"));
  const pageSize = Number(await db.queryOne("PRAGMA page_size"));
  return pages * pageSize;
}

const DIGEST = `SELECT count(*) * 1000003 + sum(a) + sum(length(b)) + CAST(total(c) AS INTEGER) FROM ${TABLE}`;

// Formatting, in the style of crsqlite-bench.
const fmtSeconds = (s) => (s < 1 ? `${(s * 1e3).toFixed(1)} ms` : `${s.toFixed(3)} s`);
function fmtRate(count, seconds, unit) {
  const r = count / seconds;
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)}M ${unit}/s`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(0)}k ${unit}/s`;
  return `${r.toFixed(0)} ${unit}/s`;
}
const fmtCount = (n) => n.toLocaleString("en-US");
function printTable(rows) {
  const widths = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  rows.forEach((row, r) => {
    console.log("  " + row.map((cell, i) => (i + 1 < row.length ? cell.padEnd(widths[i] + 2) : cell)).join(""));
    if (r === 0) console.log("  " + "-".repeat(widths.reduce((a, w) => a + w + 2, -2)));
  });
}

async function main() {
  const opt = parseArgs(process.argv);
  const sqlite3 = await loadSqlite(opt.build);
  const probe = await sqlite3.open_v2(":memory:");
  let version = "";
  await sqlite3.exec(probe, "SELECT sqlite_version()", (row) => (version = row[0]));
  await sqlite3.exec(probe, "SELECT crsql_finalize()");
  await sqlite3.close(probe);

  const buildName =
    opt.build === "async"
      ? "@vlcn.io/crsqlite-wasm 0.16.0 dist/crsqlite.wasm (asyncify build)"
      : "@vlcn.io/wa-sqlite 0.22.0 dist/crsqlite-sync.wasm (sync build)";
  console.log("reference: REAL cr-sqlite 0.16.0 as WebAssembly (NOT the native build) in Node");
  console.log(`  ${buildName}, SQLite ${version}, Node ${process.version}, wa-sqlite's JS API`);
  console.log(`  rows=${fmtCount(opt.rows)} single-row tx=${fmtCount(opt.single)}; :memory: databases; best of ${opt.reps} runs`);
  console.log("  every SQLite call crosses JS->wasm: absolute rates are well below native, ratios are diluted\n");

  const summary = [];
  const table = [["workload", "plain SQLite (wasm)", "CRR (real 0.16, wasm)", "CRR/plain", "real 0.16.3 native (issue)"]];

  // Untimed warm-up so V8 has compiled the JS glue before the first timed run.
  {
    const warmRows = Math.min(opt.rows, 5000);
    const plain = await Db.open(sqlite3, false);
    await insertRows(plain, warmRows, true);
    await plain.close();
    const crr = await Db.open(sqlite3, true);
    await insertRows(crr, warmRows, true);
    const { changes } = await pull(crr, true);
    const peer = await Db.open(sqlite3, true);
    await merge(peer, changes);
    await peer.close();
    await crr.close();
  }

  // 1: bulk insert.
  let bestPlain = Infinity;
  let bestCrr = Infinity;
  let plainDb = null;
  let crrDb = null;
  for (let rep = 0; rep < opt.reps; rep++) {
    if (plainDb) await plainDb.close();
    if (crrDb) await crrDb.close();
    plainDb = await Db.open(sqlite3, false);
    bestPlain = Math.min(bestPlain, await insertRows(plainDb, opt.rows, true));
    crrDb = await Db.open(sqlite3, true);
    bestCrr = Math.min(bestCrr, await insertRows(crrDb, opt.rows, true));
  }
  table.push([
    `1 bulk insert ${fmtCount(opt.rows)} rows, 1 tx`,
    `${fmtSeconds(bestPlain)} (${fmtRate(opt.rows, bestPlain, "rows")})`,
    `${fmtSeconds(bestCrr)} (${fmtRate(opt.rows, bestCrr, "rows")})`,
    `${(bestCrr / bestPlain).toFixed(2)}x`,
    `${REF_NATIVE.bulkRatio}x slower`,
  ]);
  summary.push(["bulk_plain_s", bestPlain], ["bulk_crr_s", bestCrr], ["bulk_ratio", bestCrr / bestPlain]);

  // 2: single-row autocommit transactions.
  let singlePlain = Infinity;
  let singleCrr = Infinity;
  for (let rep = 0; rep < opt.reps; rep++) {
    const plain = await Db.open(sqlite3, false);
    singlePlain = Math.min(singlePlain, await insertRows(plain, opt.single, false));
    await plain.close();
    const crr = await Db.open(sqlite3, true);
    singleCrr = Math.min(singleCrr, await insertRows(crr, opt.single, false));
    await crr.close();
  }
  table.push([
    `2 ${fmtCount(opt.single)} single-row autocommit tx`,
    `${fmtSeconds(singlePlain)} (${fmtRate(opt.single, singlePlain, "tx")})`,
    `${fmtSeconds(singleCrr)} (${fmtRate(opt.single, singleCrr, "tx")})`,
    `${(singleCrr / singlePlain).toFixed(2)}x`,
    "-",
  ]);
  summary.push(["single_plain_s", singlePlain], ["single_crr_s", singleCrr], ["single_ratio", singleCrr / singlePlain]);

  // 3: pull.
  let bestPull = Infinity;
  let pulled = null;
  for (let rep = 0; rep < opt.reps; rep++) {
    const r = await pull(crrDb, rep === opt.reps - 1);
    bestPull = Math.min(bestPull, r.seconds);
    pulled = r;
  }
  table.push([
    `3 pull crsql_changes (${fmtCount(pulled.count)} changes)`,
    "-",
    `${fmtSeconds(bestPull)} (${fmtRate(pulled.count, bestPull, "changes")})`,
    "-",
    fmtRate(REF_NATIVE.pull, 1, "changes"),
  ]);
  summary.push(["pull_changes_per_s", pulled.count / bestPull]);
  const notes = [];
  if (pulled.count !== opt.rows * VALUE_COLUMNS) {
    notes.push(`note: pulled ${fmtCount(pulled.count)} changes, expected ${fmtCount(opt.rows * VALUE_COLUMNS)}`);
  }

  // 4: merge into a fresh peer.
  let bestMerge = Infinity;
  for (let rep = 0; rep < opt.reps; rep++) {
    const peer = await Db.open(sqlite3, true);
    bestMerge = Math.min(bestMerge, await merge(peer, pulled.changes));
    if (rep === 0 && String(await peer.queryOne(DIGEST)) !== String(await crrDb.queryOne(DIGEST))) {
      notes.push("WARNING: the merged peer's rows differ from the source's");
    }
    await peer.close();
  }
  table.push([
    "4 merge into fresh peer, 1 tx",
    "-",
    `${fmtSeconds(bestMerge)} (${fmtRate(pulled.changes.length, bestMerge, "changes")})`,
    "-",
    fmtRate(REF_NATIVE.merge, 1, "changes"),
  ]);
  summary.push(["merge_changes_per_s", pulled.changes.length / bestMerge]);

  // 5: metadata size.
  const plainBytes = await dbBytes(plainDb);
  const crrBytes = await dbBytes(crrDb);
  const perRow = (crrBytes - plainBytes) / opt.rows;
  table.push([
    "5 db size after VACUUM (page_count*page_size)",
    `${fmtCount(plainBytes)} B`,
    `${fmtCount(crrBytes)} B`,
    `${(crrBytes / plainBytes).toFixed(2)}x`,
    "-",
  ]);
  table.push(["  metadata bytes/row = size delta / rows", "-", `${perRow.toFixed(1)} B/row`, "-", "-"]);
  summary.push(["meta_bytes_per_row_pages", perRow], ["crr_db_bytes", crrBytes], ["plain_db_bytes", plainBytes]);
  await plainDb.close();
  await crrDb.close();

  console.log(`== storage: :memory: (wasm, ${opt.build} build) ==`);
  printTable(table);
  for (const note of notes) console.log("  " + note);

  if (opt.summary) {
    appendFileSync(opt.summary, summary.map(([k, v]) => `wasm_${opt.build}.memory.${k}=${Number(v.toPrecision(10))}\n`).join(""));
  }
}

main().catch((e) => {
  console.error("reference benchmark failed:", e);
  process.exit(1);
});
