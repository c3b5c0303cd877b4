// Type declarations of the crsync browser API (web/src/index.js, shipped as dist/index.js).

/** A value SQLite can store. INTEGERs beyond ±2^53 come back as bigint; BLOBs as Uint8Array. */
export type SqlValue = null | number | bigint | string | Uint8Array;
/** Values that can be bound: booleans bind as 1/0, ArrayBuffers as BLOBs. */
export type BindValue = SqlValue | boolean | ArrayBuffer | undefined;
/** Positional (?, ?NNN) or named (:name, @name, $name; keys without the prefix) parameters. */
export type Params = BindValue[] | Record<string, BindValue>;
export type Row = Record<string, SqlValue>;

export interface ExecResult {
  /** Rows changed by the last statement (0 for reads). */
  changes: number;
}

/** 'connecting' → 'syncing' → 'up-to-date'; 'offline' while the server is unreachable (retried
 * with backoff); 'error' when the server refuses the session (e.g. schema mismatch), with the
 * reason in `detail`. */
export type SyncStatus = 'connecting' | 'syncing' | 'up-to-date' | 'offline' | 'error';

export interface SyncStatusEvent {
  status: SyncStatus;
  detail: string | null;
}

export interface OpenOptions {
  /** 'auto' (default): OPFS where available, else IndexedDB. 'memory' keeps nothing. */
  storage?: 'auto' | 'opfs' | 'idb' | 'memory';
  /** Where worker.js is served, if not next to index.js. */
  workerUrl?: string | URL;
}

export interface SyncOptions {
  /** The room (one server database). Latin-1 only, no ',' or '=' (the vlcn subprotocol). */
  room: string;
  /** Sent as the ws-client 0.2.0 `auth` token. */
  token?: string;
}

export interface Transaction {
  exec(sql: string, params?: Params): Promise<ExecResult>;
  query(sql: string, params?: Params): Promise<Row[]>;
  execMany(sql: string, paramsList: Params[]): Promise<ExecResult>;
}

export interface SyncHandle {
  readonly url: string;
  readonly room: string;
  readonly status: SyncStatus | null;
  readonly detail: string | null;
  /** Called on every status change; returns an unsubscribe function. */
  onStatus(callback: (event: SyncStatusEvent) => void): () => void;
  /** Resolves once the status is `status` (now or later); rejects after timeoutMs. */
  waitFor(status: SyncStatus, timeoutMs?: number): Promise<void>;
  /** Stops this sync (for every tab of the database). */
  stop(): Promise<void>;
}

export interface Database {
  readonly name: string;
  /** Runs every statement of sql; params bind to each statement that has parameters. */
  exec(sql: string, params?: Params): Promise<ExecResult>;
  /** Rows of the last statement of sql, as objects keyed by column name. */
  query(sql: string, params?: Params): Promise<Row[]>;
  /** Runs sql once per parameter set, atomically (in its own transaction if none is open). */
  execMany(sql: string, paramsList: Params[]): Promise<ExecResult>;
  /** Commits when fn resolves, rolls back when it throws. Every other request (from any tab,
   * including this Database's own exec/query) waits until it ends: inside fn, use `tx`. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Applies a schema like the native client (and crsqlite-wasm's automigrateTo): runs it on a
   * database without one, migrates with crsql_automigrate when its text changed, and records
   * name and version (cryb64 of the text) for the sync handshake. */
  applySchema(name: string, sql: string): Promise<'unchanged' | 'applied' | 'migrated'>;
  /** Called after commits (local, other tabs', or synced) that changed the given tables
   * (null: any table). Returns an unsubscribe function. */
  onChange(
    tables: string | string[] | null,
    callback: (event: { tables: string[] }) => void,
  ): () => void;
  /** Starts syncing with a crsync-server (or @vlcn.io/ws-server) room at url (ws:// or wss://). */
  startSync(url: string, options: SyncOptions): Promise<SyncHandle>;
  stopSync(url: string, room?: string): Promise<null>;
  syncStatus(): Promise<
    Array<{ url: string; room: string; status: SyncStatus | null; detail: string | null }>
  >;
  /** The file backend in use: 'opfs', 'idb' or 'memory'. */
  storage(): Promise<'opfs' | 'idb' | 'memory'>;
  /** Whether this tab's Worker owns the database file (other tabs go through it). */
  isOwner(): Promise<boolean>;
  /** Ends this tab's Worker (another tab takes the database over if needed). */
  close(): void;
}

/** Opens (creating) the database `name`; one Worker per name per page. */
export function openDatabase(name: string, options?: OpenOptions): Promise<Database>;
/** openDatabase(dbName) then startSync(url, options). */
export function startSync(dbName: string, url: string, options: SyncOptions): Promise<SyncHandle>;
export function stopSync(dbName: string, url: string, room?: string): Promise<null>;
