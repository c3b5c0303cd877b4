// Tokens (HS256 JWTs minted here with node:crypto) against crsync-server --jwt-secret: the real
// ws-client syncs with a valid token in its subprotocol; missing, malformed, badly signed and
// expired tokens get 401, a token for other rooms 403 (src/server/authenticator.h); a read_only
// token receives the room but its Changes are refused with close 1008 and nothing is applied.
// After every refusal the server keeps serving and keeps its data. The reference server has no
// token checks of its own (its hook is the application's), so this file asserts our behaviour.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';

import { todoInsertChanges } from './lib/changes.mjs';
import { kSchemaName, kSchemaVersion, mintJwt, randomSiteId, waitFor } from './lib/fixtures.mjs';
import { RawClient, tags } from './lib/raw_client.mjs';
import { clientRows, serverCells } from './lib/state.mjs';
import { kOursOnly, World } from './lib/world.mjs';

const kSecret = crypto.randomBytes(32).toString('hex');
const kRoom = 'team-a';
let world;

before(async () => {
  if (kOursOnly) return;
  world = await World.create({ serverArgs: ['--jwt-secret', kSecret] });
});
after(async () => { await world?.close(); });

const writeToken = () => mintJwt(kSecret, { sub: 'writer', rooms: [kRoom] });

async function expectRefused(token, status, what, room = kRoom) {
  const raw = await RawClient.connect(world.url, { room, token });
  assert.ok(raw.refused, `${what}: refused`);
  assert.equal(raw.refused.status, status, `${what}: ${JSON.stringify(raw.refused)}`);
}

test('real ws-clients with valid tokens sync; bad tokens get 401/403', { skip: kOursOnly }, async () => {
  const a = await world.addClient(kRoom, { token: writeToken() });
  const b = await world.addClient(kRoom, { token: mintJwt(kSecret, { rooms: ['team-*'] }) });
  a.db.write("INSERT INTO todo (id, text) VALUES ('t1', 'with a token')");
  await waitFor(() => clientRows(b.db).length === 1, { timeoutMs: 15000 });
  const stored = await serverCells(world.url, kRoom, { token: writeToken() });

  const now = Math.floor(Date.now() / 1000);
  const [header, body] = writeToken().split('.');
  await expectRefused(null, 401, 'no token');
  await expectRefused('', 401, 'empty token');
  await expectRefused('not-a-jwt', 401, 'garbage token');
  await expectRefused(`${header}.${body}.AAAA`, 401, 'bad signature');
  await expectRefused(mintJwt('some other secret', { rooms: [kRoom] }), 401, 'wrong key');
  await expectRefused(mintJwt(kSecret, { rooms: [kRoom], exp: now - 3600 }), 401, 'expired');
  const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body}.`;
  await expectRefused(none, 401, 'alg none');
  await expectRefused(mintJwt(kSecret, { rooms: ['team-b'] }), 403, 'token for another room');
  await expectRefused(mintJwt(kSecret, { rooms: [] }), 403, 'token for no room');
  await expectRefused(writeToken(), 403, 'valid token, other room', 'team-b');

  // Still serving, nothing lost.
  a.db.write("INSERT INTO todo (id, text) VALUES ('t2', 'after the refusals')");
  await waitFor(() => clientRows(b.db).length === 2, { timeoutMs: 15000 });
  const now2 = await serverCells(world.url, kRoom, { token: writeToken() });
  for (const [k, v] of Object.entries(stored)) assert.equal(now2[k], v);
});

test('a read_only token receives the room, and its Changes are refused with 1008',
     { skip: kOursOnly }, async () => {
  const room = 'team-ro';
  const writer = await world.addClient(room, { token: mintJwt(kSecret, { rooms: [room] }) });
  writer.db.write("INSERT INTO todo (id, text) VALUES ('w1', 'written by a writer')");
  const readOnly = mintJwt(kSecret, { rooms: [room], read_only: true });

  // A real ws-client with the read-only token gets the data.
  const reader = await world.addClient(room, { token: readOnly });
  await waitFor(() => clientRows(reader.db).length === 1, { timeoutMs: 15000 });

  // A raw client with the read-only token: announce works, sending changes is refused.
  const raw = await RawClient.connect(world.url, { room, token: readOnly });
  assert.equal(raw.refused, null);
  const sender = randomSiteId();
  raw.announce({ sender, schemaName: kSchemaName, schemaVersion: kSchemaVersion });
  assert.ok(await raw.waitForTag(tags.StartStreaming));
  assert.ok(await raw.waitForTag(tags.Changes), 'the reader receives the room');
  raw.send({ _tag: tags.Changes, sender, since: [0n, 0],
             changes: todoInsertChanges('ro-write', { text: 'must not land' }, 1) });
  assert.ok(await raw.waitForClose(5000));
  assert.equal(raw.closed.code, 1008);
  assert.match(raw.closed.reason, /read-only/);

  // Nothing from the reader landed; the writer still syncs.
  writer.db.write("INSERT INTO todo (id, text) VALUES ('w2', 'second')");
  await waitFor(() => clientRows(reader.db).length === 2, { timeoutMs: 15000 });
  const cells = await serverCells(world.url, room, { token: readOnly });
  assert.equal(Object.keys(cells).some((k) => k.includes(Buffer.from('ro-write').toString('hex'))),
               false);
});
