// Browser benchmark workloads (loaded by bench.html). Each function opens a fresh persistent
// database, creates a table (a CRR unless crr is false), inserts `rows` rows in one transaction
// and returns the elapsed milliseconds of open and insert. Nothing here asserts on time.
import { openDatabase } from '/dist/index.js';
import initWasm from '@vlcn.io/crsqlite-wasm';

const TABLE = 'CREATE TABLE item (id INTEGER PRIMARY KEY NOT NULL, name TEXT, n INTEGER);';
const schema = (crr) => (crr ? `${TABLE} SELECT crsql_as_crr('item');` : TABLE);
const INSERT = 'INSERT INTO item (id, name, n) VALUES (?, ?, ?)';
const row = (i) => [i, `item number ${i}`, i * 7];

// Ours: style 'batch' sends all rows in one execMany request; 'each' awaits one request per
// row inside db.transaction (the interactive style); 'pipelined' sends one request per row
// inside db.transaction without waiting for the previous answer (Promise.all).
async function ours(name, rows, style, crr = true) {
  const t0 = performance.now();
  const db = await openDatabase(name);
  await db.exec(schema(crr));
  const t1 = performance.now();
  if (style === 'batch') {
    await db.execMany(INSERT, Array.from({ length: rows }, (_, i) => row(i)));
  } else if (style === 'pipelined') {
    await db.transaction((tx) =>
      Promise.all(Array.from({ length: rows }, (_, i) => tx.exec(INSERT, row(i)))));
  } else {
    await db.transaction(async (tx) => {
      for (let i = 0; i < rows; i++) await tx.exec(INSERT, row(i));
    });
  }
  const t2 = performance.now();
  const [{ n }] = await db.query('SELECT count(*) AS n FROM item');
  const storage = await db.storage();
  db.close();
  return { openMs: t1 - t0, insertMs: t2 - t1, rows: n, storage };
}

// The real crsqlite-wasm 0.16.0 (wa-sqlite, IDBBatchAtomicVFS), a prepared statement run per
// row inside db.tx — its documented fast path.
async function reference(name, rows, crr = true) {
  const t0 = performance.now();
  const sqlite = await initWasm(() => '/node_modules/@vlcn.io/crsqlite-wasm/dist/crsqlite.wasm');
  const db = await sqlite.open(name);
  await db.exec(schema(crr));
  const t1 = performance.now();
  await db.tx(async (tx) => {
    const stmt = await tx.prepare(INSERT);
    for (let i = 0; i < rows; i++) await stmt.run(tx, ...row(i));
    await stmt.finalize(tx);
  });
  const t2 = performance.now();
  const [[n]] = await db.execA('SELECT count(*) FROM item');
  await db.close();
  return { openMs: t1 - t0, insertMs: t2 - t1, rows: n, storage: 'idb-batch-atomic' };
}

window.bench = { ours, reference };
window.benchReady = true;
