// Browser test harness: a static file server for web/dist and the test pages, real Debian
// Chromium (never a downloaded browser) started as a process with its own profile and driven
// through playwright-core's CDP connection (so a test can kill it like a crash would), and
// crsync-server started on an ephemeral port. Everything listens on 127.0.0.1 only and every
// wait is bounded.
import { spawn } from 'node:child_process';
import {
  createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const { chromium } = await import(join(ROOT, 'web/node_modules/playwright-core/index.mjs'));

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.sql': 'text/plain; charset=utf-8',
  '.json': 'application/json',
};

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `crsync-${prefix}-`));
}

// Removes a temp dir; retried because a Chromium helper process may still be writing its
// profile for a moment. Cleanup is not what a test checks: a dir that still cannot be removed
// after the retries is reported and left behind instead of failing the test.
export function removeDir(dir) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      return;
    } catch (error) {
      if (attempt === 2) console.warn(`removeDir: leaving ${dir}: ${error.message}`);
    }
  }
}

// Resolves after ms.
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls check() (async allowed) until it returns a truthy value; throws after timeoutMs. `what`
// (a string, or a function giving one) describes the wait in the error.
export async function waitUntil(check, { timeoutMs = 10000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) {
      const described = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${described}`);
    }
    await sleep(intervalMs);
  }
}

// Serves mounts ({'/dist/': dir, ...}) on 127.0.0.1:0. Returns {url, close}.
export async function startStaticServer(mounts = {
  '/dist/': join(ROOT, 'web/dist'),
  '/pages/': join(ROOT, 'test/browser/pages'),
  '/bench/': join(ROOT, 'bench/web'),
  '/node_modules/': join(ROOT, 'web/node_modules'),
}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const prefix = Object.keys(mounts).find((p) => path.startsWith(p));
    let file = prefix && normalize(join(mounts[prefix], path.slice(prefix.length)));
    // Extensionless relative imports inside npm packages (async-mutex's es6 build) get '.js'.
    if (file && !existsSync(file) && existsSync(`${file}.js`)) file = `${file}.js`;
    if (!file || !file.startsWith(mounts[prefix]) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--no-first-run',
  '--no-default-browser-check', '--disable-sync', '--remote-debugging-address=127.0.0.1',
  '--remote-debugging-port=0',
];

// Starts Chromium on profileDir and connects. Returns {browser, context, newPage, close, kill}.
export async function launchBrowser(profileDir) {
  const executable = process.env.CHROMIUM ?? '/usr/bin/chromium';
  // detached: Chromium gets its own process group, so close()/kill() can end its helper
  // processes too (they would otherwise keep writing into the profile for a while).
  const child = spawn(executable, [...CHROMIUM_FLAGS, `--user-data-dir=${profileDir}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const killGroup = (signal) => {
    try { process.kill(-child.pid, signal); } catch { /* group already gone */ }
  };
  let log = '';
  const endpoint = await new Promise((resolveEndpoint, reject) => {
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${log}`)), 30000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolveEndpoint(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`chromium exited (${code}):\n${log}`)));
  });
  child.stderr.resume();
  const browser = await chromium.connectOverCDP(endpoint);
  const context = browser.contexts()[0];
  const exited = new Promise((r) => child.on('exit', r));
  const pageLogs = [];
  return {
    browser,
    context,
    pageLogs,
    async newPage(url) {
      const page = await context.newPage();
      page.on('console', (m) => pageLogs.push(`[${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => pageLogs.push(`[pageerror] ${e.message}`));
      if (url) await page.goto(url);
      return page;
    },
    // A clean shutdown (profile flushed).
    async close() {
      await browser.close().catch(() => {});
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10000)]);
      killGroup('SIGKILL');
    },
    // A crash: SIGKILL the whole browser process group, no chance to flush anything.
    async kill() {
      killGroup('SIGKILL');
      await Promise.race([exited, sleep(10000)]);
      await browser.close().catch(() => {});
    },
  };
}

export function serverBinary() {
  const candidates = [process.env.CRSYNC_SERVER, join(ROOT, 'build/crsync-server'),
    join(ROOT, 'build-server/crsync-server')].filter(Boolean);
  return candidates.find((p) => existsSync(p)) ?? null;
}

// Starts crsync-server with rooms in a temp folder (kept across restart()) and the schemas of
// schemaFolder (default demo/schemas). Returns {wsUrl, httpUrl, port, stop, restart, remove}.
export async function startSyncServer({ staticDir, schemaFolder, port = 0, dir } = {}) {
  const binary = serverBinary();
  if (!binary) throw new Error('crsync-server not built (build/crsync-server)');
  const workDir = dir ?? tempDir('server');
  const portFile = join(workDir, `port-${Date.now()}`);
  const args = ['--port', String(port), '--port-file', portFile,
    '--db-folder', join(workDir, 'rooms'), '--schema-folder', schemaFolder ?? join(ROOT, 'demo/schemas'),
    '--path', '/sync', '--log-level', 'warn', '--shutdown-grace-ms', '200'];
  if (staticDir) args.push('--static-dir', staticDir);
  mkdirSync(join(workDir, 'rooms'), { recursive: true });
  const child = spawn(binary, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise((r) => child.on('exit', r));
  const bound = await waitUntil(() => {
    if (child.exitCode !== null) throw new Error(`crsync-server exited with ${child.exitCode}`);
    return existsSync(portFile) && readFileSync(portFile, 'utf8').trim();
  }, { timeoutMs: 15000, what: 'crsync-server port file' });
  const stop = async () => {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(8000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  };
  return {
    port: Number(bound),
    wsUrl: `ws://127.0.0.1:${bound}/sync`,
    httpUrl: `http://127.0.0.1:${bound}`,
    stop: async () => {
      await stop();
      removeDir(workDir);
    },
    // Stops the process, keeping its rooms; start it again with restart().
    halt: stop,
    restart: () => startSyncServer({ staticDir, schemaFolder, port: Number(bound), dir: workDir }),
  };
}

export const TODO_SCHEMA = readFileSync(join(ROOT, 'demo/schemas/todo.sql'), 'utf8');
