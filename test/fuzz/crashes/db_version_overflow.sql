-- Reproducer (found by changes_insert_fuzz): a merged change with db_version = INT64_MAX makes
-- the local db_version INT64_MAX; the next local write computes db_version + 1 in
-- ExtData::NextDbVersion (src/crsqlite/ext_data.cpp) -> signed overflow (UB; UBSan:
-- "signed integer overflow: 9223372036854775807 + 1 cannot be represented in type 'long'").
-- Without sanitizers the new row is recorded with db_version 0 (real cr-sqlite 0.16 wasm
-- records -1), i.e. below every peer's cursor, so it is never synced.
-- Run: sqlite3 :memory: < test/fuzz/crashes/db_version_overflow.sql   (from the repo root,
-- after building build/crsqlite.so; use a -fsanitize=undefined build to see the UB report)
.load build/crsqlite
CREATE TABLE t (id INTEGER PRIMARY KEY NOT NULL, a);
SELECT crsql_as_crr('t');
INSERT INTO crsql_changes VALUES
  ('t', x'010902', 'a', 5, 1, 9223372036854775807, x'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 1, 0);
SELECT 'after merge', crsql_db_version();             -- 9223372036854775807
INSERT INTO t VALUES (3, 3);                           -- overflow here
SELECT 'after local insert', crsql_db_version();
SELECT 'changes', hex(pk), cid, db_version FROM crsql_changes;
SELECT crsql_finalize();
