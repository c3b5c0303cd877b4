// Room (see room.h): database lifetime, sessions, group commit and fan-out on one strand.
#include "server/room.h"

#include <cassert>
#include <filesystem>
#include <utility>

#include "server/log.h"
#include "server/room_name.h"
#include "server/room_peer.h"
#include "server/room_registry.h"

namespace crsync::server {

Room::Room(std::string name, std::shared_ptr<net::Strand> strand, const RoomServices& services,
           RoomRegistry& registry)
    : name_(std::move(name)), strand_(std::move(strand)), services_(services), registry_(registry) {}

Room::~Room() {
  peers_.clear();
  CloseDatabase();
}

void Room::AssertOnStrand() const {
  // Invariant (room.h): room state is touched only on the room's strand.
  assert(strand_->RunningInThisThread());
}

Status Room::OpenDatabase() {
  if (store_) return Status();
  std::string path;
  if (!services_.db_folder.empty() && name_ != kMemoryRoomName) {
    path = (std::filesystem::path(services_.db_folder) / name_).string();
  }
  CRSYNC_ASSIGN_OR_RETURN(RoomDb db, RoomDb::Open(path));
  CRSYNC_ASSIGN_OR_RETURN(std::unique_ptr<sync::SqliteStore> store, sync::SqliteStore::Open(db.get()));
  db_.emplace(std::move(db));
  store_ = std::move(store);
  ResetCache();
  services_.metrics->rooms_open.Add(1);
  Log(LogLevel::kInfo, "room opened",
      {{"room", name_}, {"storage", path.empty() ? std::string("memory") : path}});
  return Status();
}

void Room::CloseDatabase() {
  if (!store_) return;
  FlushGroup();
  store_.reset();
  db_.reset();  // crsql_finalize, close
  services_.metrics->rooms_open.Add(-1);
  Log(LogLevel::kInfo, "room closed", {{"room", name_}});
}

void Room::AddPeer(std::shared_ptr<wslink::WsTransport> transport, bool read_only) {
  AssertOnStrand();
  Status opened = OpenDatabase();
  if (!opened.ok()) {
    services_.metrics->Error(kErrorRoomOpen).Inc();
    Log(LogLevel::kError, "cannot open room", {{"room", name_}, {"error", opened.ToString()}});
    transport->Close(sync::kCloseInternalError, "cannot open the room's database");
    if (registry_.Release(*this)) CloseDatabase();
    return;
  }
  sync::SessionOptions options = services_.session_options;
  options.max_buffered_bytes = wslink::kSessionMaxBufferedBytes;
  options.post = [strand = strand_](std::function<void()> task) { strand->Post(std::move(task)); };
  const uint64_t id = next_peer_id_++;
  auto peer = std::make_unique<RoomPeer>(*this, id, std::move(transport), read_only,
                                         std::move(options));
  RoomPeer& added = *peer;
  peers_.emplace(id, std::move(peer));
  services_.metrics->connections.Add(1);
  // A server session's Start cannot fail on a fresh session; if it ever does, the session is
  // closed and its observer schedules the removal.
  added.Start();
}

void Room::RemovePeerLater(uint64_t peer_id) {
  strand_->Post([self = shared_from_this(), peer_id] { self->RemovePeer(peer_id); });
}

void Room::RemovePeer(uint64_t peer_id) {
  AssertOnStrand();
  auto it = peers_.find(peer_id);
  if (it == peers_.end()) return;
  group_members_.erase(peer_id);
  peers_.erase(it);
  services_.metrics->connections.Add(-1);
  if (registry_.Release(*this)) CloseDatabase();
}

Status Room::PrepareSchema(uint64_t peer_id, const protocol::AnnouncePresence& announce) {
  AssertOnStrand();
  FlushGroup();
  bool others_streaming = false;
  for (const auto& [id, peer] : peers_) {
    if (id != peer_id && peer->session().state() == sync::SessionState::kStreaming) {
      others_streaming = true;
    }
  }
  Status prepared = PrepareRoomSchema(*store_, services_.schemas, announce.schema_name,
                                      announce.schema_version, !others_streaming);
  ResetCache();  // a schema step may write (create, automigrate)
  return prepared;
}

void Room::ResetCache() {
  Status reset = cache_.Reset(*store_);
  if (!reset.ok()) {
    Log(LogLevel::kWarn, "change cache disabled",
        {{"room", name_}, {"error", reset.ToString()}});
  }
}

Result<sync::PullResult> Room::Pull(const sync::PullRequest& request) {
  AssertOnStrand();
  // The cache holds committed rows only, so it may answer while a group is open (the group's
  // COMMIT notifies again); only a read of the database itself must commit the group first.
  // Not cutting groups short at every pump keeps them large: one fsync for many batches.
  if (std::optional<sync::PullResult> cached = cache_.Pull(request, store_->site_id())) {
    services_.metrics->pulls_cached.Inc();
    return std::move(*cached);
  }
  FlushGroup();
  services_.metrics->pulls_sqlite.Inc();
  return store_->PullChanges(request);
}

Status Room::ApplyGrouped(uint64_t peer_id, const SiteId& sender,
                          std::span<const protocol::Change> changes,
                          const protocol::Cursor& last_seen) {
  AssertOnStrand();
  if (!group_open_) {
    CRSYNC_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE").WithContext("opening the room transaction"));
    group_open_ = true;
    group_started_ = std::chrono::steady_clock::now();
    // Runs after every message already queued on the strand: they all join this group.
    strand_->Post([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->FlushGroup();
    });
  }
  Status applied = store_->ApplyInOpenTransaction(sender, changes);
  if (applied.ok()) {
    group_members_.insert(peer_id);
    group_batches_.push_back(
        GroupBatch{sender, std::vector<protocol::Change>(changes.begin(), changes.end()), last_seen});
    return Status();
  }
  // The failed batch may have written part of itself: take it out of the group.
  Status redone = RedoGroup();
  if (!redone.ok()) AbandonGroup(redone);
  return applied;
}

Status Room::RedoGroup() {
  if (sqlite3_get_autocommit(db_->get()) == 0) {
    CRSYNC_RETURN_IF_ERROR(db_->Exec("ROLLBACK").WithContext("rolling back the group"));
  }
  CRSYNC_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE").WithContext("reopening the group"));
  for (const GroupBatch& batch : group_batches_) {
    CRSYNC_RETURN_IF_ERROR(
        store_->ApplyInOpenTransaction(batch.sender, batch.changes).WithContext("redoing the group"));
  }
  services_.metrics->group_redos.Inc();
  return Status();
}

void Room::AbandonGroup(const Status& why) {
  group_open_ = false;
  group_batches_.clear();
  std::set<uint64_t> members;
  members.swap(group_members_);
  if (sqlite3_get_autocommit(db_->get()) == 0) db_->Exec("ROLLBACK");
  services_.metrics->Error(kErrorCommitFailed).Inc();
  Log(LogLevel::kError, "group commit failed",
      {{"room", name_}, {"error", why.ToString()}, {"sessions", members.size()}});
  for (uint64_t id : members) {
    auto it = peers_.find(id);
    if (it != peers_.end()) {
      it->second->session().Close(sync::kCloseInternalError,
                                  "the server could not commit your changes; reconnect");
    }
  }
}

Status Room::RecordGroupLastSeens() {
  // One cursor per sender: the fold of its batches' cursors under RecordLastSeen's rule (the
  // highest db_version, the latest seq among equals) gives the row sequential upserts would.
  std::map<SiteId, protocol::Cursor> last;
  for (const GroupBatch& batch : group_batches_) {
    auto [it, inserted] = last.try_emplace(batch.sender, batch.last_seen);
    if (!inserted && batch.last_seen.db_version >= it->second.db_version) {
      it->second = batch.last_seen;
    }
  }
  for (const auto& [sender, cursor] : last) {
    CRSYNC_RETURN_IF_ERROR(store_->RecordLastSeen(sender, cursor));
  }
  return Status();
}

void Room::FlushGroup() {
  if (!group_open_) return;
  Status committed = RecordGroupLastSeens();
  if (committed.ok()) committed = db_->Exec("COMMIT");
  if (committed.ok()) {
    group_open_ = false;
    group_members_.clear();
    group_batches_.clear();
    services_.metrics->group_commits.Inc();
    services_.metrics->commit_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - group_started_).count());
    Status cached = cache_.Refresh(*store_);
    if (!cached.ok()) {
      Log(LogLevel::kWarn, "change cache disabled",
          {{"room", name_}, {"error", cached.ToString()}});
    }
    store_->NotifyChanged();  // fan-out: each session posts one coalesced pull
    return;
  }
  AbandonGroup(committed);
}

}  // namespace crsync::server
