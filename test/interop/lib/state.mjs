// Comparable snapshots of a replica's state: the todo rows, and the crsql_changes-derived cell
// state {(table, pk, cid) -> (value with its storage class, col_version, cl)}, which leaves out
// what legitimately differs between replicas (db_version, seq, attribution). The server's cell
// state is read over the protocol: a fresh raw client announces with no lastSeens and receives
// the whole room.

import { bytesToHex } from '@vlcn.io/ws-common';

import { RawClient, tags } from './raw_client.mjs';
import { kSchemaName, kSchemaVersion, randomSiteId } from './fixtures.mjs';

export function clientRows(clientDb) {
  return clientDb.query('SELECT id, text, completed, list FROM todo ORDER BY id')
      .map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

export function clientCells(clientDb) {
  const rows = clientDb.query(
      'SELECT "table", hex(pk), cid, quote(val), col_version, cl FROM crsql_changes');
  const cells = {};
  for (const [table, pk, cid, val, colVersion, cl] of rows) {
    cells[`${table}|${pk.toLowerCase()}|${cid}`] = `${val}|${colVersion}|${cl}`;
  }
  return sorted(cells);
}

// SQLite's quote() of a value decoded from the wire (typed as in ws-common).
export function quoteWireValue(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}.0` : String(v);
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
  if (v instanceof Uint8Array) return `X'${bytesToHex(v).toUpperCase()}'`;
  return `?${String(v)}`;
}

export function cellsFromChanges(changes) {
  const cells = {};
  for (const c of changes) {
    cells[`${c[0]}|${bytesToHex(c[1])}|${c[2]}`] = `${quoteWireValue(c[3])}|${c[4]}|${c[7]}`;
  }
  return sorted(cells);
}

// Everything the server holds for `room`, as cells; bounded by timeoutMs.
export async function serverCells(url, room, { token, timeoutMs = 10000 } = {}) {
  const raw = await RawClient.connect(url, { room, token });
  if (raw.refused) throw new Error(`snapshot connect refused: ${JSON.stringify(raw.refused)}`);
  try {
    raw.announce({ sender: randomSiteId(), schemaName: kSchemaName, schemaVersion: kSchemaVersion });
    if (!(await raw.waitForTag(tags.StartStreaming, 1, timeoutMs))) {
      throw new Error(`no StartStreaming from the server (closed: ${JSON.stringify(raw.closed)})`);
    }
    await raw.waitForQuiet(300, timeoutMs);
    return cellsFromChanges(raw.messagesOf(tags.Changes).flatMap((m) => m.changes));
  } finally {
    raw.close();
  }
}

function sorted(obj) {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
