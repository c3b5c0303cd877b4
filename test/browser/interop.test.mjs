// Interop in one room of crsync-server: a page running our engine (wasm, C++ sync::Session in
// the Worker) and a Node client running the REAL @vlcn.io/ws-client 0.2.0 over the real
// cr-sqlite 0.16 wasm build converge: rows and the crsql_changes cell state (values, their
// storage classes, col_version, cl) end up identical on both.
//
// The Node side comes from test/interop/lib (helper "interop": ClientDb, startSync, the typed
// todo schema); its packages are installed by web/run-tests.sh (npm ci in test/interop).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ClientDb } from '../interop/lib/client_db.mjs';
import { makeWorkDir, kSchemaName, kSchemaText } from '../interop/lib/fixtures.mjs';
import { clientCells, clientRows } from '../interop/lib/state.mjs';
import { startSync } from '../interop/lib/sync_client.mjs';
import {
  launchBrowser, removeDir, startStaticServer, startSyncServer, tempDir, waitUntil,
} from './support/harness.mjs';
import { exec, openTestPage, query, startPageSync } from './support/pages.mjs';

let web;
let browser;
let profile;
let work;
let server;
before(async () => {
  web = await startStaticServer();
  profile = tempDir('profile');
  browser = await launchBrowser(profile);
  work = makeWorkDir('crsync-web-interop-');
  server = await startSyncServer({ schemaFolder: work.schemaFolder });
});
after(async () => {
  await server?.stop();
  await browser?.close();
  await web?.close();
  removeDir(profile);
  removeDir(work.root);
});

async function pageRows(page) {
  const rows = await query(page, 'web', 'SELECT id, text, completed, list FROM todo ORDER BY id');
  return rows.map((r) => [r.id, r.text, r.completed, r.list]);
}

async function pageCells(page) {
  const rows = await query(page, 'web',
    'SELECT "table" AS t, hex(pk) AS pk, cid, quote(val) AS val, col_version AS cv, cl FROM crsql_changes');
  const cells = {};
  for (const r of rows) cells[`${r.t}|${r.pk.toLowerCase()}|${r.cid}`] = `${r.val}|${r.cv}|${r.cl}`;
  return Object.fromEntries(Object.entries(cells).sort(([a], [b]) => (a < b ? -1 : 1)));
}

test('our page and the real ws-client converge in one room', async () => {
  const page = await openTestPage(browser, web.url);
  const nodeDb = await ClientDb.create(kSchemaName, kSchemaText);
  let synced;
  try {
    await startPageSync(page, 'web', { url: server.wsUrl, room: 'mixed', schemaName: kSchemaName,
      schemaText: kSchemaText });
    synced = await startSync(nodeDb, { url: server.wsUrl, room: 'mixed' });

    // Both sides insert; each waits for the other's rows, then both edit concurrently.
    await exec(page, 'web', 'INSERT INTO todo (id, text, completed, list) VALUES (?, ?, ?, ?)',
      ['w1', 'from the page', 0, 'web']);
    nodeDb.write('INSERT INTO todo (id, text, completed, list) VALUES (?, ?, ?, ?)',
      ['n1', 'from ws-client', 1, null]);
    nodeDb.write('INSERT INTO todo (id, text, completed, list) VALUES (?, ?, ?, ?)',
      ['n2', 'héllo 😀', 7, 'unicode']);
    await waitUntil(async () => (await pageRows(page)).length === 3 && clientRows(nodeDb).length === 3,
      { timeoutMs: 15000, what: 'the three inserted rows on both sides' });
    await exec(page, 'web', "UPDATE todo SET completed = 1, text = 'page edit' WHERE id = 'n1'");
    nodeDb.write("UPDATE todo SET list = 'node' WHERE id = 'w1'");
    await exec(page, 'web', "DELETE FROM todo WHERE id = 'n2'");

    let last;
    await waitUntil(async () => {
      last = { page: await pageRows(page), node: clientRows(nodeDb) };
      return JSON.stringify(last.page) === JSON.stringify(last.node) && last.page.length === 2 &&
        last.page.find((r) => r[0] === 'n1')?.[1] === 'page edit' &&
        last.page.find((r) => r[0] === 'w1')?.[3] === 'node';
    }, { timeoutMs: 20000, what: () => JSON.stringify(last) });
    assert.deepEqual(last.page, [
      ['n1', 'page edit', 1, null],
      ['w1', 'from the page', 0, 'node'],
    ]);
    await waitUntil(async () =>
      JSON.stringify(await pageCells(page)) === JSON.stringify(clientCells(nodeDb)),
    { timeoutMs: 10000, what: 'identical crsql_changes cell state' });
  } catch (error) {
    console.error(browser.pageLogs.join('\n'));
    throw error;
  } finally {
    synced?.stop();
    await page.close();
  }
});
