// Sync in real Chromium through crsync-server, on the C++ sync::Session inside the Worker:
// two pages converge (insert, update, delete both ways), offline edits on both sides sync after
// the server comes back, and a schema mismatch surfaces as an 'error' status with the reason.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  launchBrowser, removeDir, startStaticServer, startSyncServer, tempDir, TODO_SCHEMA, waitUntil,
} from './support/harness.mjs';
import { exec, openTestPage, query, startPageSync, syncStatus } from './support/pages.mjs';

const SCHEMA = { schemaName: 'todo.sql', schemaText: TODO_SCHEMA };
const ALL = 'SELECT id, text, completed FROM todo ORDER BY id';

let web;
let browser;
let profile;
before(async () => {
  web = await startStaticServer();
  profile = tempDir('profile');
  browser = await launchBrowser(profile);
});
after(async () => {
  await browser?.close();
  await web?.close();
  removeDir(profile);
});

async function converge(pageA, dbA, pageB, dbB, what) {
  let last;
  await waitUntil(async () => {
    const [a, b] = [await query(pageA, dbA, ALL), await query(pageB, dbB, ALL)];
    last = { a, b };
    return JSON.stringify(a) === JSON.stringify(b) && a;
  }, { timeoutMs: 15000, what: `${what}: ${JSON.stringify(last)}` });
  return last.a;
}

test('two pages converge through crsync-server', async (t) => {
  const server = await startSyncServer();
  t.after(() => server.stop());
  const alice = await openTestPage(browser, web.url);
  const bob = await openTestPage(browser, web.url);
  try {
    await startPageSync(alice, 'alice1', { url: server.wsUrl, room: 'r1', ...SCHEMA });
    await startPageSync(bob, 'bob1', { url: server.wsUrl, room: 'r1', ...SCHEMA });
    await exec(alice, 'alice1', 'INSERT INTO todo (id, text) VALUES (?, ?)', ['a1', 'from alice']);
    await exec(bob, 'bob1', 'INSERT INTO todo (id, text) VALUES (?, ?)', ['b1', 'from bob']);
    let rows = await converge(alice, 'alice1', bob, 'bob1', 'inserts');
    assert.deepEqual(rows.map((r) => r.id), ['a1', 'b1']);

    await exec(bob, 'bob1', 'UPDATE todo SET completed = 1 WHERE id = ?', ['a1']);
    await exec(alice, 'alice1', 'DELETE FROM todo WHERE id = ?', ['b1']);
    rows = await converge(alice, 'alice1', bob, 'bob1', 'update + delete');
    assert.deepEqual(rows, [{ id: 'a1', text: 'from alice', completed: 1 }]);
    assert.equal((await syncStatus(alice, 'alice1')).status !== 'error', true);
  } catch (error) {
    console.error(browser.pageLogs.join('\n'));
    throw error;
  } finally {
    await alice.close();
    await bob.close();
  }
});

test('offline edits sync when the server is back', async (t) => {
  let server = await startSyncServer();
  t.after(() => server.stop());
  const alice = await openTestPage(browser, web.url);
  const bob = await openTestPage(browser, web.url);
  try {
    await startPageSync(alice, 'alice2', { url: server.wsUrl, room: 'r2', ...SCHEMA });
    await startPageSync(bob, 'bob2', { url: server.wsUrl, room: 'r2', ...SCHEMA });
    await exec(alice, 'alice2', "INSERT INTO todo (id, text) VALUES ('online', 'x')");
    await converge(alice, 'alice2', bob, 'bob2', 'online insert');

    await server.halt();
    for (const [page, db] of [[alice, 'alice2'], [bob, 'bob2']]) {
      await waitUntil(async () => (await syncStatus(page, db)).status === 'offline',
        { timeoutMs: 10000, what: `${db} offline` });
    }
    await exec(alice, 'alice2', "INSERT INTO todo (id, text) VALUES ('off-a', 'written offline')");
    await exec(bob, 'bob2', "UPDATE todo SET text = 'edited offline' WHERE id = 'online'");
    assert.equal((await query(bob, 'bob2', ALL)).length, 1);

    server = await server.restart();
    const rows = await converge(alice, 'alice2', bob, 'bob2', 'after reconnect');
    assert.deepEqual(rows, [
      { id: 'off-a', text: 'written offline', completed: 0 },
      { id: 'online', text: 'edited offline', completed: 0 },
    ]);
    for (const [page, db] of [[alice, 'alice2'], [bob, 'bob2']]) {
      await waitUntil(async () => (await syncStatus(page, db)).status === 'up-to-date',
        { timeoutMs: 10000, what: `${db} up-to-date again` });
    }
    const log = await alice.evaluate(() => window.syncLog.alice2.map((e) => e.status));
    assert.ok(log.includes('offline') && log.includes('connecting'), log.join(','));
  } catch (error) {
    console.error(browser.pageLogs.join('\n'));
    throw error;
  } finally {
    await alice.close();
    await bob.close();
  }
});

test('a schema mismatch surfaces as an error status', async (t) => {
  const server = await startSyncServer();
  t.after(() => server.stop());
  const page = await openTestPage(browser, web.url);
  try {
    const state = await startPageSync(page, 'mismatch', {
      url: server.wsUrl, room: 'r3', schemaName: 'todo.sql',
      schemaText: `${TODO_SCHEMA}\nCREATE TABLE IF NOT EXISTS extra (id PRIMARY KEY NOT NULL);\n`,
      until: 'error',
    });
    assert.equal(state.status, 'error');
    assert.match(state.detail, /schema/i);
  } finally {
    await page.close();
  }
});

test('bad sync arguments give an error status, not a crash', async () => {
  const page = await openTestPage(browser, web.url);
  try {
    const results = await page.evaluate(async () => {
      const db = await window.crsync.openDatabase('badargs');
      const out = [];
      for (const [url, room] of [['ws://127.0.0.1:9/sync', 'a,b'], ['ftp://127.0.0.1:9/x', 'r']]) {
        const handle = await db.startSync(url, { room });
        await handle.waitFor('error', 5000);
        out.push(handle.detail);
        await handle.stop();
      }
      out.push(await db.query('SELECT 41 + 1 AS answer')); // the database still works
      return out;
    });
    assert.match(results[0], /invalid room or token/);
    assert.match(results[1], /cannot open ftp:\/\/127\.0\.0\.1:9\/x/);
    assert.deepEqual(results[2], [{ answer: 42 }]);
  } finally {
    await page.close();
  }
});
