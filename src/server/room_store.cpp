// RoomStore (see room_store.h): reads commit the room's group first; applies join it.
#include "server/room_store.h"

#include "server/room.h"

namespace crsync::server {

const SiteId& RoomStore::site_id() const { return room_.store().site_id(); }

Result<sync::SchemaInfo> RoomStore::Schema() {
  room_.FlushGroup();
  return room_.store().Schema();
}

Result<sync::PullResult> RoomStore::PullChanges(const sync::PullRequest& request) {
  Result<sync::PullResult> pulled = room_.Pull(request);
  if (pulled.ok()) room_.metrics().changes_out.Inc(pulled->size());
  return pulled;
}

Status RoomStore::ApplyChanges(const SiteId& sender, std::span<const protocol::Change> changes,
                               const protocol::Cursor& last_seen) {
  if (read_only_) {
    return Status::PermissionDenied("read-only access: this connection may not send changes");
  }
  return room_.ApplyGrouped(peer_id_, sender, changes, last_seen);
}

Result<std::optional<protocol::Cursor>> RoomStore::LastSeen(const SiteId& peer) {
  room_.FlushGroup();
  return room_.store().LastSeen(peer);
}

Result<std::vector<protocol::LastSeen>> RoomStore::AllLastSeens() {
  room_.FlushGroup();
  return room_.store().AllLastSeens();
}

sync::ChangeNotifier& RoomStore::notifier() { return room_.store().notifier(); }

}  // namespace crsync::server
