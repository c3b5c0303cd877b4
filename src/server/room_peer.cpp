// RoomPeer (see room_peer.h): transport <-> session glue with metrics and the room's hooks.
#include "server/room_peer.h"

#include <utility>

#include "server/log.h"
#include "server/room.h"

namespace crsync::server {

RoomPeer::RoomPeer(Room& room, uint64_t id, std::shared_ptr<wslink::WsTransport> link,
                   bool read_only, sync::SessionOptions options)
    : room_(room),
      id_(id),
      link_(std::move(link)),
      store_(room, id, read_only),
      session_(sync::Role::kServer, store_, *this, std::move(options), this) {}

RoomPeer::~RoomPeer() {
  link_->set_listener(nullptr);
  if (listener_id_ != 0) room_.store().notifier().Remove(listener_id_);
  // A connection still open when its room is torn down (server stopping) gets a proper close;
  // the session is not told (its observer, this peer, is going away).
  link_->Close(sync::kCloseGoingAway, "server shutting down");
}

Status RoomPeer::Start() {
  CRSYNC_RETURN_IF_ERROR(session_.Start());
  link_->set_listener(this);
  listener_id_ = room_.store().notifier().Add([this] { session_.OnLocalChange(); });
  return Status();
}

bool RoomPeer::Send(std::vector<uint8_t> message) {
  const size_t size = message.size();
  if (!link_->Send(std::move(message))) return false;
  room_.metrics().messages_out.Inc();
  room_.metrics().bytes_out.Inc(size);
  return true;
}

size_t RoomPeer::BufferedBytes() const { return link_->BufferedBytes(); }

void RoomPeer::Close(int code, std::string_view reason) { link_->Close(code, reason); }

void RoomPeer::OnMessage(std::span<const uint8_t> message) {
  room_.metrics().messages_in.Inc();
  room_.metrics().bytes_in.Inc(message.size());
  session_.OnMessage(message);
}

void RoomPeer::OnDrained() { session_.OnDrained(); }

void RoomPeer::OnClosed(int code, std::string_view reason) { session_.OnClosed(code, reason); }

Status RoomPeer::OnAnnounce(const protocol::AnnouncePresence& announce) {
  return room_.PrepareSchema(id_, announce);
}

void RoomPeer::OnApplied(const SiteId& sender, size_t changes, const protocol::Cursor& last_seen) {
  room_.metrics().changes_in.Inc(changes);
  room_.metrics().batches_applied.Inc();
}

void RoomPeer::OnClosed(const Status& status) {
  const std::string& address = link_->connection()->remote_address();
  if (status.ok()) {
    Log(LogLevel::kDebug, "session closed", {{"room", room_.name()}, {"peer", address}});
  } else {
    room_.metrics().SessionError(status).Inc();
    Log(LogLevel::kInfo, "session ended",
        {{"room", room_.name()}, {"peer", address}, {"status", status.ToString()}});
  }
  room_.RemovePeerLater(id_);
}

}  // namespace crsync::server
