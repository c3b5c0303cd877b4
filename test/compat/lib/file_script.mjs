// The scripted workload of the tier-2 file-compatibility test (spec §18), run through a World
// (file_world.mjs). Peers: F (the database that lives in a FILE and moves between engines), Q
// and R (in-memory peers of the authoring engine, so F's crsql_site_id gets ordinals 1 and 2) and
// T (an in-memory peer that joins after the file was reopened).
//
// Invariant: fixed SQL only -- the same statements in the same order in every run, whichever
// engine authors the file -- so files written by the real engine and by ours can be compared
// value for value (site ids mapped to roles). The schema covers integer, text, blob, composite
// and PK-only keys, WITHOUT ROWID and STRICT tables, a mixed-case name, a non-CRR table, a
// backfilled CRR, and alters through crsql_begin_alter/commit_alter (add and drop column), so
// pre_compact_dbversion exists. Names stay within what the real engine's unquoted backfill
// accepts (spec §5). `seqs` lists the seq values a local write's changes must carry at its new
// db version (spec §7, §8.5; gaps are seqs consumed by clock rows overwritten in the same
// transaction).

import { formatResult } from './runner.mjs';
import { blob, int, real, text } from './values.mjs';

const kSchema = [
  'CREATE TABLE items (id INTEGER PRIMARY KEY NOT NULL, name TEXT, ' +
      'qty INTEGER NOT NULL DEFAULT 0, price REAL, data BLOB)',
  'CREATE INDEX items_by_name ON items (name)',
  'CREATE TABLE tags (owner TEXT NOT NULL, tag TEXT NOT NULL, weight REAL DEFAULT 1.0, ' +
      'note TEXT, PRIMARY KEY (tag, owner)) WITHOUT ROWID',
  'CREATE TABLE blobs (k BLOB PRIMARY KEY NOT NULL, v ANY) STRICT',
  'CREATE TABLE members (grp INTEGER NOT NULL, who TEXT NOT NULL, PRIMARY KEY (grp, who))',
  'CREATE TABLE Scores (player TEXT NOT NULL, round INTEGER NOT NULL, points REAL, ' +
      'PRIMARY KEY (round, player))',
  'CREATE TABLE plain (x, y)',
];
const kCrrs = ['items', 'tags', 'blobs', 'Scores'];

// The alters of the authoring phase, replayed by peers that join later.
const kAlters = [
  ['items', "ALTER TABLE items ADD COLUMN extra TEXT DEFAULT 'none'"],
  ['tags', 'ALTER TABLE tags DROP COLUMN note'],
];
const kLateAlter = ['blobs', 'ALTER TABLE blobs ADD COLUMN label TEXT'];
const kNotes = 'CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT, n INTEGER DEFAULT 0)';

async function alter(world, role, [table, sql]) {
  await world.exec(role, 'SELECT crsql_begin_alter(?)', [text(table)]);
  await world.exec(role, sql);
  await world.exec(role, 'SELECT crsql_commit_alter(?)', [text(table)]);
}

async function schema(world, role) {
  for (const sql of kSchema) await world.exec(role, sql);
  for (const t of kCrrs) await world.exec(role, 'SELECT crsql_as_crr(?)', [text(t)]);
}

// ---- authoring: F, Q and R on one engine; F is a new file ----------------------------------

export async function authoring(world) {
  world.phase = 'authoring: schema';
  await schema(world, 'F');
  await world.exec('F', "INSERT INTO members VALUES (1, 'ann'), (1, 'bob'), (2, 'ann')",
                   [], { dml: true });
  await world.exec('F', 'INSERT INTO plain VALUES (1, 2), (NULL, x\'00\')', [], { dml: true });
  // Backfill: one new version, one sentinel per existing row (spec §13).
  await world.write('F', "SELECT crsql_as_crr('members')", [], { seqs: [0, 1, 2] });
  for (const role of ['Q', 'R']) {
    await schema(world, role);
    await world.exec(role, "SELECT crsql_as_crr('members')");
  }

  world.phase = 'authoring: local writes';
  await world.write('F', 'INSERT INTO items (id, name, qty, price, data) VALUES ' +
                    '(1, ?, 3, ?, ?), (2, ?, 0, NULL, NULL), (3, ?, 7, ?, ?)',
                    [text('apple'), real(1.5), blob('00ff'), text('pear'), text('plum'),
                     real(2.25), blob('')], { seqs: range(12) });
  await world.write('F', "INSERT INTO tags VALUES ('ann', 'red', 0.5, 'first'), " +
                    "('bob', 'red', 2.0, NULL), ('ann', 'blue', 1.0, 'x')", [],
                    { seqs: range(6) });
  await world.write('F', 'INSERT INTO blobs VALUES (?, ?), (?, ?), (?, ?), (?, ?)',
                    [blob(''), text('empty key'), blob('00'), int(1), blob('ff00ff'),
                     blob('0102'), blob('0123456789abcdef0123456789abcdef01'), real(2.5)],
                    { seqs: range(4) });
  await world.write('F', "INSERT INTO Scores VALUES ('ann', 1, 10.0), ('bob', 1, 7.5), " +
                    "('ann', 2, NULL)", [], { seqs: range(3) });
  await world.write('F', 'BEGIN; UPDATE items SET qty = qty + 1 WHERE id IN (1, 2); ' +
                    'DELETE FROM items WHERE id = 3; ' +
                    "INSERT INTO tags VALUES ('cy', 'red', 3.0, 'late'); " +
                    "UPDATE blobs SET v = 'changed' WHERE k = x'00'; COMMIT", [],
                    { seqs: range(6) });
  await world.write('F', "DELETE FROM members WHERE grp = 1 AND who = 'bob'", [], { seqs: [0] });
  await world.write('F', "INSERT INTO members VALUES (1, 'bob')", [], { seqs: [0] });
  await world.write('F', 'DELETE FROM items WHERE id = 2', [], { seqs: [0] });
  await world.write('F', "INSERT INTO items (id, name) VALUES (2, 'pear again')", [],
                    { seqs: range(5) });
  await world.write('F', "INSERT OR REPLACE INTO items VALUES (1, 'apple2', 5, 1.5, x'00ff')", [],
                    { seqs: [1, 2, 3, 4] });
  await world.write('F', 'UPDATE items SET name = name WHERE id = 1', [], { seqs: [] });
  await world.exec('F', 'INSERT INTO plain VALUES (3, 4)', [], { dml: true });

  world.phase = 'authoring: merges from Q and R';
  await world.exec('Q', 'INSERT INTO items VALUES (1, ?, 9, 9.9, NULL), (10, ?, 1, 0.25, ?)',
                   [text('apple-q'), text('kiwi'), blob('10')], { dml: true });
  await world.exec('Q', "INSERT INTO tags VALUES ('dan', 'green', 1.0, NULL)", [], { dml: true });
  await world.exec('Q', "INSERT INTO blobs VALUES (x'00', 'from q')", [], { dml: true });
  await world.exec('R', "INSERT INTO items VALUES (20, 'fig', 2, 3.0, NULL)", [], { dml: true });
  await world.exec('R', "INSERT INTO Scores VALUES ('cy', 3, 1.0)", [], { dml: true });
  await world.exec('R', "INSERT INTO members VALUES (3, 'rae')", [], { dml: true });
  await world.sync('R', 'Q');
  await world.sync('Q', 'F');
  await world.sync('F', 'Q');
  await world.exec('Q', "UPDATE items SET name = 'kiwi2' WHERE id = 10", [], { dml: true });
  await world.exec('Q', "DELETE FROM tags WHERE owner = 'ann' AND tag = 'blue'", [], { dml: true });
  await world.exec('Q', 'UPDATE items SET price = 4.5 WHERE id = 20', [], { dml: true });
  await world.sync('Q', 'F', { flavour: 'ws' });
  await world.write('F', 'UPDATE items SET qty = 100 WHERE id = 10', [], { seqs: [0] });

  world.phase = 'authoring: alters';
  for (const a of kAlters) await alter(world, 'F', a);
  await world.write('F', "UPDATE items SET extra = 'set' WHERE id = 1", [], { seqs: [0] });
  await world.write('F', "INSERT INTO items (id, name, extra) VALUES (30, 'new', 'e')", [],
                    { seqs: range(5) });
  // VACUUM rewrites the file (lookaside keys are rowid aliases, so they survive it).
  await world.exec('F', 'VACUUM');
  await world.write('F', 'DELETE FROM members WHERE grp = 3', [], { seqs: [0] });
  // A no-op write consumes a version in memory only (spec §8.3): reopening must fall back.
  await world.write('F', 'UPDATE items SET qty = qty WHERE id = 1', [], { seqs: [] });
}

// ---- continuation: F reopened (one copy per engine), T joins --------------------------------

// T: a fresh peer with F's current schema.
async function lateSchema(world, role) {
  await schema(world, role);
  await world.exec(role, "SELECT crsql_as_crr('members')");
  for (const a of kAlters) await alter(world, role, a);
}

export async function continuation(world) {
  world.phase = 'continuation: CRR detection';
  // Already a CRR (its T__crsql_itrig exists): OK without changes; plain is not compatible.
  await world.exec('F', "SELECT crsql_as_crr('items')");
  await world.exec('F', "SELECT crsql_as_crr('plain')", [], { mayFail: true });
  await world.exec('F', 'INSERT INTO plain VALUES (5, 6)', [], { dml: true });

  world.phase = 'continuation: local writes';
  await world.write('F', "INSERT INTO items (id, name, qty, data) VALUES (40, 'forty', 4, x'40')",
                    [], { seqs: range(5) });
  await world.write('F', "BEGIN; UPDATE items SET extra = 'cont' WHERE id IN (10, 20); " +
                    'DELETE FROM items WHERE id = 30; ' +
                    "UPDATE Scores SET points = 11.0 WHERE player = 'ann' AND round = 1; " +
                    "DELETE FROM members WHERE grp = 2 AND who = 'ann'; COMMIT", [],
                    { seqs: range(5) });
  await world.write('F', "INSERT INTO items (id, name) VALUES (30, 'thirty again')", [],
                    { seqs: range(6) });
  await world.write('F', "INSERT INTO blobs VALUES (x'', 'replaced') ON CONFLICT (k) " +
                    'DO UPDATE SET v = excluded.v', [], { seqs: [0] });

  world.phase = 'continuation: merges with T';
  await lateSchema(world, 'T');
  await world.sync('F', 'T');
  await world.exec('T', "UPDATE items SET name = 't-name' WHERE id = 1", [], { dml: true });
  await world.exec('T', 'DELETE FROM items WHERE id = 40', [], { dml: true });
  await world.exec('T', "INSERT INTO items (id, name) VALUES (50, 't50')", [], { dml: true });
  await world.exec('T', "INSERT INTO blobs VALUES (x'77', NULL)", [], { dml: true });
  await world.exec('T', "UPDATE tags SET weight = 9.0 WHERE tag = 'red' AND owner = 'ann'", [],
                   { dml: true });
  await world.exec('T', "INSERT INTO members VALUES (2, 'ann')", [], { dml: true });
  await world.sync('T', 'F');
  await world.write('F', "UPDATE items SET qty = 7 WHERE id = 50", [], { seqs: [0] });
  // The same changes again (cursor reset): idempotent, no new version.
  const before = await world.dbVersion('F');
  world.resetCursors('T');
  await world.sync('T', 'F');
  const after = await world.dbVersion('F');
  if (before !== after) world.fail(`re-applied changes moved db_version ${before} -> ${after}`);
  await world.sync('F', 'T');

  world.phase = 'continuation: new CRR with backfill, alter of an existing CRR';
  await world.exec('F', kNotes);
  await world.exec('F', "INSERT INTO notes (id, body) VALUES ('a', 'alpha'), ('b', NULL)", [],
                   { dml: true });
  await world.write('F', "SELECT crsql_as_crr('notes')", [], { seqs: range(4) });
  await world.write('F', "UPDATE notes SET n = 2 WHERE id = 'a'", [], { seqs: [0] });
  await alter(world, 'F', kLateAlter);
  await world.write('F', "UPDATE blobs SET label = 'L' WHERE k = x'ff00ff'", [], { seqs: [0] });
  await world.exec('T', kNotes);
  await world.exec('T', "SELECT crsql_as_crr('notes')");
  await alter(world, 'T', kLateAlter);
  await world.sync('F', 'T');
  await world.exec('T', "UPDATE notes SET body = 'from t' WHERE id = 'b'", [], { dml: true });
  await world.exec('T', "UPDATE blobs SET label = 'T' WHERE k = x''", [], { dml: true });
  await world.sync('T', 'F', { flavour: 'ws' });

  // A row written and then deleted inside an alter window: compaction drops its clock rows, so
  // only pre_compact_dbversion still holds the latest version (spec §8.1, §12.2) -- and the
  // file is closed right after, so the reopen must find the version there.
  world.phase = 'continuation: version only in pre_compact_dbversion';
  await world.write('F', "INSERT INTO notes (id, body) VALUES ('gone', 'soon')", [],
                    { seqs: range(2) });
  const written = await world.dbVersion('F');
  await world.exec('F', "SELECT crsql_begin_alter('notes')");
  await world.exec('F', "DELETE FROM notes WHERE id = 'gone'", [], { dml: true });
  await world.exec('F', 'ALTER TABLE notes ADD COLUMN z INTEGER');
  await world.exec('F', "SELECT crsql_commit_alter('notes')");
  const altered = await world.dbVersion('F');
  const maxClock = await world.exec('F', 'SELECT max(db_version) FROM crsql_changes');
  if (altered !== written) world.fail(`the alter moved db_version ${written} -> ${altered}`);
  if (!maxClock.ok || BigInt(maxClock.rows[0][0].i) >= written) {
    world.fail(`the deleted row's clock rows survived compaction (max ${formatResult(maxClock)})`);
  }
  await alter(world, 'T', ['notes', 'ALTER TABLE notes ADD COLUMN z INTEGER']);
}

// ---- crossover: each engine opens the file the OTHER engine last wrote ---------------------

export async function crossover(world) {
  world.phase = 'crossover: local writes';
  await world.write('F', "INSERT INTO items (id, name, qty) VALUES (60, 'sixty', 6)", [],
                    { seqs: range(5) });
  await world.write('F', "BEGIN; DELETE FROM items WHERE id = 50; UPDATE notes SET n = 3; " +
                    "INSERT INTO Scores VALUES ('dee', 4, 0.5); COMMIT", [], { seqs: range(4) });
  world.phase = 'crossover: merges with T';
  await world.exec('T', "UPDATE items SET name = 't again' WHERE id = 1", [], { dml: true });
  await world.exec('T', "DELETE FROM members WHERE grp = 3 AND who = 'rae'", [], { dml: true });
  await world.sync('T', 'F');
  await world.sync('F', 'T');
  await world.write('F', "UPDATE items SET qty = qty + 1 WHERE id = 1", [], { seqs: [0] });
}

function range(n) {
  return Array.from({ length: n }, (_, i) => i);
}
