// Runs one seed's workload on several fleets in lockstep and compares them.
//
// Fleets: "real" (every peer on the real wasm engine; the reference), "ours" (every peer on our
// engine) and "mixed" (peers alternate engines as the workload says). For every operation, each
// fleet executes it in that order; then each non-reference fleet's steps (statement results,
// errors, autocommit state) and the snapshots of the peers the op touched (crsql_db_version(),
// the whole crsql_changes, table contents) must equal the reference's. After the final full
// exchange every fleet must have converged (identical tables on all peers), and the metadata
// tables (tier 2) are compared too. Only the first divergence of each fleet is kept (later ones
// are usually consequences); fleets keep running after it so convergence is still judged.

import { Fleet } from './fleet.mjs';
import { formatRow, formatValue } from './values.mjs';
import { describeOp, describeTable, makeWorkload } from './workload.mjs';

// makeEngine(kind) -> engine; engines are created per fleet and disposed at the end.
export async function runSeed(seed, {
  ops, fleets, makeEngine, drop = null, forgeInvalid = false,
}) {
  const started = Date.now();
  const workload = makeWorkload(seed, { ops, forgeInvalid });
  const report = {
    seed, workload, fleets: {}, drop: null, durationMs: 0,
    summary: `${workload.peers} peers ${workload.topology}, ` +
             `${workload.schema.tables.map(describeTable).join(' ')}, ${workload.ops.length} ops`,
  };
  const engines = [];
  const built = [];
  try {
    for (const spec of fleets) {
      const kinds = spec.kinds === 'mixed' ? workload.mixed :
          Array.from({ length: workload.peers }, () => spec.kinds);
      const byKind = new Map();
      for (const kind of new Set(kinds)) {
        const engine = await makeEngine(kind);
        engines.push(engine);
        byKind.set(kind, engine);
      }
      const fleet = new Fleet(spec.name, kinds.map((k) => byKind.get(k)), workload);
      built.push(fleet);
      report.fleets[spec.name] = {
        kinds: kinds.join(','), firstDiff: null, firstStateDiff: null, diffCount: 0,
        converged: null, convergenceDiff: null, metadataDiff: null, crash: null,
      };
    }
    const [ref, ...others] = built;
    const ctx = { drop: drop ? { ...drop, reference: ref.name, state: 'armed', op: null,
                                 index: null, dropped: null } : null };

    const compareSteps = (opIndex, opDesc, results) => {
      for (const f of others) {
        const r = report.fleets[f.name];
        const diff = diffSteps(results.get(ref.name), results.get(f.name), [ref.name, f.name]);
        if (diff) {
          r.diffCount++;
          if (!r.firstDiff) r.firstDiff = { opIndex, op: opDesc, ...diff };
          if (!r.firstStateDiff) {
            const stateDiff = diffSteps(results.get(ref.name).filter((s) => s.sql === '<snapshot>'),
                                        results.get(f.name).filter((s) => s.sql === '<snapshot>'),
                                        [ref.name, f.name]);
            if (stateDiff) r.firstStateDiff = { opIndex, op: opDesc, ...stateDiff };
          }
        }
      }
    };

    // Setup (open, site id, schema, backfill, crsql_as_crr).
    const setup = new Map();
    for (const f of built) setup.set(f.name, await f.setup());
    compareSteps(-1, 'setup (open, schema, crsql_as_crr)', setup);

    for (const [k, op] of workload.ops.entries()) {
      const results = new Map();
      for (const f of built) {
        const steps = await f.runOp(op, k, ctx);
        for (const p of f.touched(op)) {
          const snap = await f.snapshot(p);
          steps.push({ peer: f.peers[p].name, sql: '<snapshot>', params: [], result: snap });
        }
        results.set(f.name, steps);
      }
      compareSteps(k, describeOp(op), results);
      if (ctx.drop && ctx.drop.state === 'armed' && ctx.drop.op !== null) {
        ctx.drop.state = 'fired';
      }
    }
    if (ctx.drop) {
      report.drop = { op: ctx.drop.op, index: ctx.drop.index, dropped: ctx.drop.dropped };
    }

    // Convergence: all peers of a fleet hold identical tables.
    const finalTables = new Map();
    for (const f of built) {
      const r = report.fleets[f.name];
      const contents = [];
      for (let p = 0; p < f.peers.length; p++) contents.push(await f.tableContents(p));
      finalTables.set(f.name, contents);
      r.crash = f.crash;
      r.converged = !f.crash;
      if (f.crash) r.convergenceDiff = { where: 'crash', real: '', ours: `CRASH ${f.crash}` };
      for (let p = 1; p < contents.length && r.converged; p++) {
        const d = diffValues(contents[0], contents[p], 'tables',
                             [f.peers[0].name, f.peers[p].name]);
        if (d) {
          r.converged = false;
          r.convergenceDiff = { peers: [f.peers[0].name, f.peers[p].name], ...d };
        }
      }
      if (r.converged && f !== ref) {
        const d = diffValues(finalTables.get(ref.name)[0], contents[0], 'tables',
                             [ref.name, f.name]);
        if (d) r.convergenceDiff = { vsReference: true, ...d };
      }
    }
    // Tier 2: metadata tables.
    const meta = new Map();
    for (const f of built) {
      const m = [];
      for (let p = 0; p < f.peers.length; p++) m.push(await f.metadata(p));
      meta.set(f.name, m);
    }
    for (const f of others) {
      for (let p = 0; p < f.peers.length; p++) {
        const d = diffValues(meta.get(ref.name)[p], meta.get(f.name)[p], 'metadata',
                             [ref.name, f.name]);
        if (d) {
          report.fleets[f.name].metadataDiff = { peer: f.peers[p].name, ...d };
          break;
        }
      }
    }
    // Close (crsql_finalize + close) is an outcome too.
    const closing = new Map();
    for (const f of built) closing.set(f.name, await f.teardown());
    compareSteps(workload.ops.length, 'close', closing);
  } finally {
    for (const f of built) {
      try {
        await f.teardown();
      } catch {
        // already reported or irrelevant during cleanup
      }
    }
    for (const e of engines) await e.dispose();
  }
  report.durationMs = Date.now() - started;
  return report;
}

// ---- diffs -------------------------------------------------------------------------------

function stableJson(v) {
  return JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? x.toString() : x));
}

// docs/crdt.md #16, deliberate: a constraint violation while merging (NOT NULL, CHECK, STRICT
// type) fails with SQLite's own message where cr-sqlite 0.16 gives the bare "constraint failed";
// same error code and transaction state. Anything else must match exactly.
function knownDeviation(ref, ours) {
  return ref?.ok === false && ours?.ok === false && ref.error === 'constraint failed' &&
         ref.code === ours.code && ref.autocommit === ours.autocommit &&
         /constraint failed: |^cannot store .+ value in .+ column /.test(ours.error);
}

// First difference between two step lists, or null.
export function diffSteps(refSteps, steps, labels = ['real', 'ours']) {
  const n = Math.max(refSteps.length, steps.length);
  for (let i = 0; i < n; i++) {
    const a = refSteps[i];
    const b = steps[i];
    if (!a || !b || a.sql !== b.sql || a.peer !== b.peer) {
      return { stepIndex: i, kind: 'step sequence', real: describeStep(a), ours: describeStep(b) };
    }
    if (stableJson(a.result) !== stableJson(b.result) && !knownDeviation(a.result, b.result)) {
      const d = a.sql === '<snapshot>' ? diffValues(a.result, b.result, 'snapshot', labels) : null;
      return {
        stepIndex: i, kind: a.sql === '<snapshot>' ? 'snapshot' : 'result', peer: a.peer,
        sql: a.sql, params: a.params.map(formatValue).join(', '),
        real: d ? d.real : formatResult(a.result), ours: d ? d.ours : formatResult(b.result),
        where: d?.where,
      };
    }
  }
  return null;
}

function describeStep(s) {
  if (!s) return '<missing>';
  const params = s.params.map(formatValue).join(', ');
  return `${s.peer}: ${s.sql} [${params}] -> ${formatResult(s.result)}`;
}

export function formatResult(r) {
  if (r === undefined) return '<none>';
  if (r.crash) return `CRASH ${r.crash}`;
  if (r.ok === false) return `ERROR code=${r.code} "${r.error}" autocommit=${r.autocommit}`;
  if (r.ok === true && r.rows === undefined) return 'ok';
  if (r.ok === true) {
    const parts = [];
    if (r.rows?.length) {
      const shown = r.rows.slice(0, 12).map(formatRow);
      if (r.rows.length > 12) shown.push(`... (${r.rows.length} rows)`);
      parts.push('rows ' + shown.join(' '));
    } else {
      parts.push('no rows');
    }
    if (r.changes !== undefined) parts.push(`changes=${r.changes}`);
    parts.push(`autocommit=${r.autocommit}`);
    if (r.order) parts.push(r.order);
    return parts.join(' ');
  }
  return stableJson(r).slice(0, 2000);
}

// Structural diff of two snapshot-like objects: {where, real, ours} with row-set differences.
export function diffValues(a, b, where, labels = ['real', 'ours']) {
  if (stableJson(a) === stableJson(b)) return null;
  const isRows = (x) => Array.isArray(x) && x.every((r) => Array.isArray(r));
  if (isRows(a) && isRows(b)) {
    const ka = new Map(a.map((r) => [stableJson(r), r]));
    const kb = new Map(b.map((r) => [stableJson(r), r]));
    const onlyA = [...ka.keys()].filter((k) => !kb.has(k)).map((k) => ka.get(k));
    const onlyB = [...kb.keys()].filter((k) => !ka.has(k)).map((k) => kb.get(k));
    const none = onlyA.length + onlyB.length === 0 ?
        '(none: same rows, different order or multiplicity)' : '(none)';
    const fmt = (rows) => rows.length === 0 ? none :
        rows.slice(0, 10).map(formatRow).join('\n      ') +
        (rows.length > 10 ? `\n      ... ${rows.length - 10} more` : '');
    return { where, real: `only in ${labels[0]}:\n      ${fmt(onlyA)}`,
             ours: `only in ${labels[1]}:\n      ${fmt(onlyB)}` };
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) &&
      !Array.isArray(b) && !('ok' in a) && !('ok' in b)) {
    let first = null;
    const others = [];
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = diffValues(a[k], b[k], `${where}.${k}`, labels);
      if (d && !first) first = d;
      else if (d) others.push(d.where);
    }
    if (first) {
      if (others.length) first.where += ` (also differs: ${others.join(', ')})`;
      return first;
    }
  }
  const fmt = (x) => (x && typeof x === 'object' && ('ok' in x || 'crash' in x)) ? formatResult(x) :
      isRows(x) ? (x.length === 0 ? 'no rows' : x.slice(0, 10).map(formatRow).join('\n      ') +
                   (x.length > 10 ? `\n      ... ${x.length - 10} more` : '')) :
      stableJson(x);
  return { where, real: fmt(a), ours: fmt(b) };
}

export function formatDiff(seed, fleetName, d) {
  const lines = [
    `DIVERGENCE seed=${seed} fleet=${fleetName} (vs real) at op #${d.opIndex}: ${d.op}`,
  ];
  lines.push(`  step ${d.stepIndex} (${d.kind})${d.peer ? ' on ' + d.peer : ''}` +
             `${d.where ? ' at ' + d.where : ''}`);
  if (d.sql) lines.push(`  sql:    ${d.sql}`);
  if (d.params) lines.push(`  params: ${d.params}`);
  lines.push(`  real:   ${d.real}`);
  lines.push(`  ${(fleetName + ':').padEnd(7)} ${d.ours}`);
  return lines.join('\n');
}

export function formatValueDiff(title, d) {
  return [title + (d.where ? ` at ${d.where}` : ''), `  ${d.real}`, `  ${d.ours}`].join('\n');
}

