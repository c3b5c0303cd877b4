// Builds realistic change records the way a real client's crsql_changes produces them for an
// INSERT into the todo table (one record per non-pk column, col_version 1, cl 1, seq counting up,
// the author's db_version, site_id NULL on the wire like ws-client) plus the cr-sqlite packed
// primary key (crsqlite-0.16-behaviour.md: column count, then per column a type/length byte and
// the bytes; TEXT = type 3 with the length's byte count in the high bits). No npm imports:
// bench/load uses this file too.

const encoder = new TextEncoder();

// Packed pk of a single TEXT column (length < 2^32).
export function packTextPk(text) {
  const bytes = encoder.encode(text);
  const lenBytes = [];
  for (let n = bytes.length; n > 0; n = Math.floor(n / 256)) lenBytes.unshift(n % 256);
  const header = (lenBytes.length << 3) | 3;
  return Uint8Array.from([1, header, ...lenBytes, ...bytes]);
}

// The change records of `INSERT INTO todo (id, text, completed, list) VALUES (...)` committed as
// the author's db_version `dbVersion`. Values use the browser's wire types (numbers as Float64).
export function todoInsertChanges(id, { text, completed = 0, list = null }, dbVersion) {
  const pk = packTextPk(id);
  const v = BigInt(dbVersion);
  return [
    ['todo', pk, 'completed', completed, 1n, v, null, 1n, 0],
    ['todo', pk, 'list', list, 1n, v, null, 1n, 1],
    ['todo', pk, 'text', text, 1n, v, null, 1n, 2],
  ];
}
