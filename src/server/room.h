// Room: one sync room — its SQLite database, the sessions of its connections, group commit and
// fan-out (docs/server.md).
//
// A room is created by the RoomRegistry on a connection's arrival and lives on its own strand:
// the database, the SqliteStore and every session of the room are touched only by tasks running
// on that strand (WsTransport posts every connection event there). The database is opened when
// the first connection is added and closed when the last one leaves.
//
// Group commit: the first batch a session applies opens a transaction (BEGIN IMMEDIATE) and
// posts a commit task to the strand; every batch applied before that task runs — i.e. the
// messages of all the room's connections that were already queued — joins the same transaction.
// A refused batch only fails its own session: the room keeps a copy of the group's batches, and
// when one fails it rolls the group back and applies the others again (the same statements on
// the same state give the same result), which is cheaper than a savepoint per batch (each
// savepoint journals every page it touches). If that redo fails, the group is abandoned like a
// failed COMMIT (below). The commit task
// runs COMMIT once and then notifies the store's listeners: each session's OnLocalChange, which
// posts one coalesced pull per session (fan-out). Any read through a session's RoomStore
// (pull, schema, last-seen) commits an open group first, so nothing uncommitted is ever sent or
// reported. If COMMIT fails, the group is rolled back and every session whose batch was in it is
// closed (1011): their in-memory cursors are ahead of the disk, and a reconnect re-announces
// from what was really stored.
//
// Threading: everything except name(), strand() and the constructor runs on strand(); the
// destructor runs on the strand or after the event loop stopped.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "net/event_loop.h"
#include "protocol/message.h"
#include "server/room_change_cache.h"
#include "server/room_db.h"
#include "server/room_schema.h"
#include "server/server_metrics.h"
#include "sync/session.h"
#include "sync/sqlite_store.h"
#include "wslink/ws_transport.h"

namespace crsync::server {

class RoomPeer;
class RoomRegistry;

// What every room of a server shares. Immutable while rooms exist.
struct RoomServices {
  std::string db_folder;  // "": every room is in memory
  SchemaFolder schemas{""};
  ServerMetrics* metrics = nullptr;  // required
  // Batch limits and decode options of the sessions; post and max_buffered_bytes are set by
  // the room.
  sync::SessionOptions session_options;
};

class Room : public std::enable_shared_from_this<Room> {
 public:
  Room(std::string name, std::shared_ptr<net::Strand> strand, const RoomServices& services,
       RoomRegistry& registry);
  ~Room();
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  const std::string& name() const { return name_; }
  const std::shared_ptr<net::Strand>& strand() const { return strand_; }

  // Adds a connection (its RoomRegistry reference was taken by Acquire): opens the database if
  // needed and starts a server session on the transport. On failure the connection is closed
  // (1011) and the reference released.
  void AddPeer(std::shared_ptr<wslink::WsTransport> transport, bool read_only);

  // ---- for RoomPeer and RoomStore (strand only) ----
  sync::SqliteStore& store() { return *store_; }
  // A pull for a session: from the change cache when it covers request.since, else SQLite.
  Result<sync::PullResult> Pull(const sync::PullRequest& request);
  ServerMetrics& metrics() { return *services_.metrics; }
  // The OnAnnounce hook: brings the database to the announced schema (room_schema.h).
  Status PrepareSchema(uint64_t peer_id, const protocol::AnnouncePresence& announce);
  // Applies a batch inside the room's open group transaction (opening one if needed).
  Status ApplyGrouped(uint64_t peer_id, const SiteId& sender,
                      std::span<const protocol::Change> changes, const protocol::Cursor& last_seen);
  // Commits the open group, if any, and notifies.
  void FlushGroup();
  // The peer's session ended: removes it after the current task (never inside its callbacks).
  void RemovePeerLater(uint64_t peer_id);

  // For tests: sessions in the room, and whether the database is open (strand only).
  std::size_t peer_count() const { return peers_.size(); }
  bool database_open() const { return store_ != nullptr; }

 private:
  Status OpenDatabase();
  void CloseDatabase();
  // Re-reads the cache's range from the database (after writes outside the group commit).
  void ResetCache();
  void RemovePeer(uint64_t peer_id);
  // After a batch failed inside the group: rolls the group back and applies its batches again.
  Status RedoGroup();
  // Records each sender's last-seen cursor of the group (before its COMMIT).
  Status RecordGroupLastSeens();
  // Rolls back the open group and closes (1011) every session that had a batch in it.
  void AbandonGroup(const Status& why);
  void AssertOnStrand() const;

  const std::string name_;
  const std::shared_ptr<net::Strand> strand_;
  const RoomServices& services_;
  RoomRegistry& registry_;

  std::optional<RoomDb> db_;
  std::unique_ptr<sync::SqliteStore> store_;
  RoomChangeCache cache_;  // refreshed after every COMMIT, reset after schema steps
  std::map<uint64_t, std::unique_ptr<RoomPeer>> peers_;
  uint64_t next_peer_id_ = 1;

  // The open group transaction.
  bool group_open_ = false;
  std::set<uint64_t> group_members_;
  struct GroupBatch {
    SiteId sender;
    std::vector<protocol::Change> changes;
    protocol::Cursor last_seen;
  };
  std::vector<GroupBatch> group_batches_;  // applied in the open group, in order
  std::chrono::steady_clock::time_point group_started_;
};

}  // namespace crsync::server
