// Persistence in real Chromium: data written through the OPFS VFS (and through the IndexedDB
// fallback) survives a page reload, a clean browser restart on the same profile and a killed
// browser; transactions commit and roll back; change notifications name the changed tables.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, removeDir, startStaticServer, tempDir } from './support/harness.mjs';
import { exec, openTestPage, query } from './support/pages.mjs';

let web;
before(async () => {
  web = await startStaticServer();
});
after(async () => {
  await web.close();
});

async function withBrowser(profile, fn) {
  const browser = await launchBrowser(profile);
  try {
    return await fn(browser);
  } catch (error) {
    console.error(browser.pageLogs.join('\n'));
    throw error;
  } finally {
    await browser.close();
  }
}

for (const storage of ['auto', 'idb']) {
  test(`${storage}: data survives reload, browser restart and a killed browser`, async () => {
    const profile = tempDir('profile');
    const options = { storage };
    try {
      await withBrowser(profile, async (browser) => {
        const page = await openTestPage(browser, web.url);
        const kind = await page.evaluate(async (options) => {
          const db = await window.crsync.openDatabase('notes', options);
          return db.storage();
        }, options);
        assert.equal(kind, storage === 'auto' ? 'opfs' : 'idb');
        await exec(page, 'notes', `CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY NOT NULL,
          body TEXT); SELECT crsql_as_crr('note');`, null, options);
        await exec(page, 'notes', 'INSERT INTO note VALUES (?, ?)', [1, 'before reload'], options);
        await page.reload();
        await page.waitForFunction(() => window.crsyncReady === true);
        assert.deepEqual(await query(page, 'notes', 'SELECT * FROM note', null, options),
          [{ id: 1, body: 'before reload' }]);
        await exec(page, 'notes', 'INSERT INTO note VALUES (?, ?)', [2, 'before restart'], options);
      });
      await withBrowser(profile, async (browser) => {
        const page = await openTestPage(browser, web.url);
        assert.deepEqual(await query(page, 'notes', 'SELECT id FROM note ORDER BY id', null, options),
          [{ id: 1 }, { id: 2 }]);
        // 300 rows in one transaction and 100 in one execMany, acknowledged, then the browser
        // is killed.
        await page.evaluate(async (options) => {
          const db = await window.crsync.openDatabase('notes', options);
          await db.transaction(async (tx) => {
            for (let i = 3; i < 303; i++) await tx.exec('INSERT INTO note VALUES (?, ?)', [i, 'x'.repeat(500)]);
          });
          const rows = Array.from({ length: 100 }, (_, k) => [303 + k, 'y'.repeat(500)]);
          const { changes } = await db.execMany('INSERT INTO note VALUES (?, ?)', rows);
          if (changes !== 100) throw new Error(`execMany reported ${changes} changes`);
        }, options);
        await browser.kill();
      });
      await withBrowser(profile, async (browser) => {
        const page = await openTestPage(browser, web.url);
        assert.deepEqual(await query(page, 'notes', 'SELECT count(*) AS n, max(id) AS top FROM note',
          null, options), [{ n: 402, top: 402 }]);
        assert.deepEqual(await query(page, 'notes', 'PRAGMA integrity_check', null, options),
          [{ integrity_check: 'ok' }]);
        // The engine's clocks survived too: every row has its crsql_changes entries.
        const [{ n }] = await query(page, 'notes',
          "SELECT count(DISTINCT pk) AS n FROM crsql_changes WHERE \"table\" = 'note'", null, options);
        assert.equal(n, 402);
        // The backend's durability settings (docs/web.md): OPFS keeps a PERSIST rollback journal
        // with synchronous FULL; the IndexedDB image is replaced by whole committed states.
        assert.deepEqual(await query(page, 'notes', 'PRAGMA journal_mode', null, options),
          [{ journal_mode: storage === 'auto' ? 'persist' : 'delete' }]);
        assert.deepEqual(await query(page, 'notes', 'PRAGMA synchronous', null, options),
          [{ synchronous: 2 }]);
      });
    } finally {
      removeDir(profile);
    }
  });
}

test('transactions commit, roll back on error, and changes are announced per table', async () => {
  const profile = tempDir('profile');
  try {
    await withBrowser(profile, async (browser) => {
      const page = await openTestPage(browser, web.url);
      const result = await page.evaluate(async () => {
        const db = await window.crsync.openDatabase('tx');
        await db.exec(`CREATE TABLE a (id INTEGER PRIMARY KEY NOT NULL, v TEXT);
                       CREATE TABLE b (id INTEGER PRIMARY KEY NOT NULL, v TEXT);
                       SELECT crsql_as_crr('a'); SELECT crsql_as_crr('b');`);
        const seen = [];
        const off = db.onChange('a', ({ tables }) => seen.push(tables.join(',')));
        await db.transaction(async (tx) => {
          await tx.exec('INSERT INTO a VALUES (1, ?)', ['one']);
          await tx.exec('INSERT INTO b VALUES (1, ?)', ['one']);
        });
        let rolledBack = null;
        try {
          await db.transaction(async (tx) => {
            await tx.exec('INSERT INTO a VALUES (2, ?)', ['two']);
            throw new Error('abort!');
          });
        } catch (error) {
          rolledBack = error.message;
        }
        await db.exec('INSERT INTO b VALUES (2, ?)', ['only b']);
        let sqlError = null;
        try {
          await db.exec('INSERT INTO nope VALUES (1)');
        } catch (error) {
          sqlError = error.message;
        }
        await new Promise((r) => setTimeout(r, 100));
        off();
        return { a: await db.query('SELECT id FROM a'), b: await db.query('SELECT id FROM b'),
          seen, rolledBack, sqlError };
      });
      assert.deepEqual(result.a, [{ id: 1 }]);
      assert.deepEqual(result.b, [{ id: 1 }, { id: 2 }]);
      assert.equal(result.rolledBack, 'abort!');
      assert.match(result.sqlError, /no such table: nope/);
      // One notification for the committed transaction (a), one for the rolled-back one (a was
      // written, then restored), none for the write to b only.
      assert.ok(result.seen.length >= 1 && result.seen.every((t) => t === 'a'), result.seen.join('|'));
    });
  } finally {
    removeDir(profile);
  }
});
