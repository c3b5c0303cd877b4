// Store: what the sync session needs from a database (sync-protocol.md §4.5, §4.8).
//
// A Store is the session's only view of data: its site id, the schema it carries, the changes
// to send (a pull since a cursor), applying a received batch together with the sender's
// last-seen cursor, and the recorded last-seen cursors. SqliteStore (sqlite_store.h) implements
// it over one SQLite connection with the crsqlite engine; tests and the browser can provide
// others. Several sessions may share one Store (a server room): each pull is independent and
// an apply is one atomic step.
//
// Change notification: a Store tells its listeners, synchronously and after the commit, that
// new changes may be available (after ApplyChanges committed something, and whenever the owner
// reports local writes through NotifyChanged). Owners forward that to Session::OnLocalChange of
// every session on the store; the session itself does not subscribe.
//
// Threading: a Store is used from one executor at a time (the room's strand, the client's
// thread, the browser Worker). Nothing here is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/site_id.h"
#include "common/status.h"
#include "protocol/message.h"
#include "sync/change_notifier.h"

namespace crsync::sync {

// The schema a database carries: crsql_master keys `schema_name` and `schema_version` (the
// cryb64 of the schema text, §5). A database without them reports name "" and version -1, as
// ws-browserdb reads a missing version.
struct SchemaInfo {
  std::string name;
  int64_t version = -1;
  friend bool operator==(const SchemaInfo&, const SchemaInfo&) = default;
};

// What to pull: changes with db_version > since_db_version, in ascending (db_version, seq)
// order, whole db_versions only.
struct PullRequest {
  int64_t since_db_version = 0;
  // Changes attributed to these sites are left out (the server excludes the connected client,
  // the client excludes the server: echo suppression, §4.6).
  std::vector<SiteId> exclude_sites;
  // Only changes attributed to the local site (StartStreaming.localOnly).
  bool local_only = false;
  // Soft limits of one batch: the pull stops at the first db_version boundary at or after
  // either limit. A single db_version larger than the limits is returned whole (§4.2 rule 2).
  size_t max_changes = 1000;
  size_t max_bytes = 1 << 20;  // estimated encoded size (EstimateEncodedSize)
  // Fill Change::site_id with the author's site id; otherwise leave it empty (what the
  // reference peers send, §4.6).
  bool include_site_ids = false;
};

struct PullResult {
  std::vector<protocol::Change> changes;
  // Instead of `changes` (which is then empty), a store that keeps its recent changes encoded
  // (the server's change cache) may answer with protocol::EncodeChange records, in order. They
  // point into the store's memory: valid until the store is next written or refreshed, so use
  // them at once (Session encodes its message right away).
  std::vector<std::span<const uint8_t>> records;
  // db_version of the last change (of `changes` or `records`); 0 when there is none.
  int64_t last_db_version = 0;
  // True when the pull stopped at a limit and more changes may follow the last one.
  bool truncated = false;

  size_t size() const { return changes.size() + records.size(); }
  bool empty() const { return size() == 0; }
};

class Store {
 public:
  virtual ~Store() = default;

  // crsql_site_id() of the database. Constant for the store's lifetime.
  virtual const SiteId& site_id() const = 0;

  // The schema currently recorded (see SchemaInfo). Errors: the database failed.
  virtual Result<SchemaInfo> Schema() = 0;

  // Changes to send (see PullRequest). Errors: the database failed (kInternal) or is busy
  // (kUnavailable).
  virtual Result<PullResult> PullChanges(const PullRequest& request) = 0;

  // Applies one received batch in ONE transaction: every change is merged into crsql_changes
  // attributed to `sender` (whatever its own site_id field says, §4.5/§4.6), then sender's
  // last-seen cursor is raised to `last_seen` (crsql_tracked_peers upsert, tag 0, event 0). On
  // any failure nothing is kept. After a commit that changed the database the change listeners
  // run. Errors: kInvalidArgument for a change the engine refuses (unknown table or column,
  // malformed pk), kUnavailable when busy, kInternal otherwise. (SqliteStore called inside the
  // owner's open transaction applies in a savepoint and leaves commit and notification to the
  // owner; see sqlite_store.h.)
  virtual Status ApplyChanges(const SiteId& sender, std::span<const protocol::Change> changes,
                              const protocol::Cursor& last_seen) = 0;

  // The recorded last-seen cursor of peer (tag 0, event 0), or nullopt if there is none.
  virtual Result<std::optional<protocol::Cursor>> LastSeen(const SiteId& peer) = 0;

  // Every recorded last-seen cursor (all crsql_tracked_peers rows with a 16-byte site id), the
  // lastSeens of an AnnouncePresence (§4.5).
  virtual Result<std::vector<protocol::LastSeen>> AllLastSeens() = 0;

  // The store's change listeners (see file comment): owners Add() a callback that forwards to
  // Session::OnLocalChange and Remove() it with the returned id when the session ends.
  virtual ChangeNotifier& notifier() = 0;
};

// Approximate size of a change once encoded (within a few bytes); used for batch limits.
size_t EstimateEncodedSize(const protocol::Change& change);

}  // namespace crsync::sync
