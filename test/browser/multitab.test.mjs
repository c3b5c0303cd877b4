// Several tabs of one origin on one database: one tab's Worker owns the file (Web Lock), the
// others go through it over a BroadcastChannel. Writes from any tab are seen by all, change
// notifications reach every tab, ownership moves when the owning tab closes, a tab that dies in
// the middle of a transaction does not block the others, and a follower tab can run the sync.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  launchBrowser, removeDir, startStaticServer, startSyncServer, tempDir, TODO_SCHEMA, waitUntil,
} from './support/harness.mjs';
import { exec, openTestPage, query, startPageSync, syncStatus } from './support/pages.mjs';

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

function isOwner(page, name) {
  return page.evaluate(async (name) => (await window.crsync.openDatabase(name)).isOwner(), name);
}

function listenForChanges(page, name) {
  return page.evaluate(async (name) => {
    const db = await window.crsync.openDatabase(name);
    window.changes = [];
    db.onChange('item', ({ tables }) => window.changes.push(tables));
  }, name);
}

test('tabs share one database: writes, notifications, owner hand-over', async () => {
  const first = await openTestPage(browser, web.url);
  const second = await openTestPage(browser, web.url);
  try {
    await exec(first, 'shared', `CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY NOT NULL,
      v TEXT); SELECT crsql_as_crr('item');`);
    await exec(second, 'shared', 'INSERT INTO item VALUES (1, ?)', ['from second']);
    assert.equal(await isOwner(first, 'shared'), true); // first opened it: owner
    assert.equal(await isOwner(second, 'shared'), false);
    await listenForChanges(first, 'shared');
    await listenForChanges(second, 'shared');
    await exec(second, 'shared', 'INSERT INTO item VALUES (2, ?)', ['second again']);
    await exec(first, 'shared', 'INSERT INTO item VALUES (3, ?)', ['from first']);
    for (const page of [first, second]) {
      await waitUntil(() => page.evaluate(() => window.changes.length >= 2),
        { timeoutMs: 5000, what: 'change notifications in both tabs' });
      assert.deepEqual(await query(page, 'shared', 'SELECT id FROM item ORDER BY id'),
        [{ id: 1 }, { id: 2 }, { id: 3 }]);
    }

    await first.close(); // the owner goes away: the second tab takes the database over
    await waitUntil(() => isOwner(second, 'shared'),
      { timeoutMs: 10000, what: 'second tab becoming the owner' });
    await exec(second, 'shared', 'INSERT INTO item VALUES (4, ?)', ['after hand-over']);
    assert.deepEqual(await query(second, 'shared', 'SELECT count(*) AS n FROM item'), [{ n: 4 }]);
  } finally {
    if (!first.isClosed()) await first.close();
    await second.close();
  }
});

test('a transaction holds the others back, and a tab that dies inside one releases it', async () => {
  const owner = await openTestPage(browser, web.url);
  const doomed = await openTestPage(browser, web.url);
  try {
    await exec(owner, 'txdb', 'CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)');
    // The doomed tab opens a transaction, writes, and never finishes it.
    await doomed.evaluate(async () => {
      const db = await window.crsync.openDatabase('txdb');
      db.transaction(async (tx) => {
        await tx.exec("INSERT INTO t VALUES (1, 'uncommitted')");
        window.inTx = true;
        await new Promise(() => {});
      });
    });
    await waitUntil(() => doomed.evaluate(() => window.inTx === true), { what: 'transaction open' });
    const pendingWrite = owner.evaluate(async () => {
      const db = await window.crsync.openDatabase('txdb');
      await db.exec("INSERT INTO t VALUES (2, 'waited')");
      return db.query('SELECT id, v FROM t ORDER BY id');
    });
    const early = await Promise.race([pendingWrite.then(() => 'ran'),
      new Promise((r) => setTimeout(() => r('waiting'), 500))]);
    assert.equal(early, 'waiting'); // held back by the other tab's open transaction
    await doomed.close();
    const rows = await pendingWrite;
    assert.deepEqual(rows, [{ id: 2, v: 'waited' }]); // the dead tab's write was rolled back
  } finally {
    if (!doomed.isClosed()) await doomed.close();
    await owner.close();
  }
});

test('a follower tab syncs through the owner, and keeps syncing after a hand-over', async (t) => {
  const server = await startSyncServer();
  t.after(() => server.stop());
  const owner = await openTestPage(browser, web.url);
  const follower = await openTestPage(browser, web.url);
  const peer = await openTestPage(browser, web.url);
  try {
    await exec(owner, 'tabsync', 'SELECT 1');
    await startPageSync(follower, 'tabsync', {
      url: server.wsUrl, room: 'tabs', schemaName: 'todo.sql', schemaText: TODO_SCHEMA,
    });
    await startPageSync(peer, 'tabpeer', {
      url: server.wsUrl, room: 'tabs', schemaName: 'todo.sql', schemaText: TODO_SCHEMA,
    });
    await exec(peer, 'tabpeer', "INSERT INTO todo (id, text) VALUES ('p1', 'from peer')");
    await waitUntil(async () => (await query(follower, 'tabsync', 'SELECT id FROM todo')).length === 1,
      { timeoutMs: 10000, what: 'peer row in the follower tab' });
    await owner.close();
    await waitUntil(async () => (await syncStatus(follower, 'tabsync')).status === 'up-to-date',
      { timeoutMs: 15000, what: 'sync resumed by the new owner' });
    await exec(peer, 'tabpeer', "INSERT INTO todo (id, text) VALUES ('p2', 'after hand-over')");
    await waitUntil(async () => (await query(follower, 'tabsync', 'SELECT id FROM todo')).length === 2,
      { timeoutMs: 10000, what: 'second peer row after the hand-over' });
  } catch (error) {
    console.error(browser.pageLogs.join('\n'));
    throw error;
  } finally {
    for (const page of [owner, follower, peer]) if (!page.isClosed()) await page.close();
  }
});
