// The todo schema every interop test and the load benchmark use (schema file name todo.sql).
// Typed columns only, so every value has the same storage class on every peer (an untyped column
// may flip INTEGER/REAL between browser and server, sync-protocol.md §7.1). No npm imports:
// bench/load uses this file too.

export const kSchemaName = 'todo.sql';
export const kSchemaText = `CREATE TABLE IF NOT EXISTS todo (
  id TEXT PRIMARY KEY NOT NULL,
  text TEXT,
  completed INTEGER NOT NULL DEFAULT 0,
  list TEXT
);
SELECT crsql_as_crr('todo');
`;
