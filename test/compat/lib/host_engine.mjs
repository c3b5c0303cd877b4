// Adapter for OUR engine: spawns build/crsqlite-host (test/compat/host/main.cpp), which loads
// build/crsqlite.so into plain SQLite connections, and speaks its JSON-lines protocol. Same async
// interface and value representation as RealEngine (real_engine.mjs).
//
// Invariants: requests are written one at a time and matched to responses by id; a host that
// exits, or does not answer within the timeout, fails every pending and later call with
// EngineCrash (carrying the tail of its stderr); protocol errors (code -1) are HarnessErrors.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';

import { EngineCrash, EngineError, HarnessError } from './engine_error.mjs';

const kBadRequest = -1;

export class HostEngine {
  // hostPath: the crsqlite-host binary; soPath: the extension it loads into every connection.
  static async create({ hostPath, soPath, timeoutMs = 60000 }) {
    for (const [what, p] of [['crsqlite-host', hostPath], ['crsqlite.so', soPath]]) {
      if (!fs.existsSync(p)) throw new HarnessError(`${what} not found at ${p}`);
    }
    const engine = new HostEngine(hostPath, soPath, timeoutMs);
    const info = await engine.request_({ op: 'info' });
    engine.sqliteVersionValue_ = info.sqlite_version;
    return engine;
  }

  constructor(hostPath, soPath, timeoutMs) {
    this.kind = 'ours';
    this.timeoutMs_ = timeoutMs;
    this.nextId_ = 1;
    this.pending_ = new Map();
    this.stderrTail_ = '';
    this.dead_ = null;
    this.queue_ = Promise.resolve();
    this.child_ = spawn(hostPath, [soPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child_.stderr.on('data', (chunk) => {
      this.stderrTail_ = (this.stderrTail_ + chunk.toString()).slice(-4000);
    });
    this.child_.stdin.on('error', () => {});  // reported through 'exit'
    readline.createInterface({ input: this.child_.stdout })
        .on('line', (line) => this.onLine_(line));
    this.child_.on('exit', (code, signal) => {
      this.die_(`crsqlite-host exited (${signal ? 'signal ' + signal : 'code ' + code})` +
                (this.stderrTail_ ? `; stderr: ${this.stderrTail_.trim()}` : ''));
    });
    this.child_.on('error', (e) => this.die_(`crsqlite-host failed to start: ${e.message}`));
  }

  get sqliteVersion() {
    return this.sqliteVersionValue_;
  }

  async open(name) {
    const res = await this.serialize_({ op: 'open', db: name });
    if (!res.ok) throw new EngineError(res.error, res.code, { xcode: res.xcode });
  }

  async exec(name, sql, params = []) {
    if (!Array.isArray(params)) throw new HarnessError('params must be an array');
    const res = await this.serialize_({ op: 'exec', db: name, sql, params });
    if (!res.ok) {
      throw new EngineError(res.error, res.code, { xcode: res.xcode, autocommit: res.autocommit });
    }
    const { columns, rows, changes, autocommit } = res;
    return { columns, rows, changes, autocommit };
  }

  async close(name) {
    const res = await this.serialize_({ op: 'close', db: name });
    if (!res.ok) throw new EngineError(res.error, res.code);
  }

  async dispose() {
    if (this.dead_) return;
    const exited = new Promise((resolve) => this.child_.once('exit', resolve));
    try {
      await this.serialize_({ op: 'quit' });
    } catch {
      // fall through to kill
    }
    const timer = setTimeout(() => this.child_.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  serialize_(req) {
    const run = async () => {
      const res = await this.request_(req);
      if (!res.ok && res.code === kBadRequest) {
        throw new HarnessError(`crsqlite-host rejected ${req.op}: ${res.error}`);
      }
      return res;
    };
    const result = this.queue_.then(run, run);
    this.queue_ = result.catch(() => {});
    return result;
  }

  request_(req) {
    if (this.dead_) return Promise.reject(new EngineCrash(this.dead_));
    const id = this.nextId_++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.die_(`crsqlite-host did not answer within ${this.timeoutMs_} ms: ` +
                  JSON.stringify(req).slice(0, 300));
        this.child_.kill('SIGKILL');
      }, this.timeoutMs_);
      this.pending_.set(id, { resolve, reject, timer });
      this.child_.stdin.write(JSON.stringify({ id, ...req }) + '\n');
    });
  }

  onLine_(line) {
    let res;
    try {
      res = JSON.parse(line);
    } catch {
      this.die_(`crsqlite-host wrote a line that is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    const waiter = this.pending_.get(res.id);
    if (!waiter) {
      this.die_(`crsqlite-host answered unknown id: ${line.slice(0, 200)}`);
      return;
    }
    this.pending_.delete(res.id);
    clearTimeout(waiter.timer);
    waiter.resolve(res);
  }

  die_(message) {
    if (this.dead_) return;
    this.dead_ = message;
    for (const { reject, timer } of this.pending_.values()) {
      clearTimeout(timer);
      reject(new EngineCrash(message));
    }
    this.pending_.clear();
  }
}
