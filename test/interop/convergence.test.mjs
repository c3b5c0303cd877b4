// Real @vlcn.io/ws-client 0.2.0 peers (cr-sqlite 0.16 wasm databases) against the target server:
// concurrent edits and deletes converge, and edits made offline arrive after a reconnect.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { waitFor } from './lib/fixtures.mjs';
import { clientCells, clientRows, serverCells } from './lib/state.mjs';
import { kTarget, World } from './lib/world.mjs';

let world;
before(async () => { world = await World.create(); });
after(async () => { await world?.close(); });

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Waits until every client has the same rows and cells as the server; returns the server cells.
async function expectConverged(clients, room, timeoutMs = 30000) {
  let last = '';
  await waitFor(async () => {
    const first = JSON.stringify(clientCells(clients[0].db));
    const same = clients.every((c) => JSON.stringify(clientCells(c.db)) === first);
    if (!same) {
      last = 'clients differ';
      return false;
    }
    const server = JSON.stringify(await serverCells(world.url, room));
    last = server === first ? '' : 'server differs from the clients';
    return server === first;
  }, { timeoutMs, intervalMs: 200, describe: () => last });
  const rows = JSON.stringify(clientRows(clients[0].db));
  for (const c of clients) assert.equal(JSON.stringify(clientRows(c.db)), rows);
  return serverCells(world.url, room);
}

test('four clients with concurrent inserts, updates and deletes converge', async () => {
  const room = 'converge';
  const clients = [];
  for (let i = 0; i < 4; ++i) clients.push(await world.addClient(room));
  // Shared rows everybody edits, created by client 0 and synced first.
  clients[0].db.writeTx([0, 1, 2, 3, 4].map((k) => [
    'INSERT INTO todo (id, text, list) VALUES (?, ?, ?)', [`shared-${k}`, 'initial', 'shared']]));
  await waitFor(() => clients.every((c) => clientRows(c.db).length === 5), { timeoutMs: 15000 });

  const expectedOwn = new Map();  // id -> [text, completed] of rows only their author touches
  await Promise.all(clients.map(async (c, i) => {
    for (let k = 0; k < 20; ++k) {
      const id = `c${i}-${k}`;
      c.db.write('INSERT INTO todo (id, text, completed, list) VALUES (?, ?, ?, ?)',
                 [id, `row ${k} of ${i}`, k % 2, `list-${i}`]);
      expectedOwn.set(id, [`row ${k} of ${i}`, k % 2]);
      if (k % 5 === 4) {
        c.db.write('UPDATE todo SET text = ?, completed = 1 WHERE id = ?', [`edited ${k}`, id]);
        expectedOwn.set(id, [`edited ${k}`, 1]);
      }
      if (k % 7 === 6) {
        c.db.write('DELETE FROM todo WHERE id = ?', [`c${i}-${k - 1}`]);
        expectedOwn.delete(`c${i}-${k - 1}`);
      }
      if (k % 4 === 0) {
        c.db.write('UPDATE todo SET text = ? WHERE id = ?', [`shared by ${i} at ${k}`, `shared-${k % 5}`]);
      }
      if (k === 10 + i) c.db.write('DELETE FROM todo WHERE id = ?', [`shared-${i}`]);
      if (k === 15 && i === 3) {
        c.db.write('INSERT OR REPLACE INTO todo (id, text, list) VALUES (?, ?, ?)',
                   ['shared-0', 'reborn', 'shared']);
      }
      await pause(i + 1);
    }
  }));
  // A delete and a re-insert of the same own row, in one transaction.
  clients[1].db.writeTx([['DELETE FROM todo WHERE id = ?', ['c1-0']],
                         ['INSERT INTO todo (id, text) VALUES (?, ?)', ['c1-0', 'back']]]);
  expectedOwn.set('c1-0', ['back', 0]);

  const cells = await expectConverged(clients, room);
  const rows = clientRows(clients[0].db);
  const own = rows.filter((r) => !r[0].startsWith('shared-'));
  assert.deepEqual(own.map((r) => [r[0], r[1], r[2]]),
                   [...expectedOwn].map(([id, [text, done]]) => [id, text, done])
                       .sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  assert.ok(Object.keys(cells).length > 200, 'the server holds every cell');
  // shared-4 was never deleted; its text is one of the concurrent writes.
  assert.match(rows.find((r) => r[0] === 'shared-4')[1], /^(initial|shared by \d at \d+)$/);
  if (kTarget === 'ours') assert.deepEqual(world.clientErrors().map(String), []);
});

test('edits made offline arrive after the client reconnects', async () => {
  const room = 'offline';
  const [a, b, c] = [await world.addClient(room), await world.addClient(room),
                     await world.addClient(room)];
  a.db.write("INSERT INTO todo (id, text) VALUES ('before', 'online')");
  await waitFor(() => [b, c].every((x) => clientRows(x.db).length === 1), { timeoutMs: 15000 });

  world.disconnect(a);
  await pause(200);
  for (let k = 0; k < 10; ++k) {
    a.db.write('INSERT INTO todo (id, text) VALUES (?, ?)', [`offline-${k}`, `written offline ${k}`]);
  }
  a.db.write("UPDATE todo SET completed = 1 WHERE id = 'before'");
  b.db.write("INSERT INTO todo (id, text) VALUES ('while-away', 'from b')");
  c.db.write("DELETE FROM todo WHERE id = 'before'");
  await pause(300);
  assert.equal(clientRows(b.db).some((r) => r[0].startsWith('offline-')), false,
               'nothing leaks while a is offline');

  await world.connect(a);
  const cells = await expectConverged([a, b, c], room);
  const ids = clientRows(b.db).map((r) => r[0]);
  assert.deepEqual(ids, [...Array(10).keys()].map((k) => `offline-${k}`).concat('while-away'));
  // The delete (cl 2) beats the offline update of the same row.
  assert.equal(cells["todo|010b066265666f7265|-1"]?.split('|')[2], '2');
  if (kTarget === 'ours') assert.deepEqual(world.clientErrors().map(String), []);
});
