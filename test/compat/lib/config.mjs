// Environment configuration of the differential test (all optional):
//   CRSQLITE_SO        our extension            (default <repo>/build/crsqlite.so)
//   CRSQLITE_HOST      the JSON-lines host      (default: crsqlite-host next to CRSQLITE_SO)
//   COMPAT_OURS        host | wasm              "wasm" puts the real engine in the "ours" slot too
//                                               (self-validation while our engine is missing)
//   COMPAT_SEEDS       N | A-B | A,B,C          seeds to run (N = COMPAT_SEED_BASE .. +N-1;
//                                               default 100)
//   COMPAT_SEED_BASE   first seed for the N form (default 1)
//   COMPAT_OPS         operations per seed before the final exchange (default 150)
//   COMPAT_TIME_BUDGET seconds (default 240); seeds not started by then are skipped
//   COMPAT_FLEETS      comma list from real,ours,mixed (real is always the reference)
//   COMPAT_DROP_CHANGE 1 = drop one winning change from a batch applied to the ours fleet in
//                      every seed: the seed tests must then FAIL (proof that they can)
//   COMPAT_FORGE_INVALID 1 = forged changes may carry values their column rejects (STRICT type,
//                      NOT NULL): exercises failing merges; the real engine then leaves its sync
//                      bit set, so even the all-real fleet stops converging (see README)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const kHere = path.dirname(fileURLToPath(import.meta.url));
export const kRepoRoot = path.resolve(kHere, '..', '..', '..');

function parseSeeds(spec, base) {
  if (/^\d+$/.test(spec)) return Array.from({ length: Number(spec) }, (_, i) => base + i);
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  if (/^\d+(,\d+)*$/.test(spec)) return spec.split(',').map(Number);
  throw new Error(`COMPAT_SEEDS must be N, A-B or A,B,C; got "${spec}"`);
}

export function loadConfig(env = process.env) {
  const so = path.resolve(env.CRSQLITE_SO || path.join(kRepoRoot, 'build', 'crsqlite.so'));
  const host = path.resolve(env.CRSQLITE_HOST || path.join(path.dirname(so), 'crsqlite-host'));
  const ours = env.COMPAT_OURS || 'host';
  if (!['host', 'wasm'].includes(ours)) throw new Error(`COMPAT_OURS must be host or wasm`);
  const fleets = (env.COMPAT_FLEETS || 'real,ours,mixed').split(',').map((s) => s.trim());
  for (const f of fleets) {
    if (!['real', 'ours', 'mixed'].includes(f)) throw new Error(`unknown fleet ${f}`);
  }
  if (fleets[0] !== 'real') fleets.unshift('real');
  const problems = [];
  if (ours === 'host') {
    if (!fs.existsSync(so)) {
      problems.push(`our extension not found: ${so} (build it, or set CRSQLITE_SO)`);
    }
    if (!fs.existsSync(host)) {
      problems.push(`crsqlite-host not found: ${host} (build it, or set CRSQLITE_HOST)`);
    }
  }
  return {
    so, host, ours, fleets: [...new Set(fleets)],
    seeds: parseSeeds(env.COMPAT_SEEDS || '100', Number(env.COMPAT_SEED_BASE || 1)),
    ops: Number(env.COMPAT_OPS || 150),
    timeBudgetMs: Number(env.COMPAT_TIME_BUDGET || 240) * 1000,
    dropChange: env.COMPAT_DROP_CHANGE === '1',
    forgeInvalid: env.COMPAT_FORGE_INVALID === '1',
    problems,
  };
}
