// Random workload generator: per seed a schema (CRR tables with integer, text, blob, real,
// untyped, composite and pk-only primary keys, columns of every declared affinity, STRICT and
// WITHOUT ROWID variants) and a list of operations (writes in several transaction shapes,
// pairwise/hub syncs, re-applied batches, reads of crsql_changes and helper functions), ending
// with a full exchange so every fleet must converge.
//
// Invariant: generation depends only on the seed (see rng.mjs); it never looks at engine state,
// so every fleet replays exactly the same operations. Keys come from a small per-table pool, so
// inserts collide, deleted rows get re-inserted and updates/deletes sometimes hit nothing -- the
// resulting errors and no-ops are outcomes to compare, not noise. PK columns are never updated
// (spec §16.1: PK updates do not replicate under delta sync).

import { Rng } from './rng.mjs';
import { blob, int, real, text, toHex } from './values.mjs';

export function quoteId(name) {
  return '"' + name.replace(/"/g, '""') + '"';
}

// ---- value pools -------------------------------------------------------------------------

const kInts = [
  0n, 1n, -1n, 2n, 3n, 42n, 127n, 128n, 255n, 256n, 65535n, 2147483647n, 2147483648n,
  -2147483649n, 4294967296n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n,
  2n ** 63n - 2n, -(2n ** 63n), -(2n ** 63n) + 1n,
];
const kReals = [
  0, -0, 1, 1.5, -2.5, 3.14159, 0.1, 1e300, -1e300, 1e-300, 5e-324, 2 ** 53, 9.223372036854776e18,
  1e15 + 0.5, Infinity, -Infinity, NaN, 7,
];
const kTexts = [
  '', 'a', 'b', 'A', 'héllo', '日本語', '😀', 'a\u0000b', "it's", '"q"', '1', '42', ' 7 ',
  '1.5', '1e3', '-0', '0x10', 'NULL', 'x'.repeat(300), '\u{10FFFF}', '\uFEFF', 'tab\there\nnl',
];
const kInvalidUtf8 = ['ff', 'c0af', 'eda080', '61ff62'];
const kBlobs = ['', '00', '00ff', 'ff', '0102030405', 'deadbeef'];

function randomInt64(rng) {
  const hi = BigInt(rng.u32());
  const lo = BigInt(rng.u32());
  return BigInt.asIntN(64, (hi << 32n) | lo);
}

const gen = {
  integer: (rng) => int(rng.chance(0.85) ? rng.pick(kInts) : randomInt64(rng)),
  real: (rng) => real(rng.chance(0.85) ? rng.pick(kReals)
                                       : (rng.float() - 0.5) * 10 ** rng.range(-5, 20)),
  text: (rng) => {
    if (rng.chance(0.04)) return { sx: rng.pick(kInvalidUtf8) };
    if (rng.chance(0.2)) return text('w' + rng.int(1000));
    return text(rng.pick(kTexts));
  },
  blob: (rng) => blob(rng.chance(0.8) ? rng.pick(kBlobs) : toHex(rng.bytes(rng.pick([1, 16, 70])))),
};

// Any storage class, NULL included.
export function anyValue(rng) {
  return rng.weighted([
    [1, () => null],
    [3, gen.integer],
    [2, gen.real],
    [3, gen.text],
    [2, gen.blob],
  ])(rng);
}

// ---- schema --------------------------------------------------------------------------------

// Column declarations: [declared type, generator of mostly-fitting values for STRICT tables].
const kStrictTypes = [
  ['INTEGER', gen.integer], ['TEXT', gen.text], ['REAL', gen.real], ['BLOB', gen.blob],
  ['ANY', anyValue],
];
const kLooseTypes = ['', 'INTEGER', 'TEXT', 'REAL', 'NUMERIC', 'BLOB', 'VARCHAR(10)', 'ANY'];
const kDefaults = ['NULL', '0', '5', '-1', '1.5', "'x'", "''", "X'00'", '9223372036854775807'];

function keyValueFor(rng, type) {
  // PK values; the small pools make collisions (re-inserts, conflicts) frequent.
  switch (type) {
    case 'INTEGER':
      return int(rng.pick([1n, 2n, 3n, 0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 40n]));
    case 'TEXT':
      return text(rng.pick(['a', 'b', '', 'héllo', '😀', 'a\u0000b', '1', 'K']));
    case 'BLOB':
      return blob(rng.pick(['', '00', '0001', 'ff', 'deadbeef']));
    case 'REAL':
      return rng.chance(0.15) ? int(rng.pick([7n, 2n])) :
          real(rng.pick([0, 1.5, -2.25, 1e300, 3.5, 1e-300]));
    default:  // untyped (no affinity): mixed storage classes, e.g. 1 and '1' are distinct keys
      return rng.pick([int(1), text('1'), real(1.5), blob('01'), text('x'), int(2n ** 62n)]);
  }
}

function makeTable(rng, index) {
  const name = rng.chance(0.2) ? `Tbl${index}` : `t${index}`;
  const kind = rng.weighted([
    [3, 'int'], [2, 'text'], [1, 'blob'], [1, 'real'], [2, 'untyped'], [3, 'composite'],
    [2, 'pkonly'],
  ]);
  const strict = kind !== 'untyped' && rng.chance(0.15);
  const withoutRowid = rng.chance(0.2);
  const columns = [];
  const pkTypes = [];
  if (kind === 'composite' || (kind === 'pkonly' && rng.chance(0.5))) {
    const n = rng.range(2, 3);
    for (let k = 0; k < n; k++) {
      pkTypes.push(rng.pick(strict ? ['INTEGER', 'TEXT', 'BLOB', 'REAL'] :
                                     ['INTEGER', 'TEXT', 'BLOB', 'REAL', '']));
    }
  } else if (kind === 'pkonly') {
    pkTypes.push(rng.pick(['INTEGER', 'TEXT', strict ? 'BLOB' : '']));
  } else {
    pkTypes.push({ int: 'INTEGER', text: 'TEXT', blob: 'BLOB', real: 'REAL', untyped: '' }[kind]);
  }
  const pkCols = pkTypes.map((type, k) => ({ name: pkTypes.length === 1 ? 'id' : `k${k}`, type }));
  const valueCols = [];
  const nValues = kind === 'pkonly' ? 0 : rng.range(1, 4);
  for (let k = 0; k < nValues; k++) {
    let type, valueGen;
    if (strict) {
      [type, valueGen] = rng.pick(kStrictTypes);
    } else {
      type = rng.pick(kLooseTypes);
      valueGen = anyValue;
    }
    const col = { name: rng.chance(0.15) ? `Col${k}` : `c${k}`, type, valueGen, dflt: null,
                  notnull: false };
    if (rng.chance(0.4)) col.dflt = strict ? strictDefault(rng, type) : rng.pick(kDefaults);
    if (col.dflt !== null && col.dflt !== 'NULL' && rng.chance(0.25)) col.notnull = true;
    valueCols.push(col);
  }
  // Column order: PK columns interleaved with value columns; PRIMARY KEY order may differ.
  const all = [...pkCols.map((c) => ({ ...c, pk: true })), ...valueCols];
  const ordered = pkCols.length > 1 || rng.chance(0.3) ? rng.shuffle([...all]) : all;
  const pkOrder = pkCols.length > 1 && rng.chance(0.5) ? rng.shuffle([...pkCols]) : pkCols;
  const defs = ordered.map((c) => {
    let def = quoteId(c.name) + (c.type ? ' ' + c.type : '');
    if (c.pk) return def + ' NOT NULL';
    if (c.notnull) def += ' NOT NULL';
    if (c.dflt !== null) def += ' DEFAULT ' + c.dflt;
    return def;
  });
  defs.push(`PRIMARY KEY (${pkOrder.map((c) => quoteId(c.name)).join(', ')})`);
  const options = [withoutRowid ? 'WITHOUT ROWID' : '', strict ? 'STRICT' : ''].filter(Boolean);
  const createSql = `CREATE TABLE ${quoteId(name)} (${defs.join(', ')})` +
      (options.length ? ' ' + options.join(', ') : '');
  // Key pool: a handful of distinct tuples.
  const keyPool = [];
  const seen = new Set();
  for (let attempt = 0; keyPool.length < rng.range(3, 7) && attempt < 40; attempt++) {
    const tuple = pkCols.map((c) => keyValueFor(rng, c.type));
    const key = JSON.stringify(tuple);
    if (!seen.has(key)) {
      seen.add(key);
      keyPool.push(tuple);
    }
  }
  const extraSql = [];
  if (valueCols.length > 0 && rng.chance(0.25)) {
    extraSql.push(`CREATE INDEX ${quoteId(name + '_idx')} ON ${quoteId(name)} ` +
                  `(${quoteId(rng.pick(valueCols).name)})`);
  }
  return {
    name, kind, strict, withoutRowid, pkCols, pkOrder, valueCols, keyPool, createSql, extraSql,
    backfill: rng.chance(0.3),
  };
}

function strictDefault(rng, type) {
  switch (type) {
    case 'INTEGER': return rng.pick(['0', '5', '-1']);
    case 'TEXT': return rng.pick(["'x'", "''"]);
    case 'REAL': return rng.pick(['1.5', '0.0']);
    case 'BLOB': return "X'00'";
    default: return rng.pick(kDefaults);
  }
}

export function makeSchema(seed) {
  const rng = new Rng(`${seed}/schema`);
  const n = rng.weighted([[2, 1], [3, 2], [1, 3]]);
  const tables = [];
  for (let i = 0; i < n; i++) tables.push(makeTable(rng, i));
  return { tables };
}

export function describeTable(t) {
  const flags = [t.strict && 'strict', t.withoutRowid && 'norowid'].filter(Boolean);
  return `${t.name}(${t.kind}${flags.length ? ',' + flags.join(',') : ''})`;
}

// ---- statements ----------------------------------------------------------------------------

function valueFor(rng, col) {
  // Mostly fitting values, sometimes anything (STRICT tables then report type errors).
  return rng.chance(0.85) ? col.valueGen(rng) : anyValue(rng);
}

function keyWhere(t, key) {
  return {
    sql: t.pkCols.map((c) => `${quoteId(c.name)} = ?`).join(' AND '),
    params: key,
  };
}

function insertStmt(rng, t, verb, rows = 1) {
  const cols = [...t.pkCols, ...rng.subset(t.valueCols, 0.7)];
  const params = [];
  const tuples = [];
  for (let r = 0; r < rows; r++) {
    params.push(...rng.pick(t.keyPool),
                ...cols.slice(t.pkCols.length).map((c) => valueFor(rng, c)));
    tuples.push('(' + cols.map(() => '?').join(', ') + ')');
  }
  return {
    sql: `${verb} INTO ${quoteId(t.name)} (${cols.map((c) => quoteId(c.name)).join(', ')}) ` +
         `VALUES ${tuples.join(', ')}`,
    params, dml: true,
  };
}

function upsertStmt(rng, t) {
  const stmt = insertStmt(rng, t, 'INSERT');
  if (t.valueCols.length === 0 || rng.chance(0.1)) {
    stmt.sql += ' ON CONFLICT DO NOTHING';
    return stmt;
  }
  const sets = [];
  for (const c of rng.subset(t.valueCols, 0.6)) {
    if (rng.chance(0.5)) {
      sets.push(`${quoteId(c.name)} = excluded.${quoteId(c.name)}`);
    } else {
      sets.push(`${quoteId(c.name)} = ?`);
      stmt.params.push(valueFor(rng, c));
    }
  }
  if (sets.length === 0) {
    const c = rng.pick(t.valueCols);
    sets.push(`${quoteId(c.name)} = excluded.${quoteId(c.name)}`);
  }
  const target = t.pkCols.map((c) => quoteId(c.name)).join(', ');
  stmt.sql += ` ON CONFLICT (${target}) DO UPDATE SET ${sets.join(', ')}`;
  return stmt;
}

function updateStmt(rng, t) {
  const cols = rng.subset(t.valueCols, 0.5);
  if (cols.length === 0) cols.push(rng.pick(t.valueCols));
  const params = [];
  const sets = cols.map((c) => {
    if (rng.chance(0.1)) return `${quoteId(c.name)} = ${quoteId(c.name)}`;  // no-op write
    params.push(valueFor(rng, c));
    return `${quoteId(c.name)} = ?`;
  });
  let where = '';
  const r = rng.float();
  if (r < 0.8) {
    const w = keyWhere(t, rng.pick(t.keyPool));
    where = ' WHERE ' + w.sql;
    params.push(...w.params);
  } else if (r < 0.9) {
    const c = rng.pick(t.valueCols);
    where = ` WHERE ${quoteId(c.name)} IS ?`;
    params.push(valueFor(rng, c));
  }
  return { sql: `UPDATE ${quoteId(t.name)} SET ${sets.join(', ')}${where}`, params, dml: true };
}

function deleteStmt(rng, t, key = null) {
  const r = rng.float();
  if (key || r < 0.85) {
    const w = keyWhere(t, key ?? rng.pick(t.keyPool));
    return { sql: `DELETE FROM ${quoteId(t.name)} WHERE ${w.sql}`, params: w.params, dml: true };
  }
  if (r < 0.95 && t.valueCols.length > 0) {
    const c = rng.pick(t.valueCols);
    return { sql: `DELETE FROM ${quoteId(t.name)} WHERE ${quoteId(c.name)} IS ?`,
             params: [valueFor(rng, c)], dml: true };
  }
  return { sql: `DELETE FROM ${quoteId(t.name)}`, params: [], dml: true };
}

function writeStmt(rng, schema) {
  const t = rng.pick(schema.tables);
  const hasValues = t.valueCols.length > 0;
  const kind = rng.weighted([
    [2, 'insert'], [3, 'insert_or_ignore'], [3, 'insert_or_replace'], [1, 'replace'],
    [1, 'multirow'], [hasValues ? 3 : 1, 'upsert'], [hasValues ? 6 : 0, 'update'], [4, 'delete'],
  ]);
  switch (kind) {
    case 'insert': return insertStmt(rng, t, 'INSERT');
    case 'insert_or_ignore': return insertStmt(rng, t, 'INSERT OR IGNORE');
    case 'insert_or_replace': return insertStmt(rng, t, 'INSERT OR REPLACE');
    case 'replace': return insertStmt(rng, t, 'REPLACE');
    case 'multirow':
      return insertStmt(rng, t, rng.pick(['INSERT OR IGNORE', 'INSERT OR REPLACE']),
                        rng.range(2, 3));
    case 'upsert': return upsertStmt(rng, t);
    case 'update': return updateStmt(rng, t);
    default: return deleteStmt(rng, t);
  }
}

// ---- operations ----------------------------------------------------------------------------

const kChangesCols =
    '"table", "pk", "cid", "val", "col_version", "db_version", "site_id", "cl", "seq"';
export const kChangesSelect = `SELECT ${kChangesCols} FROM crsql_changes`;

// A site-id placeholder in params: resolved per fleet to that peer's site id blob.
export function siteOf(peer) {
  return { siteOf: peer };
}

function queryOp(rng, schema, peer, peers) {
  const t = rng.pick(schema.tables);
  const variants = [
    () => ({ sql: `${kChangesSelect} WHERE db_version = ?`, params: [int(rng.range(0, 12))] }),
    () => ({ sql: `${kChangesSelect} WHERE db_version >= ? AND db_version < ?`,
             params: [int(rng.range(0, 6)), int(rng.range(3, 15))] }),
    () => ({ sql: `${kChangesSelect} WHERE site_id = ?`, params: [siteOf(rng.int(peers))] }),
    () => ({ sql: `${kChangesSelect} WHERE site_id IS NOT ? AND db_version > ?`,
             params: [siteOf(rng.int(peers)), int(rng.range(0, 8))] }),
    () => ({ sql: `${kChangesSelect} WHERE "table" = ?`, params: [text(t.name)] }),
    () => {
      const cid = t.valueCols.length && rng.chance(0.7) ? rng.pick(t.valueCols).name : '-1';
      return { sql: `${kChangesSelect} WHERE cid = ?`, params: [text(cid)] };
    },
    () => ({ sql: `${kChangesSelect} WHERE cl > 1 OR seq = 0`, params: [] }),
    () => ({ sql: `${kChangesSelect} WHERE col_version >= ?`, params: [int(rng.range(1, 3))] }),
    () => ({ sql: 'SELECT count(*), max(db_version) FROM crsql_changes', params: [], plain: true }),
    () => ({ sql: 'SELECT crsql_db_version(), crsql_rows_impacted()', params: [], plain: true }),
    () => {
      const vals = Array.from({ length: rng.range(1, 4) }, () => anyValue(rng));
      return { sql: `SELECT crsql_pack_columns(${vals.map(() => '?').join(', ')})`, params: vals,
               plain: true };
    },
    () => {
      const vals = Array.from({ length: rng.range(1, 3) }, () => anyValue(rng));
      return {
        sql: 'SELECT cell, typeof(cell) FROM crsql_unpack_columns(crsql_pack_columns(' +
             vals.map(() => '?').join(', ') + '))',
        params: vals, plain: true,
      };
    },
    () => ({ sql: 'SELECT crsql_next_db_version(), crsql_db_version()', params: [], plain: true }),
  ];
  const q = rng.pick(variants)();
  return { kind: 'query', peer, sql: q.sql, params: q.params, changesQuery: !q.plain };
}

function writeOp(rng, schema, peer) {
  const shape = rng.weighted([
    [12, 'auto'], [3, 'txn'], [1, 'rollback'], [2, 'oneexec'], [1, 'savepoint'], [2, 'reinsert'],
  ]);
  const n = rng.range(2, 4);
  const stmts = [];
  switch (shape) {
    case 'auto':
      stmts.push(writeStmt(rng, schema));
      break;
    case 'txn':
    case 'rollback':
      stmts.push({ sql: 'BEGIN', params: [] });
      for (let k = 0; k < n; k++) stmts.push(writeStmt(rng, schema));
      stmts.push({ sql: shape === 'txn' ? 'COMMIT' : 'ROLLBACK', params: [] });
      break;
    case 'oneexec': {
      const parts = [];
      for (let k = 0; k < n; k++) parts.push(writeStmt(rng, schema));
      stmts.push({
        sql: ['BEGIN', ...parts.map((p) => p.sql), 'COMMIT'].join('; '),
        params: parts.flatMap((p) => p.params),
      });
      break;
    }
    case 'savepoint':
      stmts.push({ sql: 'BEGIN', params: [] }, writeStmt(rng, schema),
                 { sql: 'SAVEPOINT sp', params: [] }, writeStmt(rng, schema),
                 { sql: 'ROLLBACK TO sp', params: [] }, writeStmt(rng, schema),
                 { sql: 'RELEASE sp', params: [] }, { sql: 'COMMIT', params: [] });
      break;
    default: {  // delete a row, then insert it again (same or next transaction)
      const t = rng.pick(schema.tables);
      const key = rng.pick(t.keyPool);
      const del = deleteStmt(rng, t, key);
      const ins = insertStmt(rng, t, rng.pick(['INSERT', 'INSERT OR REPLACE']));
      ins.params.splice(0, t.pkCols.length, ...key);
      const inTxn = rng.chance(0.5);
      if (inTxn) stmts.push({ sql: 'BEGIN', params: [] });
      stmts.push(del, ins);
      if (inTxn) stmts.push({ sql: 'COMMIT', params: [] });
    }
  }
  return { kind: 'write', peer, shape, stmts };
}

function syncPair(rng, topology, peers) {
  if (topology === 'hub') {
    const spoke = rng.range(1, peers - 1);
    return rng.chance(0.5) ? [spoke, 0] : [0, spoke];
  }
  const from = rng.int(peers);
  let to = rng.int(peers - 1);
  if (to >= from) to++;
  return [from, to];
}

function syncOp(rng, topology, peers) {
  const [from, to] = syncPair(rng, topology, peers);
  let flavour;
  if (topology === 'hub') {
    // ws-server / ws-browserdb: pull with NULL instead of site_id, apply as the sender (ws);
    // sometimes apply the NULL as-is (merge path "NULL site id => local").
    flavour = rng.weighted([[4, 'ws'], [2, 'null'], [1, 'direct']]);
  } else {
    flavour = rng.weighted([[6, 'direct'], [1, 'ws'], [1, 'null']]);
  }
  return {
    kind: 'sync', from, to, flavour,
    order: rng.weighted([[5, 'asc'], [3, 'shuffle'], [1, 'reverse']]),
    dup: rng.weighted([[6, 'none'], [2, 'batch'], [2, 'some']]),
    apply: rng.weighted([[5, 'rows'], [1, 'multirow']]),
    resetCursor: rng.chance(0.08),
  };
}

// Full exchange: two rounds so every peer ends with everything (mesh: all ordered pairs;
// hub: spokes -> hub, then hub -> spokes). Cursors restart at 0.
function finalExchange(topology, peers) {
  const ops = [];
  for (let round = 0; round < 2; round++) {
    const pairs = [];
    if (topology === 'hub') {
      for (let s = 1; s < peers; s++) pairs.push([s, 0]);
      for (let s = 1; s < peers; s++) pairs.push([0, s]);
    } else {
      for (let to = 0; to < peers; to++) {
        for (let from = 0; from < peers; from++) if (from !== to) pairs.push([from, to]);
      }
    }
    for (const [from, to] of pairs) {
      ops.push({ kind: 'sync', from, to, flavour: topology === 'hub' ? 'ws' : 'direct',
                 order: 'asc', dup: 'none', apply: 'rows', resetCursor: true, final: true });
    }
  }
  return ops;
}

// The whole workload of one seed.
export function makeWorkload(seed, { ops: nOps, forgeInvalid = false }) {
  const schema = makeSchema(seed);
  const rng = new Rng(`${seed}/shape`);
  const peers = rng.range(2, 4);
  const topology = peers >= 3 && rng.chance(0.5) ? 'hub' : 'mesh';
  const ops = [];
  for (let k = 0; k < nOps; k++) {
    const orng = new Rng(`${seed}/op/${k}`);
    const kind = orng.weighted([[60, 'write'], [24, 'sync'], [5, 'reapply'], [3, 'forge'],
                                [10, 'query']]);
    if (kind === 'write') {
      ops.push(writeOp(orng, schema, orng.int(peers)));
    } else if (kind === 'sync') {
      ops.push(syncOp(orng, topology, peers));
    } else if (kind === 'forge') {
      const [from, to] = syncPair(orng, topology, peers);
      ops.push({ kind: 'forge', from, to });
    } else if (kind === 'reapply') {
      const [from, to] = syncPair(orng, topology, peers);
      ops.push({ kind: 'reapply', from, to, order: orng.pick(['asc', 'shuffle']) });
    } else {
      ops.push(queryOp(orng, schema, orng.int(peers), peers));
    }
  }
  ops.push(...finalExchange(topology, peers));
  // Engines of the mixed fleet: at least one real and one ours.
  const mrng = new Rng(`${seed}/mixed`);
  let mixed;
  do {
    mixed = Array.from({ length: peers }, () => (mrng.chance(0.5) ? 'real' : 'ours'));
  } while (!(mixed.includes('real') && mixed.includes('ours')));
  return { seed, schema, peers, topology, ops, mixed, forgeInvalid };
}

// The per-table setup every peer runs (backfill rows only on peer 0, before crsql_as_crr).
export function setupStatements(schema, peer, seed) {
  const rng = new Rng(`${seed}/setup/${peer}`);
  const stmts = [];
  for (const t of schema.tables) {
    stmts.push({ sql: t.createSql, params: [] });
    for (const sql of t.extraSql) stmts.push({ sql, params: [] });
    if (t.backfill && peer === 0) {
      for (let k = 0; k < 2; k++) stmts.push(insertStmt(rng, t, 'INSERT OR IGNORE'));
    }
    stmts.push({ sql: 'SELECT crsql_as_crr(?)', params: [text(t.name)] });
  }
  return stmts;
}

export function describeOp(op) {
  switch (op.kind) {
    case 'write':
      return `write p${op.peer} [${op.shape}] ` +
             op.stmts.map((s) => (s.sql.length > 90 ? s.sql.slice(0, 87) + '...' : s.sql))
                 .join(' | ');
    case 'sync':
      return `sync p${op.from} -> p${op.to} (${op.flavour}, ${op.order}, dup=${op.dup}, ` +
             `${op.apply}${op.resetCursor ? ', from 0' : ''}${op.final ? ', final exchange' : ''})`;
    case 'reapply':
      return `re-apply last batch p${op.from} -> p${op.to} (${op.order})`;
    case 'forge':
      return `forged changes p${op.from} -> p${op.to} (mutated copies of p${op.from}'s changes)`;
    case 'query':
      return `query p${op.peer}: ${op.sql}`;
    default:
      return JSON.stringify(op);
  }
}
