// Our native client (the `crsync` CLI, on a database file) and real ws-clients in the same room
// converge: `crsync sync --once` pulls and pushes, `crsync exec` writes locally (also while a
// long-running `crsync sync` watches the same file from another process), and the cell states of
// the native file, the browsers-in-Node and the server end up identical. Against the reference
// server too (INTEROP_TARGET=reference): the CLI is ours either way.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { kSchemaName, waitFor } from './lib/fixtures.mjs';
import { ourCliBin } from './lib/server_process.mjs';
import { clientCells, clientRows, serverCells } from './lib/state.mjs';
import { World } from './lib/world.mjs';

let world;
let schemaFile;
before(async () => {
  assert.ok(fs.existsSync(ourCliBin()), `crsync CLI not found at ${ourCliBin()} (CRSYNC_CLI_BIN)`);
  world = await World.create();
  schemaFile = path.join(world.dirs.schemaFolder, kSchemaName);
});
after(async () => { await world?.close(); });

function crsync(args, timeoutMs = 60000) {
  return new Promise((resolve) => {
    execFile(ourCliBin(), args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? error.signal) : 0, stdout, stderr });
    });
  });
}

// `crsync exec` prints each row's columns separated by '|'; the queries here return one JSON
// text column, which is parsed.
async function execSql(db, sql) {
  const r = await crsync(['exec', '--db', db, sql]);
  assert.equal(r.code, 0, `crsync exec failed: ${r.stderr}`);
  return r.stdout.trim();
}

async function execJson(db, sql) {
  return JSON.parse(await execSql(db, sql));
}

async function nativeRows(db) {
  return execJson(db, `SELECT json_group_array(json_array(id, text, completed, list))
                       FROM (SELECT * FROM todo ORDER BY id)`);
}

async function nativeCells(db) {
  const rows = await execJson(db, `SELECT json_group_array(json_array("table",
      lower(hex(pk)), cid, quote(val), col_version, cl)) FROM crsql_changes`);
  const cells = {};
  for (const [table, pk, cid, val, colVersion, cl] of rows) {
    cells[`${table}|${pk}|${cid}`] = `${val}|${colVersion}|${cl}`;
  }
  return Object.fromEntries(Object.entries(cells).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function syncOnce(db, room) {
  const r = await crsync(['sync', '--db', db, '--url', world.url, '--room', room,
                          '--schema', schemaFile, '--once', '--timeout', '30', '--quiet']);
  assert.equal(r.code, 0, `crsync sync --once: exit ${r.code}\n${r.stderr}`);
}

test('crsync sync --once and real ws-clients converge in one room', async () => {
  const room = 'mixed';
  const db = path.join(world.dirs.root, 'native.db');
  const [a, b] = [await world.addClient(room), await world.addClient(room)];
  for (let k = 0; k < 10; ++k) {
    a.db.write('INSERT INTO todo (id, text, completed) VALUES (?, ?, ?)', [`a-${k}`, `from a ${k}`, k % 2]);
  }
  await waitFor(() => clientRows(b.db).length === 10, { timeoutMs: 15000 });

  await syncOnce(db, room);
  assert.deepEqual(await nativeRows(db), clientRows(a.db), 'the native client pulled the room');

  await execSql(db, `INSERT INTO todo (id, text, list) VALUES ('n-1', 'native ''quoted''', 'cli');
                     UPDATE todo SET text = 'edited natively', completed = 1 WHERE id = 'a-3';
                     DELETE FROM todo WHERE id = 'a-4'`);
  b.db.write("INSERT INTO todo (id, text) VALUES ('b-1', 'from b')");
  await syncOnce(db, room);
  await waitFor(() => clientRows(a.db).some((r) => r[0] === 'n-1') && clientRows(a.db).length === 11,
                { timeoutMs: 15000 });
  await syncOnce(db, room);  // picks up b-1 if the first run missed it
  const rows = clientRows(a.db);
  assert.deepEqual(await nativeRows(db), rows);
  assert.deepEqual(clientRows(b.db), rows);
  assert.equal(rows.find((r) => r[0] === 'a-3')[1], 'edited natively');
  assert.equal(rows.some((r) => r[0] === 'a-4'), false);
  assert.deepEqual(await nativeCells(db), clientCells(a.db));
  assert.deepEqual(await serverCells(world.url, room), clientCells(a.db));
});

test('a long-running crsync sync follows writes from other processes and from browsers',
     async () => {
  const room = 'live';
  const db = path.join(world.dirs.root, 'live.db');
  const a = await world.addClient(room);
  a.db.write("INSERT INTO todo (id, text) VALUES ('seed', 'before the native client')");
  const child = spawn(ourCliBin(), ['sync', '--db', db, '--url', world.url, '--room', room,
                                    '--schema', schemaFile, '--quiet'], { stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    await waitFor(async () => fs.existsSync(db) && (await nativeRows(db).catch(() => [])).length === 1,
                  { timeoutMs: 20000, intervalMs: 200, describe: () => output });
    for (let k = 0; k < 5; ++k) {
      await execSql(db, `INSERT INTO todo (id, text) VALUES ('cli-${k}', 'exec ${k}')`);
      a.db.write('INSERT INTO todo (id, text) VALUES (?, ?)', [`browser-${k}`, `browser ${k}`]);
    }
    await waitFor(async () => clientRows(a.db).length === 11 &&
                              (await nativeRows(db)).length === 11,
                  { timeoutMs: 20000, intervalMs: 200, describe: () => output });
    await waitFor(async () => JSON.stringify(await nativeCells(db)) ===
                              JSON.stringify(clientCells(a.db)),
                  { timeoutMs: 10000, intervalMs: 200 });
  } finally {
    child.kill('SIGTERM');
  }
  const exit = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 10000))]);
  if (exit === null) child.kill('SIGKILL');
  assert.deepEqual(exit, { code: 0, signal: null }, `clean exit on SIGTERM\n${output}`);
});
