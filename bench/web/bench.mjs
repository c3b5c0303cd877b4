// Browser benchmark driver: gzip size of our crsync.wasm versus the real
// @vlcn.io/crsqlite-wasm 0.16.0's crsqlite.wasm, and, in the same headless Debian Chromium, the
// time to open a fresh persistent database and insert ROWS (default 10,000) rows into a CRR in
// one transaction: ours (batch and per-row styles) versus the real one, on a cold page and
// again warm. Median of RUNS (default 3) runs. Prints a table; never asserts on time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import {
  launchBrowser, removeDir, ROOT, startStaticServer, tempDir,
} from '../../test/browser/support/harness.mjs';

const ROWS = Number(process.env.ROWS ?? 10000);
const RUNS = Number(process.env.RUNS ?? 3);

function sizes(path) {
  const bytes = readFileSync(path);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const ours = sizes(join(ROOT, 'web/dist/crsync.wasm'));
const real = sizes(join(ROOT, 'web/node_modules/@vlcn.io/crsqlite-wasm/dist/crsqlite.wasm'));
console.log('wasm size            raw         gzip -9');
console.log(`  crsync (ours)      ${kb(ours.raw).padEnd(11)} ${kb(ours.gzip)}   (target <= 450 KiB gzip)`);
console.log(`  crsqlite-wasm 0.16 ${kb(real.raw).padEnd(11)} ${kb(real.gzip)}`);
console.log(`  ratio              ${(ours.raw / real.raw).toFixed(2)}        ${(ours.gzip / real.gzip).toFixed(2)}`);

const web = await startStaticServer();
const profile = tempDir('bench-profile');
const browser = await launchBrowser(profile);
try {
  const page = await browser.newPage(`${web.url}/bench/bench.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 20000 });
  // cold: the first database of a fresh page (module download, compile, first open included);
  // warm: a second fresh database in the same page right after (compiled code reused).
  const kinds = ['batch', 'each', 'reference'];
  const results = Object.fromEntries(kinds.map((k) => [k, { cold: [], warm: [] }]));
  for (let run = 0; run < RUNS; run++) {
    for (const kind of kinds) {
      await page.reload();
      await page.waitForFunction(() => window.benchReady === true, null, { timeout: 20000 });
      for (const phase of ['cold', 'warm']) {
        const result = await page.evaluate(async ({ kind, name, rows }) => (kind === 'reference'
          ? window.bench.reference(name, rows)
          : window.bench.ours(name, rows, kind)),
        { kind, name: `bench-${kind}-${run}-${phase}`, rows: ROWS });
        if (result.rows !== ROWS) throw new Error(`${kind}: ${result.rows} rows, expected ${ROWS}`);
        results[kind][phase].push(result);
      }
    }
  }
  const line = (label, list) => {
    const open = median(list.map((r) => r.openMs));
    const insert = median(list.map((r) => r.insertMs));
    console.log(`  ${label.padEnd(38)} ${open.toFixed(0).padStart(7)} ms ${insert.toFixed(0).padStart(9)} ms ` +
      `${(open + insert).toFixed(0).padStart(9)} ms   ${list[0].storage}`);
    return { total: open + insert, insert };
  };
  for (const phase of ['cold', 'warm']) {
    console.log(`\n${phase}: open + insert ${ROWS} rows into a CRR in one transaction ` +
      `(median of ${RUNS}), Chromium headless`);
    console.log(`  ${''.padEnd(38)} ${'open'.padStart(10)} ${'insert'.padStart(12)} ${'total'.padStart(12)}   storage`);
    const batch = line('crsync, db.execMany (one request)', results.batch[phase]);
    const each = line('crsync, await tx.exec per row', results.each[phase]);
    const ref = line('crsqlite-wasm 0.16, await stmt.run/row', results.reference[phase]);
    console.log(`  speed-up vs crsqlite-wasm, total (insert only): execMany ` +
      `${(ref.total / batch.total).toFixed(1)}x (${(ref.insert / batch.insert).toFixed(1)}x), per-row ` +
      `${(ref.total / each.total).toFixed(1)}x (${(ref.insert / each.insert).toFixed(1)}x)   (target >= 3x)`);
  }
} finally {
  await browser.close();
  await web.close();
  removeDir(profile);
}
