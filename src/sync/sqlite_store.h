// SqliteStore: the Store over one SQLite connection with the crsqlite engine loaded.
//
// The SQL is the reference sync layers' (sync-protocol.md §4.5; behaviour spec §3.3, §15):
//   pull    SELECT "table","pk","cid","val","col_version","db_version","site_id","cl","seq"
//           FROM crsql_changes WHERE "db_version" > ? AND "site_id" IS NOT ?
//           [AND "db_version" <= ?] ORDER BY "db_version","seq"
//           The site_id column is read only to filter further excluded sites and for
//           PullRequest::include_site_ids; by default the wire carries NULL, like both
//           reference peers. The optional upper bound walks a large backlog in db_version
//           windows so that one batch never makes the engine materialise the whole backlog.
//   apply   BEGIN IMMEDIATE; INSERT INTO crsql_changes (all nine columns) per change with
//           site_id = the sender; the crsql_tracked_peers upsert
//             version = MAX(version, new), seq = CASE version > new WHEN 1 THEN seq ELSE new END
//           (tag 0, event 0); COMMIT, or ROLLBACK on any error. Called while the owner has a
//           transaction open on the connection (a server room's group commit), the batch runs
//           in SAVEPOINT crsync_apply instead (released, or rolled back to on error) and nothing
//           is notified: the owner commits and then calls NotifyChanged().
//   schema  crsql_master keys 'schema_name' (TEXT) and 'schema_version' (INTEGER).
//
// Values keep their storage class both ways (§7.1): INTEGER <-> BigInt64 (type 1), REAL <->
// Float64 (type 2), TEXT <-> string, BLOB <-> bytes, NULL <-> NULL. A received BOOL (type 4, which
// no reference peer can apply) is bound as INTEGER 1/0. Received Float64 values are bound as REAL
// even when integral (reference server parity; column affinity then decides), so a browser's
// integer in an INTEGER column still lands as INTEGER.
//
// Change notification: the store notifies its listeners after an ApplyChanges commit that moved
// crsql_db_version(). Local writes made by the owner on the same connection are not seen
// automatically (the engine owns the connection's commit hook, behaviour spec §16.22): the owner
// calls NotifyChanged() after them, or calls PollForChanges() periodically, which compares
// crsql_db_version() with the last version notified. Because the engine reloads that version when
// PRAGMA data_version changes, polling also catches commits by other connections and processes.
//
// Ownership: the connection is borrowed and must outlive the store; destroy the store (it
// finalizes its prepared statements) before running crsql_finalize() and closing the connection.
// Threading: one executor at a time, like the connection itself.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sync/store.h"

namespace crsync::sync {

// The batching and filtering rules of a pull, in one place: SqliteStore's SQL pull and any cache
// of crsql_changes rows (the server's RoomChangeCache) feed it the rows of crsql_changes in
// (db_version, seq) order and get identical batches. Per row, in this order: the SQL filter
// `site_id IS NOT <first excluded site, or NULL>`; the limit check (stop at the first db_version
// boundary once max_changes or max_bytes is reached: truncated); local_only; the further
// excluded sites.
class PullBatcher {
 public:
  enum class Verdict { kTake, kSkip, kStop };

  PullBatcher(const PullRequest& request, const SiteId& local_site);

  // Whether a row with this db_version and site (nullopt: NULL) joins the batch. kStop marks
  // the result truncated; the caller must not offer more rows.
  Verdict Check(int64_t db_version, const std::optional<SiteId>& site);
  // Adds a change that Check accepted.
  void Take(protocol::Change change);
  // Adds an encoded change (protocol::EncodeChange) that Check accepted, with the
  // EstimateEncodedSize of the change it was made from. A result holds either kind, not both.
  void TakeRecord(std::span<const uint8_t> record, size_t estimated_size, int64_t db_version);

  const PullRequest& request() const { return request_; }
  PullResult& result() { return out_; }

 private:
  const PullRequest& request_;
  const SiteId& local_site_;
  PullResult out_;
  size_t bytes_ = 0;
};

// One row of crsql_changes with its author (nullopt when the column is NULL).
struct StoredChange {
  protocol::Change change;  // site_id left empty
  std::optional<SiteId> site;
};

class SqliteStore final : public Store {
 public:
  // Wraps db, which must have the engine loaded (sqlite3_crsqlite_init). Errors: kInvalidArgument
  // for a null db, kFailedPrecondition when crsql_site_id() is unavailable or malformed.
  static Result<std::unique_ptr<SqliteStore>> Open(sqlite3* db);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  const SiteId& site_id() const override { return site_id_; }
  Result<SchemaInfo> Schema() override;
  Result<PullResult> PullChanges(const PullRequest& request) override;
  Status ApplyChanges(const SiteId& sender, std::span<const protocol::Change> changes,
                      const protocol::Cursor& last_seen) override;
  Result<std::optional<protocol::Cursor>> LastSeen(const SiteId& peer) override;
  Result<std::vector<protocol::LastSeen>> AllLastSeens() override;
  ChangeNotifier& notifier() override { return notifier_; }

  // Inserts a batch's changes inside the caller's open transaction, without a savepoint of its
  // own and without recording the sender's last-seen cursor (the server's group commit: it
  // records one cursor per sender before its COMMIT with RecordLastSeen, and rolls back and
  // redoes its group when a batch fails, which is cheaper than a savepoint per batch). On error
  // the transaction may hold part of the batch, so the caller must roll it back. Errors: as
  // ApplyChanges; kFailedPrecondition outside a transaction. Does not notify.
  Status ApplyInOpenTransaction(const SiteId& sender, std::span<const protocol::Change> changes);

  // Records that we hold peer's changes up to cursor (crsql_tracked_peers; never moves a stored
  // cursor back: a lower db_version is ignored, an equal one takes the new seq). Errors:
  // kInternal.
  Status RecordLastSeen(const SiteId& peer, const protocol::Cursor& cursor);

  // Records the schema name and version in crsql_master (what the server does after creating or
  // migrating a room's schema, §4.8; what automigrateTo does on a client). Errors: kInternal.
  Status SetSchema(const SchemaInfo& schema);

  // crsql_db_version(). Errors: kInternal.
  Result<int64_t> DbVersion();

  // Every crsql_changes row with lo < db_version <= hi, in (db_version, seq) order, no filter
  // and no limit. Errors: kInternal; kFailedPrecondition for a site_id that is neither NULL
  // nor 16 bytes.
  Result<std::vector<StoredChange>> ChangesInRange(int64_t lo, int64_t hi);

  // Runs the change listeners, and remembers the current crsql_db_version() as notified.
  void NotifyChanged();

  // Runs the change listeners if crsql_db_version() moved past the last notified version.
  // Returns whether it did. Errors are swallowed (returns false): polling retries anyway.
  bool PollForChanges();

  sqlite3* db() const { return db_; }

 private:
  struct StmtDeleter {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

  explicit SqliteStore(sqlite3* db) : db_(db) {}
  // The cached statement for sql (prepared on first use, reset and unbound on return).
  Result<sqlite3_stmt*> Cached(Stmt& slot, const char* sql);
  Status Exec(const char* sql);
  Status SqlError(std::string_view what);
  // Appends the changes of (lo, hi] (hi = nullopt: unbounded) to out, whole db_versions,
  // stopping after the first db_version boundary at which a limit of request is reached.
  // Returns false once the batcher stopped (truncated).
  Result<bool> PullWindow(int64_t lo, std::optional<int64_t> hi, PullBatcher& batcher);
  Status InsertChanges(const SiteId& sender, std::span<const protocol::Change> changes);
  Status ApplyInTransaction(const SiteId& sender, std::span<const protocol::Change> changes,
                            const protocol::Cursor& last_seen);
  Status ApplyInSavepoint(const SiteId& sender, std::span<const protocol::Change> changes,
                          const protocol::Cursor& last_seen);

  sqlite3* db_;
  SiteId site_id_{};
  ChangeNotifier notifier_;
  int64_t notified_version_ = -1;
  Stmt pull_;
  Stmt pull_bounded_;
  Stmt range_;
  Stmt insert_change_;
  Stmt upsert_peer_;
  Stmt last_seen_;
  Stmt all_last_seens_;
  Stmt schema_;
  Stmt db_version_;
};

}  // namespace crsync::sync
