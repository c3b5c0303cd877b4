// RoomStore: one session's view of its room's SqliteStore (sync::Store).
//
// Every session of a room gets its own RoomStore so that the room can see who does what:
// reads (schema, pulls, last-seen cursors) first commit the room's open group transaction, so a
// session never sends or reports anything uncommitted; ApplyChanges joins the group transaction
// instead of committing on its own (room.h), and is refused for a read-only connection
// (InvalidArgument, so the session closes with 1008 and the reason "applying changes:
// read-only access..."). Pulled changes are counted as sent (crsync_changes_sent_total).
//
// Threading: the room's strand only, like the room.
#pragma once

#include <cstdint>

#include "sync/store.h"

namespace crsync::server {

class Room;

class RoomStore final : public sync::Store {
 public:
  RoomStore(Room& room, uint64_t peer_id, bool read_only)
      : room_(room), peer_id_(peer_id), read_only_(read_only) {}

  const SiteId& site_id() const override;
  Result<sync::SchemaInfo> Schema() override;
  Result<sync::PullResult> PullChanges(const sync::PullRequest& request) override;
  Status ApplyChanges(const SiteId& sender, std::span<const protocol::Change> changes,
                      const protocol::Cursor& last_seen) override;
  Result<std::optional<protocol::Cursor>> LastSeen(const SiteId& peer) override;
  Result<std::vector<protocol::LastSeen>> AllLastSeens() override;
  sync::ChangeNotifier& notifier() override;

 private:
  Room& room_;
  const uint64_t peer_id_;
  const bool read_only_;
};

}  // namespace crsync::server
