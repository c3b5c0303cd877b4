// Starts and stops a sync server as a child process: our crsync-server binary, or the real
// @vlcn.io/ws-server 0.2.3 through reference_server.mjs. Both take the same command line
// (--port 0 --port-file F --host 127.0.0.1 --path /sync --db-folder D --schema-folder S ...);
// start() waits (bounded) for the port file and GET /healthz = 200. Also reads the process's
// peak RSS and CPU time from /proc. Node built-ins only: bench/load imports this file too.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const kRepoRoot = path.resolve(here, '..', '..', '..');
export const kReferenceScript = path.resolve(here, '..', 'reference_server.mjs');

// Where our binaries are: env CRSYNC_SERVER_BIN / CRSYNC_CLI_BIN, else <build dir>/crsync-server
// and <build dir>/crsync, the build dir being env CRSYNC_BUILD_DIR or <repo>/build.
export function ourServerBin() {
  const buildDir = process.env.CRSYNC_BUILD_DIR || path.join(kRepoRoot, 'build');
  return process.env.CRSYNC_SERVER_BIN || path.join(buildDir, 'crsync-server');
}

export function ourCliBin() {
  const buildDir = process.env.CRSYNC_BUILD_DIR || path.join(kRepoRoot, 'build');
  return process.env.CRSYNC_CLI_BIN || path.join(buildDir, 'crsync');
}

export async function sleep(ms) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

// GET http://127.0.0.1:port/pathname -> {status, body}; rejects after timeoutMs.
export function httpGet(port, pathname, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${pathname}: timeout`)));
    req.on('error', reject);
  });
}

export class ServerProcess {
  // kind: 'ours' | 'reference'. dbFolder/schemaFolder: directories (dbFolder created if missing).
  // extraArgs: appended verbatim (e.g. ['--jwt-secret', s]).
  constructor({ kind, schemaFolder, dbFolder, extraArgs = [], workDir, logPrefix = kind }) {
    this.kind = kind;
    this.schemaFolder = schemaFolder;
    this.dbFolder = dbFolder;
    this.extraArgs = extraArgs;
    this.workDir = workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `crsync-${kind}-`));
    this.logPrefix = logPrefix;
    this.child = null;
    this.port = 0;
    this.output = '';
    this.exit = null;  // {code, signal} once exited
  }

  get pid() {
    return this.child?.pid;
  }

  get running() {
    return this.child !== null && this.exit === null;
  }

  // port: 0 for any free port, or a fixed one (a restart on the port clients reconnect to).
  async start({ timeoutMs = 20000, port = 0 } = {}) {
    if (this.running) throw new Error(`${this.kind} server already running`);
    if (this.dbFolder) fs.mkdirSync(this.dbFolder, { recursive: true });
    const portFile = path.join(this.workDir, `port-${Date.now()}-${Math.random()}`);
    const common = ['--port', String(port), '--port-file', portFile, '--host', '127.0.0.1', '--path', '/sync',
                    '--schema-folder', this.schemaFolder];
    if (this.dbFolder) common.push('--db-folder', this.dbFolder);
    let cmd;
    let args;
    if (this.kind === 'ours') {
      cmd = ourServerBin();
      if (!fs.existsSync(cmd)) throw new Error(`crsync-server not found at ${cmd}`);
      args = [...common, ...this.extraArgs];
    } else {
      cmd = process.execPath;
      args = [kReferenceScript, ...common, ...this.extraArgs];
    }
    this.exit = null;
    this.port = 0;
    this.output = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (d) => {
      this.output += d.toString();
      if (this.output.length > 200000) this.output = this.output.slice(-100000);
      if (process.env.INTEROP_SERVER_LOG) process.stderr.write(`[${this.logPrefix}] ${d}`);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exited_ = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exit) {
        throw new Error(`${this.kind} server exited early (${JSON.stringify(this.exit)}):\n` +
                        this.output.slice(-2000));
      }
      if (fs.existsSync(portFile)) {
        const text = fs.readFileSync(portFile, 'utf8').trim();
        if (/^\d+$/.test(text) && Number(text) > 0) {
          this.port = Number(text);
          break;
        }
      }
      await sleep(20);
    }
    if (!this.port) {
      await this.kill();
      throw new Error(`${this.kind} server wrote no port file within ${timeoutMs} ms:\n` +
                      this.output.slice(-2000));
    }
    while (Date.now() < deadline) {
      try {
        if ((await httpGet(this.port, '/healthz')).status === 200) return this;
      } catch {
        // not ready yet
      }
      await sleep(20);
    }
    await this.kill();
    throw new Error(`${this.kind} server: /healthz never answered 200`);
  }

  url(pathname = '/sync') {
    return `ws://127.0.0.1:${this.port}${pathname}`;
  }

  // SIGTERM, wait up to graceMs, then SIGKILL. Returns the exit {code, signal}.
  async stop({ graceMs = 10000 } = {}) {
    if (!this.running) return this.exit;
    this.child.kill('SIGTERM');
    const timer = sleep(graceMs).then(() => null);
    const result = await Promise.race([this.exited_, timer]);
    if (result) return result;
    return this.kill();
  }

  async kill() {
    if (!this.running) return this.exit;
    this.child.kill('SIGKILL');
    return this.exited_;
  }

  // {peakRssKiB, rssKiB, cpuSeconds} of the running process, from /proc.
  stats() {
    return procStats(this.pid);
  }
}

export function procStats(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm')) || [])[1] || 0);
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { peakRssKiB: kib('VmHWM'), rssKiB: kib('VmRSS'), cpuSeconds: ticks / kUserHz };
}

const kUserHz = 100;  // Linux reports /proc times in USER_HZ, which is 100 on every architecture
