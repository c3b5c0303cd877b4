// Tier-2 database-FILE compatibility (spec §18): a database file written by the real cr-sqlite
// 0.16 (the @vlcn.io/crsqlite-wasm 0.16.0 build, through an in-memory VFS whose bytes go to disk)
// must open and keep working under ours (build/crsqlite.so through crsqlite-host, on the disk
// file), and the reverse.
//
// Per direction (lib/file_script.mjs holds the workload, lib/file_world.mjs the machinery):
//   1. the AUTHOR engine writes file F (CRRs with integer/text/blob/composite/PK-only keys,
//      writes, deletes, re-inserts, merges from its peers Q and R, begin/commit_alter) and
//      closes it;
//   2. both engines open a copy of those bytes: each copy must equal the author's state before
//      close (site id, crsql_changes, every table, all metadata), both copies must agree,
//      crsql_db_version() included; crsqlite_version must be 150000 where only the real 0.16.0
//      touched the file and 160300 once ours opened it (ours upgrades 150000; the real one must
//      keep 160300);
//   3. the same continuation (local writes with db_version/seq checks, merges with a new peer T,
//      a new CRR, another alter) runs on both copies in lockstep: identical outcomes and states;
//   4. crossover: each engine opens the file the OTHER engine just wrote, continues, compares;
//   5. the final files pass integrity_check under plain SQLite and hold identical metadata.
// A last test compares the files the two engines authored from the same ops, read with plain
// SQLite: sqlite_master (type, name, tbl_name, sql), crsql_master, crsql_site_id, every table,
// header fields. Also: a self-check (a tampered copy is reported), both engines' verdicts on
// crsql_master variants (crsqlite_version, config), and CRRs with names that need quoting.
// COMPAT_KEEP_FILES=1 keeps the temp directory with all files.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';

import { loadConfig } from './lib/config.mjs';
import { EngineError } from './lib/engine_error.mjs';
import { FileHostEngine, FileRealEngine } from './lib/file_engines.mjs';
import { authoring, continuation, crossover } from './lib/file_script.mjs';
import {
  Db, Sites, World, captureMetadata, diffStates, kStructuralHeaderFields, readHeader,
} from './lib/file_world.mjs';

const cfg = loadConfig();
const kTimeoutMs = 5 * 60 * 1000;
const kRealVersion = '150000';   // what wasm 0.16.0 records (spec §17.1)
const kOursVersion = '160300';   // what 0.16.3 (and ours) records (spec §2)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crsync-file-compat-'));
const outputs = {};              // author kind -> {sites, authored, finals}

test.after(() => {
  if (process.env.COMPAT_KEEP_FILES === '1') console.log(`file-compat: files kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
});

async function makeEngines() {
  const real = await FileRealEngine.create();
  const ours = await FileHostEngine.create({ hostPath: cfg.host, soPath: cfg.so });
  return { real, ours };
}

function report(world) {
  const lines = [];
  if (world.diffs.length) lines.push(`${world.diffs.length} disagreement(s):`, ...world.diffs);
  if (world.failures.length) {
    lines.push(`${world.failures.length} broken expectation(s):`, ...world.failures);
  }
  return lines.join('\n');
}

function assertClean(world) {
  const text = report(world);
  world.diffs.length = 0;
  world.failures.length = 0;
  assert.ok(text === '', text);
}

// Opens a copy on `engine`; a rejected file is the finding, reported with SQLite's message.
async function openCopy(engine, name, file, writtenBy) {
  try {
    return await Db.openFile(engine, name, file);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    assert.fail(`the ${engine.kind} engine rejected a file last written by ${writtenBy} ` +
                `(${path.basename(file)}): ${e.message} (code ${e.code})`);
  }
}

// One direction: `authorKind` writes the file, then both engines continue it.
async function direction(t, authorKind) {
  const otherKind = authorKind === 'real' ? 'ours' : 'real';
  const engines = await makeEngines();
  const sites = new Sites();
  const file = (what) => path.join(dir, `${authorKind}-author.${what}.db`);
  const authored = file('authored');
  // crsqlite_version a copy must hold: ours upgrades anything older to 160300 when it opens it.
  const touchedByOurs = new Map([[authored, authorKind === 'ours']]);
  const expectVersion = (p) => (touchedByOurs.get(p) ? kOursVersion : kRealVersion);
  try {
    // 1. authoring
    const author = engines[authorKind];
    const world = new World(sites, `${authorKind} authors the file`);
    const peers = { F: await Db.openFile(author, 'F', authored),
                    Q: await Db.openMemory(author, 'Q'), R: await Db.openMemory(author, 'R') };
    for (const [role, db] of Object.entries(peers)) {
      sites.add(await db.value('SELECT crsql_site_id()'), role);
      world.setPeer(role, [db]);
    }
    await authoring(world);
    const [before] = await world.compareCopies('F', 'before close',
                                               { versions: [expectVersion(authored)] });
    await peers.F.close();
    await t.test(`${authorKind} engine authors the file (writes, merges, alters)`, () => {
      assertClean(world);
      assert.deepEqual(before.crsql_site_id.map((r) => r[1]),
                       [{ site: 'F' }, { site: 'Q' }, { site: 'R' }],
                       'crsql_site_id: ordinal 0 = own site, 1 and 2 = merged peers');
      assert.ok(before.crsql_master.some((r) => r[0].s === 'pre_compact_dbversion'),
                'crsql_master has pre_compact_dbversion after crsql_commit_alter');
      assert.deepEqual(before.integrity_check, [[{ s: 'ok' }]]);
    });

    // 2. both engines open copies of the bytes
    const copyOf = { real: file('continued-by-real'), ours: file('continued-by-ours') };
    for (const kind of ['real', 'ours']) {
      fs.copyFileSync(authored, copyOf[kind]);
      touchedByOurs.set(copyOf[kind], touchedByOurs.get(authored) || kind === 'ours');
    }
    const cont = new World(sites, `${authorKind}-written file continued on both`);
    const F = { real: await openCopy(engines.real, 'Fr', copyOf.real, authorKind),
                ours: await openCopy(engines.ours, 'Fo', copyOf.ours, authorKind) };
    cont.setPeer('F', [F.real, F.ours]);
    const reopened = await cont.compareCopies('F', 'after reopen', {
      versions: [expectVersion(copyOf.real), expectVersion(copyOf.ours)],
    });
    await t.test(`${otherKind} opens the ${authorKind}-written file: same state as the ` +
                 `${authorKind} engine reopening it`, () => {
      for (const [i, kind] of ['real', 'ours'].entries()) {
        // The author's last write was a no-op UPDATE: its version lived only in memory (§8.3).
        const d = diffStates(before, reopened[i], [`${authorKind} before close`,
                                                    `${kind} after reopen`],
                             { ignore: ['crsqlite_version', 'db_version'] });
        if (d) cont.diffs.push(`state before close vs ${kind} after reopen: ${d}`);
        const [was, now] = [BigInt(before.db_version[0][0].i),
                            BigInt(reopened[i].db_version[0][0].i)];
        if (now !== was - 1n) {
          cont.fail(`${kind}: crsql_db_version() after reopen is ${now}; before close it was ` +
                    `${was} after an in-memory-only no-op version, so ${was - 1n} was expected`);
        }
      }
      assertClean(cont);
    });

    // 3. continuation in lockstep; T lives on the author engine
    const T = await Db.openMemory(author, 'T');
    sites.add(await T.value('SELECT crsql_site_id()'), 'T');
    cont.setPeer('T', [T]);
    await continuation(cont);
    const continued = await cont.compareCopies('F', 'after continuation', {
      versions: [expectVersion(copyOf.real), expectVersion(copyOf.ours)],
    });
    await F.real.close();
    await F.ours.close();
    await t.test(`continuing the ${authorKind}-written file: identical outcomes on both ` +
                 'engines (local writes, merges with a new peer, new CRR, alter)', () => {
      assertClean(cont);
      assert.equal(continued[0].crsql_site_id.length, 4, 'ordinal 3 was assigned to T');
    });

    // 4. crossover: each engine opens the file the other one just wrote
    const cross = new World(sites, `${authorKind}-written file, crossover`);
    const X = { real: await openCopy(engines.real, 'Xr', copyOf.ours, 'ours'),
                ours: await openCopy(engines.ours, 'Xo', copyOf.real, 'real') };
    touchedByOurs.set(copyOf.real, true);
    cross.setPeer('F', [X.real, X.ours]);
    cross.setPeer('T', [T]);
    const crossed = await cross.compareCopies('F', 'after crossover reopen', {
      versions: [expectVersion(copyOf.ours), expectVersion(copyOf.real)],
    });
    for (const [i, kind] of ['real', 'ours'].entries()) {
      const d = diffStates(continued[1 - i], crossed[i], [
        `${['real', 'ours'][1 - i]} before close`, `${kind} after reopen`],
                           { ignore: ['crsqlite_version'] });
      if (d) cross.diffs.push(`state before close vs ${kind} after crossover reopen: ${d}`);
    }
    await crossover(cross);
    await cross.compareCopies('F', 'after crossover', {
      versions: [expectVersion(copyOf.ours), expectVersion(copyOf.real)],
    });
    await X.real.close();
    await X.ours.close();
    await t.test('crossover: each engine continues the file the other engine wrote', () => {
      assertClean(cross);
    });

    // 5. the final files under plain SQLite
    const finals = [copyOf.ours, copyOf.real];  // last written by real, by ours
    const metas = [];
    for (const [i, p] of finals.entries()) {
      const db = await Db.openFile(engines.ours, `plain${i}`, p, { load: false });
      metas.push(await captureMetadata(db, sites));
      await db.close();
    }
    await t.test('final files: integrity_check ok under plain SQLite, identical metadata', () => {
      for (const m of metas) assert.deepEqual(m.integrity_check, [[{ s: 'ok' }]]);
      const d = diffStates(metas[0], metas[1], ['last written by real', 'last written by ours']);
      assert.equal(d, null, d ?? '');
      const [h0, h1] = finals.map(readHeader);
      for (const f of kStructuralHeaderFields) {
        assert.equal(h0[f], h1[f],
                     `file header ${f}: real-written ${h0[f]}, ours-written ${h1[f]}`);
      }
    });
    outputs[authorKind] = { sites, authored, finals };
  } finally {
    await engines.real.dispose();
    await engines.ours.dispose();
  }
}

// Runs fn(db) on the file at p opened with plain SQLite through the host (no extension).
async function withPlain(host, name, p, fn) {
  const db = await Db.openFile(host, name, p, { load: false });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

// Opens p on `engine`: {ok: true, version} (crsqlite_version after the open) or {ok: false, error}.
async function tryOpen(engine, name, p) {
  let db;
  try {
    db = await Db.openFile(engine, name, p);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    return { ok: false, error: e.message };
  }
  const version = await db.value("SELECT value FROM crsql_master WHERE key = 'crsqlite_version'");
  await db.close();
  return { ok: true, version: version ?? null };
}

// Self-check: one tampered clock value in one copy must be reported.
async function selfCheck() {
  const engines = await makeEngines();
  try {
    const sites = new Sites();
    const world = new World(sites, 'self-check');
    const src = path.join(dir, 'self-check.db');
    const peers = { F: await Db.openFile(engines.real, 'F', src),
                    Q: await Db.openMemory(engines.real, 'Q'),
                    R: await Db.openMemory(engines.real, 'R') };
    for (const [role, db] of Object.entries(peers)) {
      sites.add(await db.value('SELECT crsql_site_id()'), role);
      world.setPeer(role, [db]);
    }
    await authoring(world);
    await peers.F.close();
    assertClean(world);
    const copies = ['a', 'b'].map((x) => path.join(dir, `self-check.${x}.db`));
    for (const c of copies) fs.copyFileSync(src, c);
    // One clock entry of copy b gets a higher col_version.
    await withPlain(engines.ours, 'tamper', copies[1], (db) => db.rows(
        'UPDATE items__crsql_clock SET col_version = col_version + 1 ' +
        "WHERE col_name = 'name' AND key = (SELECT min(key) FROM items__crsql_clock)"));
    const check = new World(sites, 'self-check copies');
    check.setPeer('F', [await Db.openFile(engines.real, 'Fa', copies[0]),
                        await Db.openFile(engines.ours, 'Fb', copies[1])]);
    await check.compareCopies('F', 'tampered');
    assert.equal(check.diffs.length, 1, report(check));
    assert.match(check.diffs[0], /state\.crsql_changes/);
    for (const db of check.copies('F')) await db.close();
  } finally {
    await engines.real.dispose();
    await engines.ours.dispose();
  }
}

// Files that differ only in crsql_master, opened by both engines. want: per engine the
// crsqlite_version after the open, or null = the open must fail (with the same message when
// both fail).
const kGateCases = [
  { label: 'crsqlite_version 140000', version: 140000, want: { real: null, ours: null } },
  { label: 'crsqlite_version missing', version: null, want: { real: null, ours: null } },
  { label: 'crsqlite_version 150000', version: 150000,
    want: { real: kRealVersion, ours: kOursVersion } },
  { label: 'crsqlite_version 160300', version: 160300,
    want: { real: kOursVersion, ours: kOursVersion } },
  { label: 'crsqlite_version 170000', version: 170000,
    want: { real: '170000', ours: '170000' } },
  { label: 'config.merge-equal-values 1', config: { i: '1' },
    want: { real: kOursVersion, ours: kOursVersion } },
  // 0.16.3 refuses a non-integer setting (spec §2.7); 0.16.0 has no settings (§17.1).
  { label: 'config.merge-equal-values text', config: { s: 'yes' },
    want: { real: kOursVersion, ours: null } },
];

async function crsqlMasterGate(t) {
  const engines = await makeEngines();
  try {
    const base = path.join(dir, 'gate.db');
    const db = await Db.openFile(engines.ours, 'gate', base);
    await db.rows('CREATE TABLE t (id INTEGER PRIMARY KEY NOT NULL, v TEXT)');
    await db.rows("SELECT crsql_as_crr('t')");
    await db.rows("INSERT INTO t VALUES (1, 'one')");
    await db.close();
    for (const [n, c] of kGateCases.entries()) {
      const got = {};
      for (const kind of ['real', 'ours']) {
        const p = path.join(dir, `gate.${n}.${kind}.db`);
        fs.copyFileSync(base, p);
        await withPlain(engines.ours, 'set', p, async (plain) => {
          if (c.config) {
            await plain.rows('INSERT INTO crsql_master VALUES (?, ?)',
                             [{ s: 'config.merge-equal-values' }, c.config]);
          } else if (c.version === null) {
            await plain.rows("DELETE FROM crsql_master WHERE key = 'crsqlite_version'");
          } else {
            await plain.rows(
                "UPDATE crsql_master SET value = ? WHERE key = 'crsqlite_version'",
                [{ i: String(c.version) }]);
          }
        });
        got[kind] = await tryOpen(engines[kind], `gate-${kind}`, p);
      }
      t.diagnostic(`${c.label}: real ${JSON.stringify(got.real)}, ours ` +
                   `${JSON.stringify(got.ours)}`);
      for (const kind of ['real', 'ours']) {
        const g = got[kind];
        if (c.want[kind] === null) {
          assert.equal(g.ok, false, `${c.label}: ${kind} must refuse the file`);
        } else {
          assert.ok(g.ok, `${c.label}: ${kind} must open the file: ${g.error}`);
          assert.deepEqual(g.version, { i: c.want[kind] },
                           `${c.label}: ${kind}: crsqlite_version after the open`);
        }
      }
      if (!got.real.ok && !got.ours.ok) {
        // SQLite prefixes the init error: "automatic extension loading failed: " (the
        // wasm build's auto extension), "error during initialization: " (load_extension).
        const bare = (m) => m.replace(
            /^(automatic extension loading failed|error during initialization): /, '');
        assert.equal(bare(got.ours.error), bare(got.real.error),
                     `${c.label}: same refusal message`);
      }
    }
  } finally {
    await engines.real.dispose();
    await engines.ours.dispose();
  }
}

// Names that need quoting: ours makes such tables CRRs, 0.16.0 cannot (its backfill and
// compaction do not quote, spec §5), but its triggers, crsql_changes and merges handle them.
const kQuotedSchema = [
  'CREATE TABLE "Mixed Case" (id INTEGER PRIMARY KEY NOT NULL, v TEXT)',
  'CREATE TABLE cols (id INTEGER PRIMARY KEY NOT NULL, "a b" TEXT, "c""q" INTEGER)',
];
async function quotedNames() {
  const engines = await makeEngines();
  try {
    const sites = new Sites();
    const base = path.join(dir, 'quoted.db');
    const F = await Db.openFile(engines.ours, 'quoted', base);
    sites.add(await F.value('SELECT crsql_site_id()'), 'F');
    for (const sql of kQuotedSchema) await F.rows(sql);
    await F.rows("SELECT crsql_as_crr('Mixed Case')");
    await F.rows("SELECT crsql_as_crr('cols')");
    await F.rows('INSERT INTO "Mixed Case" VALUES (1, \'x\')');
    await F.rows("INSERT INTO cols VALUES (1, 'x', 1)");
    await F.close();
    const copies = ['real', 'ours'].map((k) => path.join(dir, `quoted.${k}.db`));
    for (const c of copies) fs.copyFileSync(base, c);
    const world = new World(sites, 'quoted names');
    world.setPeer('F', [await openCopy(engines.real, 'Qr', copies[0], 'ours'),
                        await openCopy(engines.ours, 'Qo', copies[1], 'ours')]);
    // The peer is ours too: the real crsql_as_crr fails on these names even for empty tables.
    const P = await Db.openMemory(engines.ours, 'P');
    sites.add(await P.value('SELECT crsql_site_id()'), 'P');
    world.setPeer('P', [P]);
    for (const sql of kQuotedSchema) await P.rows(sql);
    await P.rows("SELECT crsql_as_crr('Mixed Case')");
    await P.rows("SELECT crsql_as_crr('cols')");
    world.phase = 'writes';
    await world.compareCopies('F', 'after reopen');
    await world.write('F', 'INSERT INTO "Mixed Case" VALUES (2, \'y\')', [], { seqs: [0] });
    await world.write('F', 'UPDATE "Mixed Case" SET v = \'z\' WHERE id = 1', [], { seqs: [0] });
    await world.write('F', 'INSERT INTO cols VALUES (2, \'y\', 2)', [], { seqs: [0, 1] });
    await world.write('F', 'UPDATE cols SET "a b" = \'z\', "c""q" = 5 WHERE id = 1', [],
                      { seqs: [0, 1] });
    await world.write('F', 'DELETE FROM cols WHERE id = 2', [], { seqs: [0] });
    world.phase = 'merges';
    await world.sync('F', 'P');
    await world.exec('P', 'UPDATE cols SET "a b" = \'from p\' WHERE id = 1', [], { dml: true });
    await world.exec('P', 'INSERT INTO "Mixed Case" VALUES (3, \'p\')', [], { dml: true });
    await world.sync('P', 'F');
    await world.compareCopies('F', 'after writes and merges', {
      versions: [kOursVersion, kOursVersion],
    });
    for (const db of world.copies('F')) await db.close();
    assertClean(world);
  } finally {
    await engines.real.dispose();
    await engines.ours.dispose();
  }
}

// The files the two engines authored from the same ops, and all four final files, read with
// plain SQLite (site ids mapped to roles).
async function compareFiles(t) {
  if (!outputs.real || !outputs.ours) {
    t.skip('needs both directions to have completed');
    return;
  }
  const ours = await FileHostEngine.create({ hostPath: cfg.host, soPath: cfg.so });
  const read = async (name, p, sites) => {
    const m = await withPlain(ours, name, p, (db) => captureMetadata(db, sites));
    return { meta: m, header: readHeader(p) };
  };
  try {
    const a = await read('ra', outputs.real.authored, outputs.real.sites);
    const b = await read('oa', outputs.ours.authored, outputs.ours.sites);
    await t.test('authored files: sqlite_master, crsql_* tables, clocks, lookasides, rows', () => {
      assert.deepEqual(a.meta.sqlite_master, b.meta.sqlite_master,
                       'SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name');
      const d = diffStates(a.meta, b.meta, ['real-authored', 'ours-authored'],
                           { ignore: ['crsqlite_version'] });
      assert.equal(d, null, d ?? '');
      assert.deepEqual(a.meta.crsqlite_version, [[{ i: kRealVersion }]]);
      assert.deepEqual(b.meta.crsqlite_version, [[{ i: kOursVersion }]]);
    });
    await t.test('authored files: structural header fields', () => {
      for (const f of kStructuralHeaderFields) {
        assert.equal(a.header[f], b.header[f], `header ${f}`);
      }
      const other = Object.keys(a.header).filter((f) => !kStructuralHeaderFields.includes(f))
          .map((f) => `${f} ${a.header[f]}/${b.header[f]}`);
      t.diagnostic(`other header fields (real/ours): ${other.join(', ')}`);
    });
    const finals = [];
    for (const kind of ['real', 'ours']) {
      for (const [i, p] of outputs[kind].finals.entries()) {
        finals.push({ label: `${kind}-authored final #${i}`,
                      ...(await read(`f${kind}${i}`, p, outputs[kind].sites)) });
      }
    }
    await t.test('all four final files hold the same metadata and rows', () => {
      for (const f of finals.slice(1)) {
        const d = diffStates(finals[0].meta, f.meta, [finals[0].label, f.label]);
        assert.equal(d, null, d ?? '');
      }
    });
  } finally {
    await ours.dispose();
  }
}

if (cfg.ours !== 'host') {
  test('file compatibility (needs our engine through crsqlite-host)', (t) => {
    t.skip('COMPAT_OURS=wasm: nothing to compare the real engine\'s files with');
  });
} else if (cfg.problems.length > 0) {
  test('file compatibility: our engine is available', () => {
    assert.fail(cfg.problems.join('\n'));
  });
} else {
  test('self-check: a one-value difference between two copies of a file is detected',
       { timeout: kTimeoutMs }, selfCheck);
  test('tier 2: both engines give the same verdict on a file\'s crsql_master',
       { timeout: kTimeoutMs }, crsqlMasterGate);
  test('tier 2: CRRs whose names need quoting (created by ours) keep working under the real ' +
       'engine for writes and merges', { timeout: kTimeoutMs }, quotedNames);
  test('tier 2: a file written by the real engine opens and keeps working under ours',
       { timeout: kTimeoutMs }, (t) => direction(t, 'real'));
  test('tier 2: a file written by ours opens and keeps working under the real engine',
       { timeout: kTimeoutMs }, (t) => direction(t, 'ours'));
  test('tier 2: files authored by the two engines from the same ops are identical',
       { timeout: kTimeoutMs }, compareFiles);
}
