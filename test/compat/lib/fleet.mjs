// A fleet: N peers (each an in-memory database on a real or an ours engine) that replays a
// workload. Every SQL call is recorded as a "step" whose result is normalized for comparison
// across fleets: site-id blobs are replaced by the owning peer's name ({site: "p1"}), rows of
// crsql_changes reads are sorted inside groups of equal (db_version, seq) (their order is
// undefined) and checked to be ascending, and sqlite3_changes() is kept only for DML statements
// (after other statements it leaks whatever internal statement the extension ran last).
//
// Invariant: a fleet's behaviour depends only on the workload and the engines' answers, never on
// another fleet -- except in drop mode, where the reference fleet tells the target fleet which
// change to drop (see applyBatch_).

import { EngineCrash, EngineError, HarnessError } from './engine_error.mjs';
import { Rng } from './rng.mjs';
import { int, isValue } from './values.mjs';
import { anyValue, kChangesSelect, quoteId, setupStatements } from './workload.mjs';

const kPull = {
  direct: 'SELECT "table","pk","cid","val","col_version","db_version","site_id","cl","seq" ' +
          'FROM crsql_changes WHERE db_version > ? AND site_id IS NOT ?',
  nulled: 'SELECT "table","pk","cid","val","col_version","db_version",NULL,"cl","seq" ' +
          'FROM crsql_changes WHERE db_version > ? AND site_id IS NOT ?',
};
const kApply = 'INSERT INTO crsql_changes VALUES (?,?,?,?,?,?,?,?,?)';
const kMultiRowChunk = 40;
// Site id of the phantom author of forged changes (UUID v4 layout like real site ids).
const kForgerSite = { b: 'f0f0f0f0f0f04f0f8f0f0f0f0f0f0f0f' };
const kTrackPeer =
    'INSERT INTO crsql_tracked_peers (site_id, event, version, seq, tag) VALUES (?, 0, ?, 0, 0) ' +
    'ON CONFLICT (site_id, tag, event) DO UPDATE SET version = MAX(version, excluded.version), ' +
    'seq = CASE version > excluded.version WHEN 1 THEN seq ELSE excluded.seq END';

function num(v) {
  return v && 'i' in v ? BigInt(v.i) : null;
}

// Sorts rows of a crsql_changes read inside runs of equal (db_version, seq); reports whether the
// engine returned them in ascending (db_version, seq) order. dbvCol/seqCol: column indexes.
function canonicalizeTies(rows, dbvCol, seqCol) {
  let ascending = true;
  for (let i = 1; i < rows.length; i++) {
    const a = [num(rows[i - 1][dbvCol]), num(rows[i - 1][seqCol])];
    const b = [num(rows[i][dbvCol]), num(rows[i][seqCol])];
    if (a[0] === null || b[0] === null || a[1] === null || b[1] === null) continue;
    if (b[0] < a[0] || (b[0] === a[0] && b[1] < a[1])) ascending = false;
  }
  const order = rows.map((row, i) => ({ row, i, key: JSON.stringify(row) }));
  if (ascending) {
    order.sort((x, y) => {
      const dx = num(x.row[dbvCol]), dy = num(y.row[dbvCol]);
      if (dx !== dy) return dx < dy ? -1 : 1;
      const sx = num(x.row[seqCol]), sy = num(y.row[seqCol]);
      if (sx !== sy) return sx < sy ? -1 : 1;
      return x.key < y.key ? -1 : x.key > y.key ? 1 : 0;
    });
  }
  return { permutation: order.map((o) => o.i), ascending };
}

export function sortRows(rows) {
  return rows.map((r) => [JSON.stringify(r), r])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, r]) => r);
}

export class Fleet {
  // name: label; engines: one engine per peer (RealEngine/HostEngine instances, may repeat).
  constructor(name, engines, workload) {
    this.name = name;
    this.workload = workload;
    this.peers = engines.map((engine, i) => ({
      name: `p${i}`, engine, db: `${name}.p${i}`, site: null, siteHex: null, open: false,
    }));
    this.cursors = new Map();
    this.lastBatch = new Map();
    this.siteNames = new Map([[kForgerSite.b, 'forger']]);
    this.crash = null;
  }

  // ---- steps ----

  mapValue_(v) {
    if (v && 'b' in v && this.siteNames.has(v.b)) return { site: this.siteNames.get(v.b) };
    return v;
  }

  resolveParam_(v) {
    if (v && typeof v === 'object' && 'siteOf' in v) return this.peers[v.siteOf].site;
    return v;
  }

  // Runs one exec on a peer and returns the recorded step. Never throws for engine outcomes.
  async step(peerIdx, sql, params = [], { dml = false, changesQuery = false, label = '' } = {}) {
    const peer = this.peers[peerIdx];
    const bound = params.map((v) => this.resolveParam_(v));
    for (const v of bound) {
      if (!isValue(v)) throw new HarnessError(`bad param ${JSON.stringify(v)} for ${sql}`);
    }
    const step = { peer: peer.name, sql, params: bound.map((v) => this.mapValue_(v)), label };
    if (this.crash) {
      step.result = { crash: this.crash };
      return step;
    }
    let raw;
    try {
      raw = await peer.engine.exec(peer.db, sql, bound);
    } catch (e) {
      if (e instanceof EngineError) {
        step.result = { ok: false, error: e.message, code: e.code, autocommit: e.autocommit };
        return step;
      }
      if (e instanceof EngineCrash) {
        this.crash = `${peer.name}: ${e.message}`;
        step.result = { crash: this.crash };
        return step;
      }
      throw e;
    }
    const rows = raw.rows.map((row) => row.map((v) => this.mapValue_(v)));
    step.rawRows = raw.rows;
    const result = { ok: true, columns: raw.columns, rows, autocommit: raw.autocommit };
    if (dml) result.changes = raw.changes;
    if (changesQuery) {
      const dbvCol = raw.columns.indexOf('db_version');
      const seqCol = raw.columns.indexOf('seq');
      const { permutation, ascending } = canonicalizeTies(rows, dbvCol, seqCol);
      result.rows = permutation.map((i) => rows[i]);
      step.rawRows = permutation.map((i) => raw.rows[i]);
      if (!ascending) result.order = 'NOT ascending by (db_version, seq)';
    }
    step.result = result;
    return step;
  }

  // ---- setup / teardown ----

  async setup() {
    const steps = [];
    for (const [i, peer] of this.peers.entries()) {
      try {
        await peer.engine.open(peer.db);
        peer.open = true;
      } catch (e) {
        if (!(e instanceof EngineError || e instanceof EngineCrash)) throw e;
        this.crash = `${peer.name}: open failed: ${e.message}`;
        steps.push({ peer: peer.name, sql: '<open>', params: [], result: { crash: this.crash } });
        return steps;
      }
      const s = await this.step(i, 'SELECT crsql_site_id()');
      if (s.result.ok) {
        peer.site = s.result.rows[0][0];
        peer.siteHex = peer.site?.b ?? null;
        if (peer.siteHex === null || this.siteNames.has(peer.siteHex)) {
          // Every peer needs its own site id, or changes could not be attributed.
          s.result = {
            ok: false, code: 'harness', autocommit: true,
            error: `site id ${JSON.stringify(peer.site)} is not a fresh 16-byte blob ` +
                   `(duplicate of ${this.siteNames.get(peer.siteHex) ?? 'nothing'})`,
          };
        } else {
          this.siteNames.set(peer.siteHex, peer.name);
          s.result.rows = [[this.mapValue_(peer.site)]];
        }
      }
      steps.push(s);
    }
    for (const [i] of this.peers.entries()) {
      for (const st of setupStatements(this.workload.schema, i, this.workload.seed)) {
        steps.push(await this.step(i, st.sql, st.params, { dml: st.dml }));
      }
    }
    return steps;
  }

  async teardown() {
    const steps = [];
    for (const peer of this.peers) {
      if (!peer.open) continue;
      peer.open = false;
      const step = { peer: peer.name, sql: '<close: crsql_finalize + close>', params: [] };
      if (this.crash) {
        step.result = { crash: this.crash };
      } else {
        try {
          await peer.engine.close(peer.db);
          step.result = { ok: true };
        } catch (e) {
          if (e instanceof EngineError) step.result = { ok: false, error: e.message, code: e.code };
          else if (e instanceof EngineCrash) step.result = { crash: (this.crash = e.message) };
          else throw e;
        }
      }
      steps.push(step);
    }
    return steps;
  }

  // ---- operations ----

  async runOp(op, opIndex, ctx) {
    switch (op.kind) {
      case 'write': return this.runWrite_(op);
      case 'query':
        return [await this.step(op.peer, op.sql, op.params, { changesQuery: op.changesQuery })];
      case 'sync': return this.runSync_(op, opIndex, ctx);
      case 'reapply': return this.runReapply_(op, opIndex);
      case 'forge': return this.runForge_(op, opIndex);
      default: throw new HarnessError(`unknown op ${op.kind}`);
    }
  }

  // Peers an op changed (they get snapshotted and compared after it).
  touched(op) {
    if (op.kind === 'sync' || op.kind === 'reapply' || op.kind === 'forge') return [op.to];
    return [op.peer];
  }

  async runWrite_(op) {
    const steps = [];
    for (const st of op.stmts) {
      steps.push(await this.step(op.peer, st.sql, st.params, { dml: st.dml }));
    }
    await this.closeOpenTxn_(op.peer, steps);
    return steps;
  }

  // A failed statement inside a one-exec transaction leaves the transaction open: roll back.
  async closeOpenTxn_(peerIdx, steps) {
    const last = steps[steps.length - 1];
    if (last?.result && last.result.autocommit === false) {
      steps.push(await this.step(peerIdx, 'ROLLBACK', [], { label: 'cleanup' }));
    }
  }

  async runSync_(op, opIndex, ctx) {
    const steps = [];
    const pairKey = `${op.from}>${op.to}`;
    const cursor = op.resetCursor ? 0n : (this.cursors.get(pairKey) ?? 0n);
    const pull = await this.step(op.from, op.flavour === 'direct' ? kPull.direct : kPull.nulled,
                                 [int(cursor), this.peers[op.to].site],
                                 { changesQuery: true, label: 'pull' });
    steps.push(pull);
    if (!pull.result.ok || pull.rawRows.length === 0) return steps;
    const pulled = pull.rawRows;
    const sender = this.peers[op.from].site;
    let batch = pulled.map((row) => {
      const r = [...row];
      if (op.flavour === 'ws') r[6] = sender;
      else if (op.flavour === 'null') r[6] = null;
      return r;
    });
    const rng = new Rng(`${this.workload.seed}/op/${opIndex}/batch`);
    batch = arrange(batch, op.order, op.dup, rng);
    // ws-server also records the sender's cursor in crsql_tracked_peers, in the same transaction.
    const track = op.flavour === 'ws' ? [sender, pulled[pulled.length - 1][5]] : null;
    const ok = await this.applyBatch_(op, opIndex, batch, steps, ctx, track);
    if (ok) {
      // ws-server style cursor: db_version of the last pulled row (rows are ascending).
      this.cursors.set(pairKey, BigInt(pulled[pulled.length - 1][5].i));
      this.lastBatch.set(pairKey, batch);
    }
    return steps;
  }

  async runReapply_(op, opIndex) {
    const batch = this.lastBatch.get(`${op.from}>${op.to}`);
    if (!batch) return [];
    const rng = new Rng(`${this.workload.seed}/op/${opIndex}/batch`);
    const steps = [];
    await this.applyBatch_(op, opIndex, arrange(batch, op.order, 'none', rng), steps, null);
    return steps;
  }

  // Legitimate but unusual changes: copies of some of the sender's changes with a different
  // value at the same col_version (exercises the value tie-break across storage classes), a
  // higher col_version, a delete of the row, or a far-future db_version. They are authored by a
  // phantom peer ("forger"), so the echo filter site_id IS NOT <sender> does not hide the
  // winners from their source during the exchange. Never malformed input (bad pk blobs,
  // cl <= 0, unknown columns).
  async runForge_(op, opIndex) {
    const steps = [];
    const pull = await this.step(op.from, kPull.direct, [int(0), this.peers[op.to].site],
                                 { changesQuery: true, label: 'pull' });
    steps.push(pull);
    if (!pull.result.ok || pull.rawRows.length === 0) return steps;
    const rng = new Rng(`${this.workload.seed}/op/${opIndex}/forge`);
    const batch = [];
    for (let n = rng.range(1, 3); n > 0; n--) {
      const change = [...rng.pick(pull.rawRows)];
      const isCell = change[2].s !== '-1';
      // Cell changes never get a new cl: a cell with a cl its author never had breaks
      // convergence even among real peers (an even one deletes the row while recording an
      // alive sentinel, spec §10.2; an odd one starts a life whose other cells nobody has).
      // For the same reason a sentinel only ever becomes a delete.
      const mutation = rng.weighted([[isCell ? 4 : 0, 'value'], [isCell ? 0 : 0, 'col_version'],
                                     [isCell ? 0 : 0, 'cl'], [0, 'db_version']]);
      change[6] = kForgerSite;
      if (mutation === 'value') {
        change[3] = this.forgedValue_(rng, change);
      } else if (mutation === 'col_version') {
        change[4] = int(BigInt(change[4].i) + BigInt(rng.range(1, 3)));
        change[3] = this.forgedValue_(rng, change);
      } else if (mutation === 'cl') {
        // Sentinel: the next cl. When that is even it is a plain delete by the phantom peer; an
        // odd one (a later life) stays as it is, since a life nobody wrote cells for does not
        // converge through the hub even among real peers.
        if (BigInt(change[7].i) % 2n === 1n) change[7] = int(BigInt(change[7].i) + 1n);
        change[4] = change[7];
      } else {
        change[5] = int(2n ** 40n + BigInt(rng.int(1000)));
      }
      batch.push(change);
    }
    await this.applyBatch_({ ...op, apply: 'rows' }, opIndex, batch, steps, null);
    return steps;
  }

  // A value the column accepts (declared STRICT type, NOT NULL), unless the workload asks for
  // invalid ones: a merge that violates a constraint leaves the real engine's sync bit set, so
  // later local writes on that connection go untracked and even all-real fleets stop converging.
  forgedValue_(rng, change) {
    if (this.workload.forgeInvalid) return anyValue(rng);
    const table = this.workload.schema.tables.find((t) => t.name === change[0].s);
    const col = table?.valueCols.find((c) => c.name === change[2].s);
    if (!col) return anyValue(rng);
    let v = table.strict ? col.valueGen(rng) : anyValue(rng);
    while (v === null && col.notnull) v = table.strict ? col.valueGen(rng) : anyValue(rng);
    return v;
  }

  // Applies a batch in one transaction (ws-server style: any error rolls the batch back).
  // Drop mode (ctx.drop armed): every fleet queries crsql_rows_impacted() after each change so
  // the reference fleet can name the first change that won; the target fleet then sends that
  // change with cl = 0, which the merge silently ignores -- a simulated lost change.
  async applyBatch_(op, opIndex, batch, steps, ctx, track = null) {
    const drop = ctx?.drop && ctx.drop.state === 'armed' && op.kind === 'sync' ? ctx.drop : null;
    const to = op.to;
    const begin = await this.step(to, 'BEGIN', [], { label: 'apply' });
    steps.push(begin);
    if (!begin.result.ok) return false;
    let failed = false;
    if (op.apply === 'multirow' && !drop) {
      for (let i = 0; i < batch.length && !failed; i += kMultiRowChunk) {
        const chunk = batch.slice(i, i + kMultiRowChunk);
        const sql = 'INSERT INTO crsql_changes VALUES ' +
                    chunk.map(() => '(?,?,?,?,?,?,?,?,?)').join(', ');
        const s = await this.step(to, sql, chunk.flat(), { dml: true, label: 'apply' });
        steps.push(s);
        failed = !s.result.ok;
      }
    } else {
      let impacted = 0n;
      for (let i = 0; i < batch.length && !failed; i++) {
        let change = batch[i];
        if (drop && drop.target === this.name && drop.index === i && drop.op === opIndex) {
          change = [...change];
          change[7] = int(0);
          drop.dropped = { fleet: this.name, opIndex,
                           change: change.map((v) => this.mapValue_(v)) };
        }
        const s = await this.step(to, kApply, change, { dml: true, label: 'apply' });
        steps.push(s);
        failed = !s.result.ok;
        if (drop && !failed) {
          const probe = await this.step(to, 'SELECT crsql_rows_impacted()', [], { label: 'probe' });
          steps.push(probe);
          const now = probe.result.ok ? BigInt(probe.result.rows[0][0].i) : impacted;
          if (this.name === drop.reference && drop.op === null && now > impacted) {
            drop.op = opIndex;
            drop.index = i;
          }
          impacted = now;
        }
      }
    }
    if (failed) {
      steps.push(await this.step(to, 'ROLLBACK', [], { label: 'apply' }));
      return false;
    }
    if (track) {
      const s = await this.step(to, kTrackPeer, track, { dml: true, label: 'apply' });
      steps.push(s);
      if (!s.result.ok) {
        steps.push(await this.step(to, 'ROLLBACK', [], { label: 'apply' }));
        return false;
      }
    }
    steps.push(await this.step(to, 'SELECT crsql_rows_impacted()', [], { label: 'apply' }));
    const commit = await this.step(to, 'COMMIT', [], { label: 'apply' });
    steps.push(commit);
    if (!commit.result.ok) await this.closeOpenTxn_(to, steps);
    return commit.result.ok === true;
  }

  // ---- observation ----

  // State of one peer: committed db version, all of crsql_changes, every table's rows.
  async snapshot(peerIdx) {
    const snap = {};
    const dbv = await this.step(peerIdx, 'SELECT crsql_db_version()');
    snap.db_version = dbv.result.ok ? dbv.result.rows : dbv.result;
    const ch = await this.step(peerIdx, kChangesSelect, [], { changesQuery: true });
    snap.crsql_changes = ch.result.ok ? sortRows(ch.result.rows) : ch.result;
    if (ch.result.order) snap.crsql_changes_order = ch.result.order;
    snap.tables = await this.tableContents(peerIdx);
    return snap;
  }

  async tableContents(peerIdx) {
    const out = {};
    for (const t of this.workload.schema.tables) {
      const s = await this.step(peerIdx, `SELECT * FROM ${quoteId(t.name)}`);
      out[t.name] = s.result.ok ? sortRows(s.result.rows) : s.result;
    }
    return out;
  }

  // Database-file level metadata (spec §18 tier 2), site ids mapped to peer names.
  async metadata(peerIdx) {
    const queries = {
      sqlite_master:
          "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
      crsql_site_id: 'SELECT ordinal, site_id FROM crsql_site_id',
      // crsqlite_version differs by design (wasm 0.16.0 writes 150000, 0.16.3 writes 160300).
      crsql_master: "SELECT key, value FROM crsql_master WHERE key != 'crsqlite_version'",
      crsql_tracked_peers: 'SELECT * FROM crsql_tracked_peers',
    };
    for (const t of this.workload.schema.tables) {
      queries[`${t.name}__crsql_clock`] = `SELECT * FROM ${quoteId(t.name + '__crsql_clock')}`;
      queries[`${t.name}__crsql_pks`] = `SELECT * FROM ${quoteId(t.name + '__crsql_pks')}`;
    }
    const out = {};
    for (const [name, sql] of Object.entries(queries)) {
      const s = await this.step(peerIdx, sql);
      out[name] = s.result.ok ? sortRows(s.result.rows) : s.result;
    }
    return out;
  }
}

// Orders a batch as requested and optionally duplicates it or some of its changes.
export function arrange(batch, order, dup, rng) {
  let out = [...batch];
  if (order === 'shuffle') rng.shuffle(out);
  else if (order === 'reverse') out.reverse();
  if (dup === 'batch') {
    out = out.concat(rng.shuffle([...batch]));
  } else if (dup === 'some') {
    const extra = batch.filter(() => rng.chance(0.3));
    for (const change of extra) out.splice(rng.int(out.length + 1), 0, change);
  }
  return out;
}

