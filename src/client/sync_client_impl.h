// SyncClientImpl: the implementation behind crsync::SyncClient (include/crsync/client.h).
//
// Object graph: one net::EventLoop with one thread and one strand. Everything below runs on that
// strand: the database connection and its SqliteStore, the timers (poll/up-to-date tick,
// reconnect), and at most one live SyncLink = one WebSocket connection (wslink::WsTransport)
// with its sync::Session in the client role. A link whose session ended waits in
// closing_links_ until its WebSocket reports closed, then is destroyed by a posted task (never
// from inside one of its own callbacks).
//
// Local writes: the store's notifier forwards to the session (a coalesced pump), except while
// the session is applying a batch from the server (ApplyChanges notifies too): then the
// outbound side is only marked dirty and pumped once the inbound stream pauses, so a large
// download does not cost one outbound pull per batch. Polling (PollForChanges every
// poll_interval) sees writes by other connections and processes.
//
// Status and progress are published to a mutex-protected snapshot for status(), progress() and
// WaitUntil() on other threads; callbacks run on the strand.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/caught_up_detector.h"
#include "client/local_database.h"
#include "client/reconnect_backoff.h"
#include "crsync/client.h"
#include "net/event_loop.h"
#include "net/ws_client.h"
#include "sync/session.h"
#include "sync/sqlite_store.h"
#include "wslink/ws_transport.h"

namespace crsync::client {

class SyncClientImpl;

// One WebSocket connection and its session; forwards their events to the client.
struct SyncLink final : sync::TransportListener, sync::SessionObserver {
  SyncLink(SyncClientImpl& owner, std::shared_ptr<wslink::WsTransport> transport)
      : owner(owner), transport(std::move(transport)) {}

  // TransportListener (from the WebSocket, on the strand).
  void OnMessage(std::span<const uint8_t> message) override;
  void OnDrained() override;
  void OnClosed(int code, std::string_view reason) override;
  // SessionObserver.
  void OnStreaming() override;
  void OnApplied(const SiteId& sender, size_t changes, const protocol::Cursor& last_seen) override;
  void OnPong() override;
  void OnClosed(const Status& status) override;

  SyncClientImpl& owner;
  std::shared_ptr<wslink::WsTransport> transport;
  std::unique_ptr<sync::Session> session;
  bool transport_closed = false;
  bool stats_counted = false;  // the closed session's stats were added to the totals
};

class SyncClientImpl final : public SyncClient {
 public:
  // database/store: opened and prepared (schema applied); subprotocol: the encoded header.
  SyncClientImpl(std::unique_ptr<LocalDatabase> database, std::unique_ptr<sync::SqliteStore> store,
                 std::string url, std::string subprotocol, SyncOptions options);
  ~SyncClientImpl() override;

  // Starts the first connection attempt and the tick.
  void Begin();

  void NotifyLocalChange() override;
  SyncStatus status() const override;
  SyncProgress progress() const override;
  SyncStatus WaitUntil(const std::function<bool(const SyncStatus&)>& done,
                       std::chrono::milliseconds timeout) override;
  void Stop() override;

  // SyncLink events (strand).
  void OnLinkMessage(SyncLink& link, std::span<const uint8_t> message);
  void OnLinkTransportClosed(SyncLink& link, int code, std::string_view reason);
  void OnLinkStreaming(SyncLink& link);
  void OnLinkApplied(SyncLink& link);
  void OnLinkPong(SyncLink& link);
  void OnLinkSessionClosed(SyncLink& link, const Status& status);

 private:
  using Clock = CaughtUpDetector::Clock;

  void Connect();
  void OnOpened(uint64_t attempt, std::shared_ptr<wslink::WsTransport> transport);
  void OnConnectFailed(uint64_t attempt, const Status& error);
  void ScheduleReconnect(Status cause);
  void EnterError(Status cause);
  void BeginStop();
  void EraseClosedLinks();
  void Tick();
  void OnStoreChanged();
  bool OutboundIdle();
  bool IsCurrentStreaming(const SyncLink& link) const;
  void SetState(SyncState state, Status error = Status(),
                std::chrono::milliseconds retry_in = std::chrono::milliseconds(0));
  void PublishProgress();
  void CountClosedSession(SyncLink& link);

  const std::string url_;
  const std::string subprotocol_;
  const SyncOptions options_;

  // Declared first so that it is destroyed last.
  net::EventLoop loop_{1};
  std::shared_ptr<net::Strand> strand_;
  std::unique_ptr<LocalDatabase> database_;
  std::unique_ptr<sync::SqliteStore> store_;  // destroyed before database_

  // Strand only.
  std::unique_ptr<net::Timer> tick_timer_;
  std::unique_ptr<net::Timer> reconnect_timer_;
  ReconnectBackoff backoff_;
  CaughtUpDetector detector_;
  uint64_t notifier_id_ = 0;
  uint64_t attempt_ = 0;  // id of the latest connection attempt
  net::ConnectHandle connect_;
  std::unique_ptr<SyncLink> link_;  // the live connection, if any
  std::vector<std::unique_ptr<SyncLink>> closing_links_;
  bool in_inbound_ = false;      // inside a session's OnMessage
  bool outbound_dirty_ = false;  // a notification arrived during inbound processing
  bool stopping_ = false;
  bool failed_ = false;  // kError reached
  Clock::time_point last_inbound_{};
  SyncState state_ = SyncState::kConnecting;
  uint64_t received_before_ = 0;  // totals of closed sessions
  uint64_t sent_before_ = 0;
  uint64_t connections_ = 0;
  SyncProgress published_progress_;

  // Snapshot for other threads.
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  SyncStatus status_;
  SyncProgress progress_;
  uint64_t version_ = 0;        // bumped on every status change
  bool links_drained_ = false;  // set while stopping, once no connection is open
  std::atomic<bool> stop_called_{false};
};

}  // namespace crsync::client
