#!/usr/bin/env node
// Load benchmark of the sync server: crsync-server against the real @vlcn.io/ws-server 0.2.3
// (served by test/interop/reference_server.mjs with the real cr-sqlite wasm engine), same
// workload, same machine, one table. Started by bench/load/run.sh; knobs (environment):
//   LOAD_SERVERS       "ours,reference" (either or both)
//   LOAD_CLIENTS (N)   50     protocol-level clients in one room
//   LOAD_ROWS (M)      1000   single-row transactions per client, sent as fast as possible
//   LOAD_PACED_ROWS    10     then this many more per client, each client writing every ~100 ms
//   LOAD_OBSERVERS     2      clients that decode everything and measure write->arrival latency
//   LOAD_IDLE          10000  idle connections (each announced) for the memory-per-connection run
//                             (0 skips it)
//   LOAD_TIMEOUT_S     300    bound on each delivery wait and on the idle run
//   LOAD_GEN           cpp    the clients of phases 1+2: "cpp" = crsync-loadgen (load_gen.cpp, in
//                             CRSYNC_BUILD_DIR; one thread, so it takes little CPU from the
//                             server under test), "node" = load_client.mjs in this process.
//                             Same workload and wire bytes either way; both servers get the same.
//   LOAD_OURS_MEMORY   0      1: crsync-server without --db-folder (in-memory rooms, like the
//                             reference harness); default: durable rooms in --db-folder
//                             (WAL, synchronous=FULL), its production configuration
// Phases per server (a fresh server process and room each): (1) saturated: every client sends M
// rows; time until every client holds every other client's rows; (2) paced: latency at low load;
// (3) idle: RSS growth of a fresh server while LOAD_IDLE connections sit in one room.
// Server peak RSS = VmHWM of the phases 1+2 process; CPU = utime+stime during phases 1+2.
// Nothing here asserts on time; the exit code is non-zero only when a run could not complete.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

import { cryb64 } from '@vlcn.io/ws-common';

import { httpGet, ServerProcess, sleep } from '../../test/interop/lib/server_process.mjs';
import { kSchemaName, kSchemaText } from '../../test/interop/lib/todo_schema.mjs';

import { LoadClient } from './load_client.mjs';

const env = (name, dflt) => (process.env[name] === undefined ? dflt : Number(process.env[name]));
const opts = {
  servers: (process.env.LOAD_SERVERS || 'ours,reference').split(',').map((s) => s.trim()),
  clients: env('LOAD_CLIENTS', 50),
  rows: env('LOAD_ROWS', 1000),
  pacedRows: env('LOAD_PACED_ROWS', 10),
  observers: env('LOAD_OBSERVERS', 2),
  idle: env('LOAD_IDLE', 10000),
  timeoutMs: env('LOAD_TIMEOUT_S', 300) * 1000,
  oursMemory: env('LOAD_OURS_MEMORY', 0) === 1,
  gen: process.env.LOAD_GEN || 'cpp',
};
const loadgenBin = path.join(process.env.CRSYNC_BUILD_DIR || path.join('..', '..', 'build'),
                             'crsync-loadgen');
const schemaVersion = cryb64(kSchemaText);

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function workDir(kind) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `crsync-load-${kind}-`));
  fs.mkdirSync(path.join(root, 'schemas'));
  fs.writeFileSync(path.join(root, 'schemas', kSchemaName), kSchemaText);
  return root;
}

async function startServer(kind, root, tag) {
  const inMemory = kind === 'reference' || opts.oursMemory;
  const server = new ServerProcess({
    kind, schemaFolder: path.join(root, 'schemas'),
    dbFolder: inMemory ? null : path.join(root, `dbs-${tag}`),
    workDir: root, logPrefix: `${kind}-${tag}`,
  });
  await server.start({ timeoutMs: 30000 });
  return server;
}

// Resolves when every client passes `rowsEach` received rows; false after timeoutMs. Prints
// progress every 5 s.
function allReceived(clients, rowsEach, timeoutMs) {
  return new Promise((resolve) => {
    const check = () => clients.every((c) => c.rowsReceived >= rowsEach);
    if (check()) return resolve(true);
    const t0 = performance.now();
    const progress = setInterval(() => {
      const got = clients.reduce((n, c) => n + Math.min(c.rowsReceived, rowsEach), 0);
      const full = clients.filter((c) => c.rowsReceived >= rowsEach).length;
      console.log(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: ` +
                  `${(100 * got / (rowsEach * clients.length)).toFixed(1)}% of row deliveries, ` +
                  `${full}/${clients.length} clients complete`);
    }, 5000);
    const finish = (ok) => {
      clearTimeout(timer);
      clearInterval(progress);
      for (const c of clients) c.onProgress = null;
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const onProgress = () => {
      if (check()) finish(true);
    };
    for (const c of clients) c.onProgress = onProgress;
  });
}

async function openAll(clients, batch = 100) {
  for (let i = 0; i < clients.length; i += batch) {
    await Promise.all(clients.slice(i, i + batch).map((c) => c.open()));
  }
}

// Phases 1+2 with crsync-loadgen as a child process: its JSON line, plus its CPU time.
function runLoadgen(server) {
  const args = ['--url', server.url(), '--room', 'load', '--schema-name', kSchemaName,
                '--schema-version', String(schemaVersion), '--clients', String(opts.clients),
                '--rows', String(opts.rows), '--paced', String(opts.pacedRows),
                '--observers', String(opts.observers),
                '--timeout', String(Math.ceil(opts.timeoutMs / 1000))];
  return new Promise((resolve, reject) => {
    const child = spawn(loadgenBin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', () => {
      const line = out.trim().split('\n').pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`crsync-loadgen printed no result: ${out}`));
      }
    });
  });
}

async function throughputRunCpp(kind, root) {
  const server = await startServer(kind, root, 'load');
  const result = {
    kind, storage: kind === 'reference' || opts.oursMemory ? 'memory' : 'db-folder (fsync)',
    generator: 'crsync-loadgen',
  };
  try {
    const cpu0 = server.stats().cpuSeconds;
    const gen = await runLoadgen(server);
    Object.assign(result, {
      complete: gen.complete, seconds: gen.seconds, satP50: gen.satP50, satP99: gen.satP99,
      pacedComplete: gen.pacedComplete,
      pacedP50: gen.pacedP50 >= 0 ? gen.pacedP50 : null,
      pacedP99: gen.pacedP99 >= 0 ? gen.pacedP99 : null,
      pacedSamples: gen.pacedSamples, rejects: gen.rejects, benchCpuSeconds: gen.genCpuSeconds,
    });
    const stats = server.stats();
    result.cpuSeconds = stats.cpuSeconds - cpu0;
    result.peakRssMiB = stats.peakRssKiB / 1024;
    result.serverAlive = server.running;
    if (kind === 'ours') result.metrics = await serverCounters(server);
  } finally {
    await server.stop();
  }
  return result;
}

async function throughputRun(kind, root) {
  if (opts.gen === 'cpp') return throughputRunCpp(kind, root);
  const server = await startServer(kind, root, 'load');
  const result = {
    kind, storage: kind === 'reference' || opts.oursMemory ? 'memory' : 'db-folder (fsync)',
  };
  const clients = [];
  try {
    for (let i = 0; i < opts.clients; ++i) {
      clients.push(new LoadClient({ url: server.url(), room: 'load', index: i, schemaName: kSchemaName,
                                    schemaVersion, observer: i < opts.observers }));
    }
    await openAll(clients);
    const cpu0 = server.stats().cpuSeconds;
    const benchCpu0 = process.cpuUsage();
    const t0 = performance.now();
    // Saturated: every client writes M rows back to back (interleaved across clients).
    const done = allReceived(clients, (opts.clients - 1) * opts.rows, opts.timeoutMs);
    for (let k = 0; k < opts.rows; ++k) {
      for (const c of clients) c.sendRow(k);
      if (k % 10 === 9) await yieldToLoop();
    }
    result.complete = await done;
    result.seconds = (performance.now() - t0) / 1000;
    const saturated = clients.flatMap((c) => c.latenciesMs);
    result.satP50 = percentile(saturated, 50);
    result.satP99 = percentile(saturated, 99);
    if (result.complete) {
      // Paced: each client writes one row every ~100 ms at a random phase.
      for (const c of clients) c.latenciesMs = [];
      const paced = allReceived(clients, (opts.clients - 1) * (opts.rows + opts.pacedRows),
                                opts.timeoutMs);
      for (let k = 0; k < opts.pacedRows; ++k) {
        const round = clients.map((c) => sleep(Math.random() * 100).then(() => c.sendRow(opts.rows + k)));
        await Promise.all(round);
      }
      result.pacedComplete = await paced;
      const lat = clients.flatMap((c) => c.latenciesMs);
      result.pacedP50 = percentile(lat, 50);
      result.pacedP99 = percentile(lat, 99);
      result.pacedSamples = lat.length;
    }
    const stats = server.stats();
    result.cpuSeconds = stats.cpuSeconds - cpu0;
    result.peakRssMiB = stats.peakRssKiB / 1024;
    const benchCpu = process.cpuUsage(benchCpu0);
    result.benchCpuSeconds = (benchCpu.user + benchCpu.system) / 1e6;
    result.rejects = clients.reduce((n, c) => n + c.rejects, 0);
    result.serverAlive = server.running;
    if (kind === 'ours') result.metrics = await serverCounters(server);
  } finally {
    for (const c of clients) c.terminate();
    await server.stop();
  }
  return result;
}

// A few of crsync-server's own counters after the run (how the work was grouped), or undefined.
async function serverCounters(server) {
  const wanted = ['group_commits_total', 'batches_applied_total', 'messages_sent_total',
                  'pulls_cached_total', 'pulls_sqlite_total'];
  try {
    const { status, body } = await httpGet(server.port, '/metrics');
    if (status !== 200) return undefined;
    const out = {};
    for (const line of body.split('\n')) {
      const m = /^crsync_(\w+) (\S+)$/.exec(line);
      if (m && wanted.includes(m[1])) out[m[1].replace(/_total$/, '')] = Number(m[2]);
    }
    return out;
  } catch {
    return undefined;
  }
}

async function idleRun(kind, root) {
  const server = await startServer(kind, root, 'idle');
  const clients = [];
  const result = { idleOpened: 0 };
  const deadline = Date.now() + opts.timeoutMs;
  try {
    const first = new LoadClient({ url: server.url(), room: 'idle', index: 0, schemaName: kSchemaName,
                                   schemaVersion });
    await first.open();
    clients.push(first);
    await sleep(500);
    const before = server.stats().rssKiB;
    for (let i = 1; i <= opts.idle && Date.now() < deadline; i += 200) {
      const batch = [];
      for (let j = i; j < Math.min(i + 200, opts.idle + 1); ++j) {
        batch.push(new LoadClient({ url: server.url(), room: 'idle', index: j, schemaName: kSchemaName,
                                    schemaVersion }));
      }
      const opened = await Promise.allSettled(batch.map((c) => c.open()));
      opened.forEach((r, j) => {
        if (r.status === 'fulfilled') clients.push(batch[j]);
        else if (!result.idleError) result.idleError = String(r.reason?.message ?? r.reason);
      });
    }
    await sleep(1000);
    result.idleOpened = clients.length - 1;
    result.idleKiBPerConn = (server.stats().rssKiB - before) / Math.max(1, result.idleOpened);
  } finally {
    for (const c of clients) c.terminate();
    await server.stop();
  }
  return result;
}

function fmt(v, digits = 1) {
  if (v === undefined || v === null || Number.isNaN(v)) return '-';
  return typeof v === 'number' ? v.toFixed(digits) : String(v);
}

function printTable(results) {
  const kinds = Object.keys(results);
  const get = (k, f) => (results[k] ? f(results[k]) : undefined);
  const rowsTotal = opts.clients * opts.rows;
  const lines = [
    ['workload', () => `${opts.clients} clients x ${opts.rows} rows`, null],
    ['room storage', (r) => r.storage, null],
    ['complete', (r) => (r.complete ? 'yes' : 'NO (timeout)'), null],
    ['time to full delivery (s)', (r) => fmt(r.seconds, 2), 'lower'],
    ['rows/s (written, all delivered)', (r) => fmt(rowsTotal / r.seconds, 0), 'higher'],
    ['row deliveries/s (fan-out)', (r) => fmt(rowsTotal * (opts.clients - 1) / r.seconds, 0), 'higher'],
    ['latency saturated p50 (ms)', (r) => fmt(r.satP50), 'lower'],
    ['latency saturated p99 (ms)', (r) => fmt(r.satP99), 'lower'],
    ['latency paced p50 (ms)', (r) => fmt(r.pacedP50, 2), 'lower'],
    ['latency paced p99 (ms)', (r) => fmt(r.pacedP99, 2), 'lower'],
    ['server peak RSS (MiB)', (r) => fmt(r.peakRssMiB), 'lower'],
    ['server CPU time (s)', (r) => fmt(r.cpuSeconds, 2), 'lower'],
    ['load generator', (r) => r.generator ?? 'node (load_client.mjs)', null],
    ['load generator CPU (s)', (r) => fmt(r.benchCpuSeconds, 2), null],
    ['RejectChanges received', (r) => fmt(r.rejects, 0), null],
    ['idle connections opened', (r) => fmt(r.idleOpened, 0), null],
    ['RSS per idle connection (KiB)', (r) => fmt(r.idleKiBPerConn, 2), 'lower'],
  ];
  const header = ['metric', ...kinds];
  const both = results.ours && results.reference;
  if (both) header.push('ours vs reference');
  const table = [header];
  for (const [name, f, better] of lines) {
    const row = [name, ...kinds.map((k) => {
      try {
        return get(k, f) ?? '-';
      } catch {
        return '-';
      }
    })];
    if (both) {
      const a = Number.parseFloat(row[1 + kinds.indexOf('ours')]);
      const b = Number.parseFloat(row[1 + kinds.indexOf('reference')]);
      if (better && a > 0 && b > 0) {
        const gain = better === 'higher' ? a / b : b / a;  // > 1: ours is better
        row.push(gain >= 1 ? `${gain.toFixed(1)}x better` : `${(1 / gain).toFixed(1)}x worse`);
      } else {
        row.push('');
      }
    }
    table.push(row);
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => String(r[i] ?? '').length)));
  for (const [i, r] of table.entries()) {
    console.log(r.map((c, j) => String(c ?? '').padEnd(widths[j])).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log('\nissue reference (real ws-server + better-sqlite3): 50 x 1,000 rows in 38.9 s, ' +
              '1,285 rows/s, peak RSS 151 MiB. Targets for ours: >= 30x that throughput with less ' +
              'memory, paced p50 < 5 ms, < 10 KB RSS per idle connection.');
}

async function main() {
  console.log(`load bench: ${JSON.stringify(opts)}`);
  console.log(`load average now: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} ` +
              `on ${os.cpus().length} CPUs (the server and this process share them)`);
  const results = {};
  let failed = false;
  for (const kind of opts.servers) {
    const root = workDir(kind);
    try {
      console.log(`\n### ${kind}: ${opts.clients} clients x ${opts.rows} rows`);
      results[kind] = await throughputRun(kind, root);
      console.log(JSON.stringify(results[kind]));
      if (!results[kind].complete || results[kind].pacedComplete === false) failed = true;
      if (opts.idle > 0) {
        console.log(`### ${kind}: ${opts.idle} idle connections`);
        Object.assign(results[kind], await idleRun(kind, root));
        console.log(`idle: ${results[kind].idleOpened} opened, ` +
                    `${fmt(results[kind].idleKiBPerConn, 2)} KiB each` +
                    (results[kind].idleError ? ` (first error: ${results[kind].idleError})` : ''));
        if (results[kind].idleOpened < opts.idle) failed = true;
      }
    } catch (e) {
      console.log(`${kind}: run failed: ${e.stack ?? e}`);
      failed = true;
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  console.log('');
  printTable(results);
  process.exit(failed ? 1 : 0);
}

main();
