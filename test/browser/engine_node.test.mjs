// Smoke test of web/dist in Node (no browser): the wasm engine with an in-memory file backend.
// SQL with bound parameters, the crsqlite engine (CRRs, crsql_changes), two databases merging
// through crsql_changes, changed-table tracking, the subprotocol encoder and SQL errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const dist = new URL('../../web/dist/', import.meta.url);
const { Engine } = await import(new URL('engine.js', dist));
const { Host } = await import(new URL('host.js', dist));
const { MemoryFiles } = await import(new URL('files_memory.js', dist));
const wasmBinary = readFileSync(fileURLToPath(new URL('crsync.wasm', dist)));

async function openEngine() {
  const host = new Host(new MemoryFiles());
  const engine = await Engine.load(host, { wasmBinary });
  host.engine = engine;
  return engine;
}

test('runs SQL with bound parameters of every type', async () => {
  const engine = await openEngine();
  const db = engine.open('types.db');
  engine.run(db, 'CREATE TABLE t (a, b, c, d, e)');
  const blob = new Uint8Array([1, 2, 255]);
  engine.run(db, 'INSERT INTO t VALUES (?, ?, ?, ?, ?)', [42, 1.5, 'héllo', blob, null]);
  engine.run(db, 'INSERT INTO t VALUES (:a, :b, :c, :d, :e)',
    { a: 2n ** 60n, b: -0.25, c: '', d: new Uint8Array(0), e: true });
  const { columns, rows } = engine.run(db, 'SELECT a, b, c, d, e, typeof(d) FROM t ORDER BY rowid');
  assert.deepEqual(columns, ['a', 'b', 'c', 'd', 'e', 'typeof(d)']);
  assert.deepEqual(rows[0], [42, 1.5, 'héllo', blob, null, 'blob']);
  assert.equal(rows[1][0], 2n ** 60n);
  assert.deepEqual(rows[1].slice(1), [-0.25, '', new Uint8Array(0), 1, 'blob']);
  engine.close(db);
});

test('crsqlite CRRs merge between two databases through crsql_changes', async () => {
  const engine = await openEngine();
  const a = engine.open('a.db');
  const b = engine.open('b.db');
  for (const db of [a, b]) {
    engine.run(db, `CREATE TABLE todo (id TEXT PRIMARY KEY NOT NULL, title TEXT, done INTEGER);
                    SELECT crsql_as_crr('todo');`);
  }
  engine.run(a, 'INSERT INTO todo VALUES (?, ?, 0)', ['1', 'from a']);
  engine.run(b, 'INSERT INTO todo VALUES (?, ?, 1)', ['2', 'from b']);
  const siteA = engine.run(a, 'SELECT crsql_site_id()').rows[0][0];
  const changes = engine.run(a, 'SELECT * FROM crsql_changes WHERE site_id = ?', [siteA]).rows;
  assert.ok(changes.length >= 2);
  engine.run(b, 'BEGIN');
  for (const change of changes) {
    engine.run(b, 'INSERT INTO crsql_changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', change);
  }
  engine.run(b, 'COMMIT');
  const rows = engine.run(b, 'SELECT id, title, done FROM todo ORDER BY id').rows;
  assert.deepEqual(rows, [['1', 'from a', 0], ['2', 'from b', 1]]);
  assert.deepEqual(engine.changedTables(b), ['todo']);
  assert.deepEqual(engine.changedTables(b), []);
  engine.close(a);
  engine.close(b);
});

test('data written through the VFS is read back after closing and reopening', async () => {
  const files = new MemoryFiles();
  let writes = 0;
  const fileWrite = files.fileWrite.bind(files);
  files.fileWrite = (id, source, offset) => {
    writes++;
    return fileWrite(id, source, offset);
  };
  const host = new Host(files);
  const engine = await Engine.load(host, { wasmBinary });
  host.engine = engine;
  let db = engine.open('persist.db');
  engine.run(db, 'CREATE TABLE big (n INTEGER, pad TEXT)');
  writes = 0;
  engine.run(db, 'BEGIN');
  for (let i = 0; i < 2000; i++) engine.run(db, 'INSERT INTO big VALUES (?, ?)', [i, 'x'.repeat(100)]);
  engine.run(db, 'COMMIT');
  // ~60 new 4 KiB pages written in page order: the VFS merges them into a few backend writes.
  assert.ok(writes > 0 && writes < 20, `${writes} backend writes for one commit`);
  engine.close(db);
  db = engine.open('persist.db');
  assert.deepEqual(engine.run(db, 'SELECT count(*), sum(n) FROM big').rows, [[2000, 1999000]]);
  assert.deepEqual(engine.run(db, 'PRAGMA integrity_check').rows, [['ok']]);
  engine.close(db);
});

test('runMany binds every parameter set once prepared and sums the changes', async () => {
  const engine = await openEngine();
  const db = engine.open('many.db');
  engine.run(db, `CREATE TABLE m (id INTEGER PRIMARY KEY NOT NULL, a, b);
                  SELECT crsql_as_crr('m');`);
  engine.changedTables(db);
  const big = 2 ** 40 + 3;
  const changes = engine.runMany(db, 'INSERT INTO m VALUES (?, ?, ?)', [
    [1, 'first', 2 ** 31 - 1],
    [2, 'ünïcødé 😀'.repeat(50), -(2 ** 31)],
    [3, big, 0.5], // 2^40 + 3 must not go through a 32-bit bind
    [4, 10n ** 15n], // shorter: b is NULL, not the previous set's 0.5
    [5, null, new Uint8Array([7, 8])],
  ]);
  assert.equal(changes, 5);
  const { rows } = engine.run(db, 'SELECT id, a, b, typeof(a), typeof(b) FROM m ORDER BY id');
  assert.deepEqual(rows, [
    [1, 'first', 2 ** 31 - 1, 'text', 'integer'],
    [2, 'ünïcødé 😀'.repeat(50), -(2 ** 31), 'text', 'integer'],
    [3, big, 0.5, 'integer', 'real'],
    [4, 10 ** 15, null, 'integer', 'null'],
    [5, null, new Uint8Array([7, 8]), 'null', 'blob'],
  ]);
  // Object parameters work too; a failing set throws and leaves the statement usable.
  assert.equal(engine.runMany(db, 'UPDATE m SET a = :a WHERE id = :id', [{ a: 'x', id: 1 },
    { a: 'y', id: 2 }, { a: 'z', id: 99 }]), 2);
  assert.throws(() => engine.runMany(db, 'INSERT INTO m VALUES (?, ?, ?)', [[6, 0, 0], [1, 0, 0]]),
    /UNIQUE constraint failed/);
  assert.equal(engine.runMany(db, 'INSERT INTO m VALUES (?, ?, ?)', [[7, 'ok', 1]]), 1);
  // The CRR triggers ran for every row, and only the user table is reported as changed.
  const clocks = "SELECT count(DISTINCT pk) FROM crsql_changes WHERE \"table\" = 'm'";
  assert.deepEqual(engine.run(db, clocks).rows, [[7]]);
  assert.deepEqual(engine.changedTables(db), ['m']);
  engine.run(db, 'DELETE FROM m WHERE id = 7');
  assert.deepEqual(engine.changedTables(db), ['m']); // reported again after the previous take
  assert.deepEqual(engine.changedTables(db), []);
  engine.close(db);
});

test('open runs the backend pragmas first and commits the engine setup once', async () => {
  const files = new MemoryFiles();
  let journalDeletes = 0; // DELETE journal mode: one journal delete per write transaction
  const fileDelete = files.fileDelete.bind(files);
  files.fileDelete = (name) => {
    if (name.endsWith('-journal')) journalDeletes++;
    return fileDelete(name);
  };
  const host = new Host(files);
  const engine = await Engine.load(host, { wasmBinary });
  host.engine = engine;
  const db = engine.open('fresh.db', 'PRAGMA user_version=42');
  assert.equal(journalDeletes, 2); // the pragma's write, then the engine's whole setup
  assert.equal(engine.inTransaction(db), false);
  assert.deepEqual(engine.run(db, 'PRAGMA user_version').rows, [[42]]);
  assert.deepEqual(engine.run(db,
    "SELECT count(*) FROM sqlite_master WHERE name IN ('crsql_site_id', 'crsql_master')").rows, [[2]]);
  const site = engine.run(db, 'SELECT crsql_site_id()').rows[0][0];
  engine.close(db);
  const again = engine.open('fresh.db', 'PRAGMA journal_mode=PERSIST');
  assert.deepEqual(engine.run(again, 'PRAGMA journal_mode').rows, [['persist']]);
  assert.deepEqual(engine.run(again, 'SELECT crsql_site_id()').rows[0][0], site);
  engine.close(again);
  assert.throws(() => engine.open('bad.db', 'PRAGMA nonsense syntax('), /syntax error/);
});

test('SQL errors are thrown with the SQLite message', async () => {
  const engine = await openEngine();
  const db = engine.open('errors.db');
  assert.throws(() => engine.run(db, 'SELECT * FROM missing'), /no such table: missing/);
  assert.throws(() => engine.run(db, 'SELECT ?', [{}]), /cannot bind/);
  assert.deepEqual(engine.run(db, 'SELECT 1').rows, [[1]]);
  engine.close(db);
});

test('encodes the ws-client subprotocol and refuses what a browser cannot send', async () => {
  const engine = await openEngine();
  assert.equal(engine.subprotocol('r1', null), Buffer.from('room=r1').toString('base64').replace(/=/g, ''));
  assert.equal(engine.subprotocol('r1', 't'), Buffer.from('auth=t,room=r1').toString('base64').replace(/=/g, ''));
  assert.throws(() => engine.subprotocol('', null), /room/);
});
