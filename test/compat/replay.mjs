// Debugging aid: replays one seed's workload on a single fleet and prints every statement with
// its parameters and result, so a divergence reported by differential.test.mjs can be read in
// context (run it once with --engine real and once with --engine ours and diff the outputs).
//
// Usage: node replay.mjs SEED [--ops N] [--engine real|ours] [--from OP] [--to OP]
//   --ops defaults to COMPAT_OPS or 150; --engine ours uses CRSQLITE_SO / CRSQLITE_HOST like the
//   test. Snapshots are printed for the ops in [--from, --to] only.

import { loadConfig } from './lib/config.mjs';
import { Fleet } from './lib/fleet.mjs';
import { HostEngine } from './lib/host_engine.mjs';
import { RealEngine } from './lib/real_engine.mjs';
import { formatResult } from './lib/runner.mjs';
import { formatRow, formatValue } from './lib/values.mjs';
import { describeOp, makeWorkload } from './lib/workload.mjs';

const args = process.argv.slice(2);
const option = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const seed = Number(args[0]);
if (!Number.isInteger(seed)) {
  console.error('usage: node replay.mjs SEED [--ops N] [--engine real|ours] [--from OP] [--to OP]');
  process.exit(2);
}
const cfg = loadConfig();
const ops = Number(option('--ops', cfg.ops));
const engineKind = option('--engine', 'real');
const from = Number(option('--from', 0));
const to = Number(option('--to', Infinity));

const workload = makeWorkload(seed, { ops, forgeInvalid: cfg.forgeInvalid });
const engine = engineKind === 'real'
    ? await RealEngine.create()
    : await HostEngine.create({ hostPath: cfg.host, soPath: cfg.so });
const fleet = new Fleet(engineKind, Array(workload.peers).fill(engine), workload);

const print = (steps) => {
  for (const s of steps) {
    const params = s.params.length ? ` [${s.params.map(formatValue).join(', ')}]` : '';
    console.log(`    ${s.peer} ${s.sql}${params}\n      -> ${formatResult(s.result)}`);
  }
};
console.log(`seed ${seed}: ${workload.peers} peers ${workload.topology}, engine ${engineKind}`);
for (const t of workload.schema.tables) console.log(`  ${t.createSql}`);
console.log('setup');
print(await fleet.setup());
for (const [k, op] of workload.ops.entries()) {
  console.log(`#${k} ${describeOp(op)}`);
  print(await fleet.runOp(op, k, {}));
  if (k >= from && k <= to) {
    for (const p of fleet.touched(op)) {
      const snap = await fleet.snapshot(p);
      console.log(`    snapshot p${p}: db_version ${formatValue(snap.db_version[0]?.[0] ?? null)}`);
      for (const row of snap.crsql_changes) console.log(`      ${formatRow(row)}`);
    }
  }
}
print(await fleet.teardown());
await engine.dispose();
