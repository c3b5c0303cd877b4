// A browser-like client database for the REAL @vlcn.io/ws-client 0.2.0: the real cr-sqlite 0.16
// wasm engine with wa-sqlite's value conventions (small integers read as Numbers, int32 Numbers
// bound as INTEGER), the schema installed the way crsqlite-wasm's automigrateTo does it on a fresh database, and an
// adapter with exactly ws-browserdb 0.2.0's SQL (sync-protocol.md §4.3, §4.5): pull with
// excludeSites[0] only (localOnly ignored), apply + crsql_tracked_peers upsert in one transaction,
// every tracked-peers row as lastSeens, schema name/version from crsql_master.
//
// The database outlives sync sessions: ws-client's stop() closes the adapter, not the database,
// so a test can go "offline", write, and start a new session on the same data.

import { cryb64 } from '@vlcn.io/ws-common';

import { WasmDb } from './wasm_sqlite.mjs';

export class ClientDb {
  static async create(schemaName, schemaText) {
    const db = await WasmDb.open({ integers: 'safe', numbers: 'int32' });
    db.transaction(() => {
      db.exec(schemaText);  // automigrateTo's "apply" path for a fresh database
      db.all(`INSERT OR REPLACE INTO crsql_master (key, value) VALUES ('schema_name', ?)`,
             [schemaName]);
      db.all(`INSERT OR REPLACE INTO crsql_master (key, value) VALUES ('schema_version', ?)`,
             [cryb64(schemaText)]);
    });
    return new ClientDb(db);
  }

  constructor(db) {
    this.db = db;
    this.siteId = db.all('SELECT crsql_site_id()')[0][0];
    this.listeners_ = new Set();
  }

  // A local write: runs the SQL, then tells the sync layer (the browser's update hook does this).
  write(sql, params = []) {
    const rows = this.db.all(sql, params);
    this.notify_();
    return rows;
  }

  // Several statements in one transaction, one notification.
  writeTx(statements) {
    this.db.transaction(() => {
      for (const [sql, params] of statements) this.db.all(sql, params ?? []);
    });
    this.notify_();
  }

  query(sql, params = []) {
    return this.db.all(sql, params);
  }

  close() {
    this.db.close();
  }

  // The ws-client `DB` interface (ws-client src/DB.ts) for one sync session.
  adapter() {
    const db = this.db;
    const self = this;
    const pull = db.prepare(
        `SELECT "table", "pk", "cid", "val", "col_version", "db_version", NULL, "cl", "seq" ` +
        `FROM crsql_changes WHERE db_version > ? AND site_id IS NOT ?`);
    const apply = db.prepare(
        `INSERT INTO crsql_changes ("table", "pk", "cid", "val", "col_version", "db_version", ` +
        `"site_id", "cl", "seq") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const setLastSeen = db.prepare(
        `INSERT INTO crsql_tracked_peers (site_id, tag, event, version, seq) VALUES (?, 0, 0, ?, ?)
        ON CONFLICT DO UPDATE SET
          "version" = MAX("version", excluded."version"),
          "seq" = CASE "version" > excluded."version" WHEN 1 THEN "seq" ELSE excluded."seq" END`);
    let closed = false;
    return {
      siteid: this.siteId,
      async pullChangeset(since, excludeSites, _localOnly) {
        if (closed) return [];
        return pull.all([since[0], excludeSites[0]]);
      },
      async applyChangesetAndSetLastSeen(changes, siteId, end) {
        if (closed) throw new Error('client adapter closed');
        db.transaction(() => {
          for (const c of changes) apply.run([c[0], c[1], c[2], c[3], c[4], c[5], siteId, c[7], c[8]]);
          setLastSeen.run([siteId, end[0], end[1]]);
        });
        self.notify_();
      },
      async getLastSeens() {
        return db.all('SELECT site_id, version, seq FROM crsql_tracked_peers')
            .map(([site, version, seq]) => [site, [BigInt(version), Number(seq)]]);
      },
      async getSchemaNameAndVersion() {
        const name = db.all(`SELECT value FROM crsql_master WHERE key = 'schema_name'`)[0]?.[0];
        const version = db.all(`SELECT value FROM crsql_master WHERE key = 'schema_version'`)[0]?.[0];
        return [name, BigInt(version ?? -1)];
      },
      onChange(cb) {
        self.listeners_.add(cb);
        return () => self.listeners_.delete(cb);
      },
      close() {
        closed = true;
        for (const s of [pull, apply, setLastSeen]) s.finalize();
      },
    };
  }

  notify_() {
    for (const cb of [...this.listeners_]) {
      Promise.resolve().then(cb).catch((e) => recordClientError(e));
    }
  }
}

// Errors thrown inside ws-client (its listeners throw on unexpected messages; a failed apply
// escapes as a rejection) are collected here instead of crashing the test process; tests assert
// on them.
export const clientErrors = [];

export function recordClientError(e) {
  clientErrors.push(e instanceof Error ? e : new Error(String(e)));
}
