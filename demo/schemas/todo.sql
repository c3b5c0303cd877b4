-- Todo-list schema for the crsync demos (web demo, CLI examples, interop tests).
-- The server applies it to a room the first time a client announces schema "todo.sql" with
-- version cryb64(this file's text); editing this file changes the version (clients must match).
CREATE TABLE IF NOT EXISTS todo (
  id PRIMARY KEY NOT NULL,
  text TEXT NOT NULL DEFAULT '',
  completed INTEGER NOT NULL DEFAULT 0,
  list TEXT NOT NULL DEFAULT 'default',
  created_at INTEGER NOT NULL DEFAULT 0
);
SELECT crsql_as_crr('todo');
