// RoomPeer: one WebSocket connection inside a room — its WsTransport, its server Session, and
// the glue between them and the room.
//
// The peer sits between the transport and the session in both directions (it is the session's
// Transport and the transport's listener) so that it can count messages and bytes for /metrics
// without the session knowing. As the session's observer it runs the room's schema step on
// AnnouncePresence, counts applied changes and, when the session ends, asks the room to remove
// it. It subscribes the session to the room store's change notifications.
//
// Threading: the room's strand only. Lifetime: owned by the Room; destroyed only by a task of
// its own (Room::RemovePeerLater) or the room's destructor, never inside its own callbacks.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "server/room_store.h"
#include "sync/change_notifier.h"
#include "sync/session.h"
#include "wslink/ws_transport.h"

namespace crsync::server {

class Room;

class RoomPeer final : public sync::Transport,
                       public sync::TransportListener,
                       public sync::SessionObserver {
 public:
  RoomPeer(Room& room, uint64_t id, std::shared_ptr<wslink::WsTransport> link, bool read_only,
           sync::SessionOptions options);
  ~RoomPeer() override;
  RoomPeer(const RoomPeer&) = delete;
  RoomPeer& operator=(const RoomPeer&) = delete;

  // Starts the server session and attaches it to the transport and the room's notifications.
  Status Start();

  uint64_t id() const { return id_; }
  sync::Session& session() { return session_; }

  // sync::Transport (what the session sends).
  bool Send(std::vector<uint8_t> message) override;
  size_t BufferedBytes() const override;
  void Close(int code, std::string_view reason) override;

  // sync::TransportListener (what the connection delivers).
  void OnMessage(std::span<const uint8_t> message) override;
  void OnDrained() override;
  void OnClosed(int code, std::string_view reason) override;

  // sync::SessionObserver.
  Status OnAnnounce(const protocol::AnnouncePresence& announce) override;
  void OnApplied(const SiteId& sender, size_t changes, const protocol::Cursor& last_seen) override;
  void OnClosed(const Status& status) override;

 private:
  Room& room_;
  const uint64_t id_;
  std::shared_ptr<wslink::WsTransport> link_;
  RoomStore store_;
  sync::Session session_;
  sync::ChangeNotifier::ListenerId listener_id_ = 0;
};

}  // namespace crsync::server
