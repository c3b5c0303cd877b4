// Differential test: our build/crsqlite.so (driven through build/crsqlite-host) must behave as
// a drop-in replacement for the real cr-sqlite 0.16 (the @vlcn.io/crsqlite-wasm build).
//
// Per seed (lib/workload.mjs) three fleets replay the same random workload in lockstep
// (lib/runner.mjs): all-real (reference), all-ours, and mixed. Checks:
//   (b) all-ours == all-real: identical statement results and errors, crsql_changes (site ids
//       mapped to peer names, undefined tie order canonicalized), crsql_db_version(), tables;
//   (a) the mixed fleet converges after the full exchange, to the real fleet's contents, and
//       also matches the real fleet step by step;
//   tier 2: metadata tables (clock, lookaside, site ids, crsql_master, DDL) identical.
// A self-check proves the harness catches one silently dropped change (on wasm-vs-wasm, so it
// does not depend on our engine). Configuration: lib/config.mjs (env vars).

import assert from 'node:assert/strict';
import test from 'node:test';

import { loadConfig } from './lib/config.mjs';
import { HostEngine } from './lib/host_engine.mjs';
import { RealEngine } from './lib/real_engine.mjs';
import { formatDiff, formatValueDiff, runSeed } from './lib/runner.mjs';

const cfg = loadConfig();
const started = Date.now();
const kSeedTimeoutMs = 10 * 60 * 1000;

async function makeEngine(kind, ours = cfg.ours) {
  if (kind === 'real') return RealEngine.create();
  if (ours === 'wasm') {
    const engine = await RealEngine.create();
    engine.kind = 'ours(wasm)';
    return engine;
  }
  return HostEngine.create({ hostPath: cfg.host, soPath: cfg.so });
}

function fleetSpecs(names) {
  return names.map((name) => ({ name, kinds: name === 'ours' ? 'ours' : name }));
}

function secs(ms) {
  return (ms / 1000).toFixed(1) + 's';
}

function summaryLine(report) {
  const parts = [];
  for (const [name, r] of Object.entries(report.fleets)) {
    if (name === 'real') {
      parts.push(`real:${r.converged ? 'converged' : 'NOT converged'}`);
      continue;
    }
    const state = r.crash ? 'CRASH' :
        r.firstDiff ? `DIVERGED@op${r.firstDiff.opIndex}(${r.diffCount})` : 'same';
    const conv = !r.converged ? 'NOT converged' :
        r.convergenceDiff ? 'converged-differently' : 'converged';
    parts.push(`${name}${name === 'mixed' ? '[' + r.kinds + ']' : ''}:${state},${conv}` +
               `${r.metadataDiff ? ',metadata-differs' : ''}`);
  }
  return `seed ${report.seed}: ${report.summary} | ${parts.join(' | ')} | ` +
         secs(report.durationMs);
}

// ---- self-check ----------------------------------------------------------------------------

test('self-check: a single dropped change is detected (real wasm in both fleets)', async (t) => {
  const specs = [{ name: 'real', kinds: 'real' }, { name: 'ours', kinds: 'ours' }];
  const wasmEngines = (kind) => makeEngine(kind, 'wasm');
  let proven = 0;
  for (const seed of [101, 102, 103, 104, 105]) {
    if (proven >= 2) break;
    const baseline = await runSeed(seed, { ops: 40, fleets: specs, makeEngine: wasmEngines });
    const b = baseline.fleets.ours;
    assert.equal(b.firstDiff, null, `real vs real must match exactly (seed ${seed}):\n` +
        (b.firstDiff ? formatDiff(seed, 'ours', b.firstDiff) : ''));
    assert.equal(b.metadataDiff, null, 'real vs real metadata must match');
    assert.ok(baseline.fleets.real.converged, `real fleet must converge (seed ${seed})`);
    const dropped = await runSeed(seed, { ops: 40, fleets: specs, makeEngine: wasmEngines,
                                          drop: { target: 'ours' } });
    if (dropped.drop.op === null) continue;  // no batch had a winning change; try another seed
    const r = dropped.fleets.ours;
    const d = r.firstDiff;
    assert.ok(d, `seed ${seed}: dropping one change at op ${dropped.drop.op} went unnoticed`);
    assert.equal(d.opIndex, dropped.drop.op, 'the divergence is reported at the op that lost it');
    // Not only the rows_impacted counter: the peer's state (crsql_changes/tables) must differ.
    assert.ok(r.firstStateDiff, 'the lost change must show in the receiver\'s state');
    assert.equal(r.firstStateDiff.opIndex, dropped.drop.op);
    t.diagnostic(`seed ${seed}: dropped change #${dropped.drop.index} of op ${dropped.drop.op} ` +
                 `-> detected at op ${d.opIndex} step ${d.stepIndex} (${d.kind}); ` +
                 `state differs at ${r.firstStateDiff.where}`);
    console.log(formatDiff(seed, 'ours', r.firstStateDiff));
    proven++;
  }
  assert.ok(proven >= 1, 'no seed produced a batch with a winning change to drop');
});

// ---- the seeds -----------------------------------------------------------------------------

if (cfg.problems.length > 0) {
  test('our engine is available', () => {
    assert.fail(cfg.problems.join('\n') + '\n(set COMPAT_OURS=wasm to self-validate the harness ' +
                'with the real engine in both slots)');
  });
} else {
  const ours = cfg.ours === 'wasm' ? 'real wasm (self-validation)' : cfg.so;
  const [first, last] = [cfg.seeds[0], cfg.seeds[cfg.seeds.length - 1]];
  console.log(`differential: ours=${ours}, fleets=${cfg.fleets.join(',')}, ` +
              `seeds=${first}..${last} (${cfg.seeds.length}), ops/seed=${cfg.ops}, ` +
              `budget=${secs(cfg.timeBudgetMs)}` +
              `${cfg.dropChange ? ', DROP-CHANGE MODE (seed tests must fail)' : ''}` +
              `${cfg.forgeInvalid ? ', forged values may violate constraints' : ''}`);
  for (const seed of cfg.seeds) {
    test(`seed ${seed}`, { timeout: kSeedTimeoutMs }, async (t) => {
      if (Date.now() - started > cfg.timeBudgetMs) {
        t.skip(`time budget of ${secs(cfg.timeBudgetMs)} exhausted`);
        return;
      }
      const report = await runSeed(seed, {
        ops: cfg.ops, fleets: fleetSpecs(cfg.fleets), makeEngine: (kind) => makeEngine(kind),
        drop: cfg.dropChange ? { target: 'ours' } : null, forgeInvalid: cfg.forgeInvalid,
      });
      console.log(summaryLine(report));
      const fleets = report.fleets;

      await t.test('workload sanity: the all-real fleet converges', () => {
        const r = fleets.real;
        const d = r.convergenceDiff;
        assert.ok(r.converged, d && formatValueDiff(`real fleet did not converge (${d.peers})`, d));
      });
      for (const name of ['ours', 'mixed']) {
        const r = fleets[name];
        if (!r) continue;
        const label = name === 'ours' ? '(b) all-ours fleet == all-real fleet, op by op'
                                      : `(a) mixed fleet [${r.kinds}] == all-real fleet, op by op`;
        await t.test(label, () => {
          if (r.firstDiff) {
            assert.fail(formatDiff(seed, name, r.firstDiff) +
                        (r.diffCount > 1 ? `\n  (${r.diffCount - 1} later ops differ too)` : ''));
          }
        });
        await t.test(`(a) ${name} fleet converges to the real fleet's contents`, () => {
          const d = r.convergenceDiff;
          if (!r.converged || d) {
            const title = r.crash ? `${name} fleet crashed` :
                !r.converged ? `${name} fleet did not converge (${d.peers})`
                                       : `${name} fleet converged to different contents than real`;
            assert.fail(`seed ${seed}: ` + formatValueDiff(title, d));
          }
        });
        await t.test(`tier 2: ${name} metadata tables == real`, () => {
          const d = r.metadataDiff;
          if (d) {
            assert.fail(`seed ${seed}: ` + formatValueDiff(`metadata differs on ${d.peer}`, d));
          }
        });
      }
    });
  }
}
