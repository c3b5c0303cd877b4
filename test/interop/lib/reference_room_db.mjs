// The room database behind the REAL @vlcn.io/ws-server 0.2.3 in this harness. ws-server's own
// DB class needs better-sqlite3 (a native addon that cannot be built here), but
// attachWebsocketServer() takes a DB factory; this one serves the same interface with the real
// cr-sqlite 0.16 wasm engine (wasm_sqlite.mjs), running ws-server's SQL statement for statement
// (sync-protocol.md §4.5, §4.8): better-sqlite3 value conventions (INTEGER read as BigInt, JS
// numbers bound as REAL), the apply+tracked-peers upsert in one transaction, a leading+trailing
// throttled change notification (notifyLatencyMs), schema application from schemaFolder with the
// cryb64 check and crsql_automigrate on a version change, room/schema names with '..', '/' or '\'
// refused.
//
// Deliberate harness differences (documented in docs/interop.md): rooms always live in memory and
// are KEPT for the life of the process (ws-server closes an in-memory room when its last client
// leaves, D17), so offline/reconnect tests mean the same thing against both servers; BLOB values
// come out as Uint8Array, so the D7 Buffer defect does not occur.

import fs from 'node:fs';
import path from 'node:path';

import { cryb64 } from '@vlcn.io/ws-common';
import { throttle } from 'throttle-debounce';

import { WasmDb } from './wasm_sqlite.mjs';

function hasPathParts(s) {
  return s.includes('..') || s.includes('/') || s.includes('\\');
}

function readSchema(config, schemaName) {
  if (hasPathParts(schemaName)) {
    throw new Error(`${schemaName} must not include '..', '/', or '\\'`);
  }
  return fs.readFileSync(path.join(config.schemaFolder, schemaName), 'utf-8');
}

export class ReferenceRoomDb {
  static async open(config, room, schemaName, schemaVersion) {
    if (hasPathParts(room)) throw new Error(`${room} must not include '..', '/', or '\\'`);
    const db = await WasmDb.open({ integers: 'bigint', numbers: 'real' });
    try {
      return new ReferenceRoomDb(db, config, schemaName, schemaVersion);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  constructor(db, config, schemaName, schemaVersion) {
    this.db_ = db;
    this.changeCallbacks_ = new Set();
    this.notifyOfChange_ = throttle(config.notifyLatencyMs || 50, () => {
      for (const cb of this.changeCallbacks_) {
        try {
          cb();
        } catch (e) {
          console.warn(e);
        }
      }
    });
    const storedName = db.all(`SELECT value FROM crsql_master WHERE key = 'schema_name'`)[0]?.[0];
    if (storedName == null) {
      this.applySchema_(config, schemaName, schemaVersion);
    } else if (storedName !== schemaName) {
      throw new Error(`${schemaName} requested but the db is already configured with ${storedName}`);
    }
    this.schemaName_ = schemaName;
    this.schemaVersion_ = schemaVersion;
    this.getLastSeen_ = db.prepare(
        `SELECT version, seq FROM crsql_tracked_peers WHERE site_id = ? AND tag = 0 AND event = 0`);
    this.getChanges_ = db.prepare(
        `SELECT "table", "pk", "cid", "val", "col_version", "db_version", NULL, "cl", "seq" ` +
        `FROM "crsql_changes" WHERE "db_version" > ? AND "site_id" IS NOT ?`);
    this.applyChange_ = db.prepare(
        `INSERT INTO crsql_changes ("table", "pk", "cid", "val", "col_version", "db_version", ` +
        `"site_id", "cl", "seq") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.setLastSeen_ = db.prepare(
        `INSERT INTO crsql_tracked_peers (site_id, tag, event, version, seq) VALUES (?, 0, 0, ?, ?)
        ON CONFLICT DO UPDATE SET
          "version" = MAX("version", excluded."version"),
          "seq" = CASE "version" > excluded."version" WHEN 1 THEN "seq" ELSE excluded."seq" END`);
    this.siteId_ = db.all('SELECT crsql_site_id()')[0][0];
  }

  get siteId() { return this.siteId_; }
  get schemaName() { return this.schemaName_; }
  get schemaVersion() { return this.schemaVersion_; }

  getLastSeen(site) {
    const row = this.getLastSeen_.all([site])[0];
    if (row == null) return [0n, 0];
    return [row[0], Number(row[1])];
  }

  applyChangesetAndSetLastSeen(changes, siteId, newLastSeen) {
    this.db_.transaction(() => {
      for (const c of changes) {
        this.applyChange_.run([c[0], c[1], c[2], c[3], c[4], c[5], siteId, c[7], c[8]]);
      }
      this.setLastSeen_.run([siteId, newLastSeen[0], newLastSeen[1]]);
    });
    this.notifyOfChange_();
    return Promise.resolve();
  }

  pullChangeset(since, excludeSite) {
    return this.getChanges_.all([since[0], excludeSite]);
  }

  schemasMatch(schemaName, schemaVersion) {
    return schemaName === this.schemaName_ && schemaVersion === this.schemaVersion_;
  }

  // Same name, new version: like ws-server, only the version of the file on disk is reachable.
  migrateTo(config, schemaVersion) {
    const content = readSchema(config, this.schemaName_);
    const resident = cryb64(content);
    if (resident !== schemaVersion) {
      throw new Error(`Server has schema version ${resident} but client requested ${schemaVersion}`);
    }
    this.db_.transaction(() => {
      this.db_.all('SELECT crsql_automigrate(?)', [content]);
      this.db_.all(`INSERT OR REPLACE INTO crsql_master (key, value) VALUES (?, ?)`,
                   ['schema_version', schemaVersion]);
    });
    this.schemaVersion_ = schemaVersion;
  }

  onChange(cb) {
    this.changeCallbacks_.add(cb);
    return () => this.changeCallbacks_.delete(cb);
  }

  // ws-server closes a room when its last client leaves; here the room is kept (see above).
  close() {}

  dispose() {
    this.db_.close();
  }

  applySchema_(config, name, version) {
    const content = readSchema(config, name);
    const resident = cryb64(content);
    if (resident !== version) {
      throw new Error(`Server has schema version ${resident} but client requested ${version}`);
    }
    this.db_.transaction(() => {
      this.db_.exec(content);
      this.db_.all(`INSERT OR REPLACE INTO crsql_master (key, value) VALUES (?, ?)`,
                   ['schema_version', version]);
      this.db_.all(`INSERT OR REPLACE INTO crsql_master (key, value) VALUES (?, ?)`,
                   ['schema_name', name]);
    });
  }
}

// The factory handed to attachWebsocketServer(): one ReferenceRoomDb per room, reused when the
// room is opened again.
export class ReferenceDbFactory {
  constructor() {
    this.rooms_ = new Map();
  }

  async createDB(config, _fsnotify, room, schemaName, schemaVersion) {
    let db = this.rooms_.get(room);
    if (db === undefined) {
      db = await ReferenceRoomDb.open(config, room, schemaName, schemaVersion);
      this.rooms_.set(room, db);
    } else if (db.schemaName !== schemaName) {
      throw new Error(`${schemaName} requested but the db is already configured with ${db.schemaName}`);
    } else if (db.schemaVersion !== schemaVersion) {
      db.migrateTo(config, schemaVersion);
    }
    return db;
  }

  dispose() {
    for (const db of this.rooms_.values()) db.dispose();
    this.rooms_.clear();
  }
}
