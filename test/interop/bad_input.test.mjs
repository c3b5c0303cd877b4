// Hostile and broken input over raw `ws` sockets against crsync-server (started with
// --max-message-bytes 65536): garbage frames, truncated messages, unknown tags, protocol
// violations, unknown schemas, traversal room names, oversized messages. Each must end in an HTTP
// refusal or a close with the documented code (docs/sync.md, docs/net.md, server.cpp), never a
// crash; afterwards the server still serves clients and every stored change is still there.
// The reference server exits on most of these (sync-protocol.md D1, D2), so this file asserts our
// behaviour only.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { encode } from '@vlcn.io/ws-common';

import { todoInsertChanges } from './lib/changes.mjs';
import { kSchemaName, kSchemaVersion, randomSiteId, waitFor } from './lib/fixtures.mjs';
import { RawClient, subprotocolFor, tags } from './lib/raw_client.mjs';
import { httpGet } from './lib/server_process.mjs';
import { clientRows, serverCells } from './lib/state.mjs';
import { kOursOnly, World } from './lib/world.mjs';

const kMaxMessageBytes = 65536;
const kRoom = 'victim';
let world;
let baseline;   // the server's cells of kRoom before the abuse
let watcher;    // a real client in kRoom that must keep syncing throughout

before(async () => {
  if (kOursOnly) return;
  world = await World.create({ serverArgs: ['--max-message-bytes', String(kMaxMessageBytes)] });
  watcher = await world.addClient(kRoom);
  const writer = await world.addClient(kRoom);
  for (let k = 0; k < 5; ++k) {
    writer.db.write('INSERT INTO todo (id, text) VALUES (?, ?)', [`keep-${k}`, `stored ${k}`]);
  }
  await waitFor(() => clientRows(watcher.db).length === 5, { timeoutMs: 15000 });
  baseline = await serverCells(world.url, kRoom);
  assert.equal(Object.keys(baseline).length, 15);
});
after(async () => { await world?.close(); });

let healthSeq = 0;
// The server is alive, serves a new real client in the room, forwards a new write to the watcher,
// and has lost nothing.
async function assertServerHealthy() {
  assert.equal(world.server.running, true, `server exited: ${world.server.output.slice(-2000)}`);
  assert.equal((await httpGet(world.server.port, '/healthz')).status, 200);
  const probe = await world.addClient(kRoom);
  const id = `health-${++healthSeq}`;
  probe.db.write('INSERT INTO todo (id, text) VALUES (?, ?)', [id, 'still serving']);
  await waitFor(() => clientRows(watcher.db).some((r) => r[0] === id), { timeoutMs: 15000 });
  const now = await serverCells(world.url, kRoom);
  for (const [k, v] of Object.entries(baseline)) assert.equal(now[k], v, `stored cell ${k} kept`);
  world.disconnect(probe);
}

// A raw connection to `room` that announced a valid schema and got StartStreaming.
async function announced(room = kRoom) {
  const raw = await RawClient.connect(world.url, { room });
  assert.equal(raw.refused, null, JSON.stringify(raw.refused));
  const sender = randomSiteId();
  raw.announce({ sender, schemaName: kSchemaName, schemaVersion: kSchemaVersion });
  assert.ok(await raw.waitForTag(tags.StartStreaming), 'StartStreaming after the announce');
  raw.sender = sender;
  return raw;
}

async function expectClose(raw, codes, what) {
  assert.ok(await raw.waitForClose(5000), `${what}: the server closed the connection`);
  assert.ok(codes.includes(raw.closed.code),
            `${what}: close code ${raw.closed.code} (${raw.closed.reason}) is one of ${codes}`);
  return raw.closed;
}

function changesMessage(sender, since, changes) {
  return { _tag: tags.Changes, sender, since, changes };
}

test('garbage, unknown tags and truncated messages close with 1002', { skip: kOursOnly }, async () => {
  const valid = encode(changesMessage(randomSiteId(), [0n, 0],
                                      todoInsertChanges('never', { text: 'x' }, 1)));
  const frames = {
    'empty message': new Uint8Array(0),
    'tag 0': Uint8Array.of(0),
    'tag 12': Uint8Array.of(12, 1, 2, 3),
    'tag 255': Uint8Array.of(255),
    'random bytes': Uint8Array.from({ length: 200 }, (_, i) => (i * 97 + 13) & 0xff),
    'truncated Changes (header only)': valid.subarray(0, 20),
    'truncated Changes (mid change)': valid.subarray(0, valid.length - 30),
    'truncated Changes (last seq missing)': valid.subarray(0, valid.length - 1),
    'value type 9': (() => {
      const bad = encode(changesMessage(randomSiteId(), [0n, 0], [
        ['todo', Uint8Array.of(1, 11, 1, 0x7a), 'text', 'x', 1n, 1n, null, 1n, 0]]));
      const at = bad.length - 29;  // type byte of the last value: seq 1, cl 8, site 1, 2×8, "x" 2
      assert.equal(bad[at], 3);
      bad[at] = 9;
      return bad;
    })(),
  };
  for (const [what, bytes] of Object.entries(frames)) {
    for (const afterAnnounce of [false, true]) {
      const raw = afterAnnounce ? await announced() : await RawClient.connect(world.url, { room: kRoom });
      raw.sendBytes(bytes);
      await expectClose(raw, [1002], `${what} (${afterAnnounce ? 'after' : 'before'} announce)`);
    }
  }
  await assertServerHealthy();
});

test('protocol violations are refused (1002 / 1008), gaps are rewound, nothing is applied',
     { skip: kOursOnly }, async () => {
  // Changes before AnnouncePresence.
  let raw = await RawClient.connect(world.url, { room: kRoom });
  raw.send(changesMessage(randomSiteId(), [0n, 0], todoInsertChanges('early', { text: 'x' }, 1)));
  await expectClose(raw, [1002], 'Changes before announce');

  // StartStreaming sent by a client; a second AnnouncePresence.
  raw = await announced();
  raw.send({ _tag: tags.StartStreaming, since: [0n, 0], excludeSites: [raw.sender], localOnly: false });
  await expectClose(raw, [1002], 'StartStreaming from a client');
  raw = await announced();
  raw.announce({ sender: raw.sender, schemaName: kSchemaName, schemaVersion: kSchemaVersion });
  await expectClose(raw, [1002], 'second announce');

  // Changes whose sender is not the announced one (D16).
  raw = await announced();
  raw.send(changesMessage(randomSiteId(), [0n, 0], todoInsertChanges('forged', { text: 'x' }, 1)));
  await expectClose(raw, [1008], 'foreign sender');

  // A change the engine refuses (unknown table): the whole batch is refused, nothing applied.
  raw = await announced();
  raw.send(changesMessage(raw.sender, [0n, 0], [
    ...todoInsertChanges('half', { text: 'first half' }, 1),
    ['no_such_table', Uint8Array.of(1, 9, 1), 'a', 1n, 1n, 1n, null, 1n, 0],
  ]));
  await expectClose(raw, [1008], 'change for an unknown table');

  // A gap (since ahead of what the server has): answered with a StartStreaming rewind, not applied.
  raw = await announced();
  raw.send(changesMessage(raw.sender, [5n, 0], todoInsertChanges('gapped', { text: 'x' }, 6)));
  assert.ok(await raw.waitForTag(tags.StartStreaming, 2), 'a rewind StartStreaming');
  const rewind = raw.messagesOf(tags.StartStreaming)[1];
  assert.deepEqual(rewind.since.map(Number), [0, 0]);
  // The rewound stream is accepted.
  raw.send(changesMessage(raw.sender, [0n, 0], todoInsertChanges('resent', { text: 'ok' }, 1)));
  await waitFor(() => clientRows(watcher.db).some((r) => r[0] === 'resent'), { timeoutMs: 10000 });
  raw.close();

  const ids = clientRows(watcher.db).map((r) => r[0]);
  for (const id of ['early', 'forged', 'half', 'gapped']) assert.equal(ids.includes(id), false, id);
  await assertServerHealthy();
});

test('unknown schema and wrong schema version close with 1008 and a reason',
     { skip: kOursOnly }, async () => {
  for (const [schemaName, schemaVersion, what] of [
    ['nope.sql', kSchemaVersion, 'unknown schema file'],
    ['../todo.sql', kSchemaVersion, 'schema name with a path'],
    [kSchemaName, kSchemaVersion + 1n, 'wrong schema version'],
  ]) {
    const raw = await RawClient.connect(world.url, { room: kRoom });
    raw.announce({ sender: randomSiteId(), schemaName, schemaVersion });
    const closed = await expectClose(raw, [1008], what);
    assert.ok(closed.reason.length > 0, `${what}: a reason is given`);
    assert.equal(raw.messagesOf(tags.StartStreaming).length, 0, `${what}: no StartStreaming`);
  }
  // An unknown schema in a fresh room leaves no half-created room behind.
  const raw = await RawClient.connect(world.url, { room: 'fresh-room' });
  raw.announce({ sender: randomSiteId(), schemaName: 'nope.sql', schemaVersion: kSchemaVersion });
  await expectClose(raw, [1008], 'unknown schema in a new room');
  const again = await announced('fresh-room');
  again.close();
  await assertServerHealthy();
});

test('traversal room names are refused and touch no file outside the db folder',
     { skip: kOursOnly }, async () => {
  const root = world.dirs.root;
  const before = new Set(fs.readdirSync(root));
  const refusedNames = ['../x', 'a/b', '..', '.', '../../etc/passwd', 'a\\b', '..\\x', '.hidden',
                        'x/../../y', '/abs', ''];
  for (const room of refusedNames) {
    const proto = subprotocolFor(room);
    if (!/^[A-Za-z0-9+]+$/.test(proto)) continue;  // not sendable by ws (contains '/')
    const raw = await RawClient.connect(world.url, { room });
    if (raw.refused) {
      assert.ok([400, 403].includes(raw.refused.status), `${room}: ${JSON.stringify(raw.refused)}`);
      continue;
    }
    raw.announce({ sender: randomSiteId(), schemaName: kSchemaName, schemaVersion: kSchemaVersion });
    const closed = await expectClose(raw, [1008], `room ${JSON.stringify(room)}`);
    assert.ok(closed.reason.length > 0);
    assert.equal(raw.messagesOf(tags.StartStreaming).length, 0);
  }
  // Encoded variants are just unusual names: refused, or a file INSIDE the db folder.
  for (const room of ['%2e%2e', '%2e%2e%2fx', '..%2f..%2fetc', '%2E%2E%5Cx', 'a%00b']) {
    const raw = await RawClient.connect(world.url, { room });
    if (raw.refused) continue;
    raw.announce({ sender: randomSiteId(), schemaName: kSchemaName, schemaVersion: kSchemaVersion });
    await raw.waitUntil((c) => c.closed || c.messagesOf(tags.StartStreaming).length > 0, 5000);
    if (raw.closed) {
      assert.equal(raw.closed.code, 1008, `${room}: ${JSON.stringify(raw.closed)}`);
    } else {
      raw.close();
    }
  }
  assert.deepEqual(new Set(fs.readdirSync(root)), before, 'nothing new next to the db folder');
  for (const f of fs.readdirSync(world.dirs.dbFolder)) {
    assert.equal(fs.realpathSync(path.join(world.dirs.dbFolder, f)).startsWith(
        fs.realpathSync(world.dirs.dbFolder) + path.sep), true, f);
  }
  assert.equal(fs.existsSync(path.join(root, 'x')), false);
  await assertServerHealthy();
});

test('malformed handshakes get HTTP 400 before any upgrade', { skip: kOursOnly }, async () => {
  for (const [protocol, what] of [[null, 'no subprotocol'], ['cm9vb', 'base64 length 1 mod 4'],
                                  ['YXV0aD10b2s', 'no room (auth=tok)'], ['cm9vbT0', 'empty room']]) {
    const raw = await RawClient.connect(world.url, { protocol });
    assert.ok(raw.refused, `${what}: refused`);
    assert.equal(raw.refused.status, 400, `${what}: ${JSON.stringify(raw.refused)}`);
  }
  await assertServerHealthy();
});

test('a message over --max-message-bytes closes with 1009; smaller ones pass',
     { skip: kOursOnly }, async () => {
  let raw = await announced();
  const big = 'x'.repeat(kMaxMessageBytes);
  raw.send(changesMessage(raw.sender, [0n, 0], todoInsertChanges('too-big', { text: big }, 1)));
  await expectClose(raw, [1009], 'oversized Changes');
  raw = await announced();
  raw.sendBytes(new Uint8Array(kMaxMessageBytes + 1));
  await expectClose(raw, [1009], 'oversized garbage');

  raw = await announced();
  const fits = 'y'.repeat(kMaxMessageBytes / 2);
  raw.send(changesMessage(raw.sender, [0n, 0], todoInsertChanges('fits', { text: fits }, 1)));
  await waitFor(() => clientRows(watcher.db).some((r) => r[0] === 'fits'), { timeoutMs: 10000 });
  assert.equal(raw.closed, null);
  raw.close();
  assert.equal(clientRows(watcher.db).some((r) => r[0] === 'too-big'), false);
  await assertServerHealthy();
});

test('many abrupt disconnects mid-message leave the server serving', { skip: kOursOnly }, async () => {
  for (let i = 0; i < 20; ++i) {
    const raw = await announced();
    raw.ws._socket.write(Buffer.from([0x82, 0x7e, 0x10, 0x00, 1, 2, 3]));  // a frame cut short
    raw.terminate();
  }
  await assertServerHealthy();
});
