// Session: one end of a vlcn sync connection, for either role (sync-protocol.md §4).
//
// The same class runs on the server (one per connected client, many sharing a room's Store),
// in the native client and in the browser Worker. It speaks the reference protocol byte for
// byte and carries the compatible fixes of §6 (docs/sync.md lists them):
//
//   client                                   server
//   Start(): AnnouncePresence{own id,        OnMessage(Announce): OnAnnounce hook, schema check
//            lastSeens, schema}  ------->    (mismatch: close 1008 with a reason, D4), then
//                                            StartStreaming{since = last-seen(client), [own id]}
//   StartStreaming: outbound cursor :=  <--  and the first Changes since the client's announced
//            since (a later one rewinds)     lastSeen for the server
//   both: Changes{sender, since, ...}: contiguity check (since <= lastSeen[sender]); accepted
//         batches are applied with the cursor raise in one Store transaction; a gap is answered
//         once (client: RejectChanges; server: StartStreaming, which reference clients treat as
//         a rewind, D9) and further gapped messages are dropped until the sender rewinds.
//   both: RejectChanges{whose = us, since}: rewind the outbound cursor to since (D10).
//
// Outbound: Pump pulls from the outbound cursor (db_version > cursor, excluding the peer's site),
// sends whole-db_version batches of at most max_changes_per_message / max_bytes_per_message, and
// advances the cursor to (last db_version, 0) (§4.2). It stops while the transport buffers
// max_buffered_bytes or more and resumes on OnDrained (backpressure, D11/D14). OnLocalChange is
// the "store changed" signal: with an executor (SessionOptions::post) repeated calls coalesce into
// one posted pump; without one the pump runs at once. With an executor a pump also sends at most
// one batch and posts the rest, so sessions sharing the executor (a server room) take turns.
//
// Threading: no threads and no timers inside. Every method must be called on the owner's
// executor (one strand/thread), including the TransportListener callbacks; the session never
// blocks except inside Store calls. Heartbeats and reconnect timers are the owner's business.
// Lifetime: store, transport and observer are borrowed and must outlive the session; the owner
// detaches the session from the transport (set_listener(nullptr)) before destroying it. Posted
// pumps that run after destruction do nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/site_id.h"
#include "common/status.h"
#include "protocol/codec.h"
#include "protocol/message.h"
#include "sync/store.h"
#include "sync/transport.h"

namespace crsync::sync {

enum class Role { kClient, kServer };

enum class SessionState {
  kIdle,              // client: Start() not called yet
  kAwaitingStart,     // client: AnnouncePresence sent, no StartStreaming yet
  kAwaitingAnnounce,  // server: waiting for AnnouncePresence
  kStreaming,         // both directions flowing
  kClosed,            // terminal; see close_status()
};

// What a receiver does about a gap (a Changes whose since is ahead of its lastSeen).
enum class GapReply {
  kDefault,         // client: kRejectChanges; server: kStartStreaming
  kRejectChanges,   // send RejectChanges{whose = sender, since = lastSeen} (what ws-client does)
  kStartStreaming,  // send StartStreaming{since = lastSeen} (a rewind for any client, D9)
  kClose,           // close with kCloseResync so the owner reconnects (against a reference server,
                    // which ignores RejectChanges, D10)
};

struct SessionOptions {
  // Batch limits (soft; whole db_versions only, §4.2 rule 2).
  size_t max_changes_per_message = 1000;
  size_t max_bytes_per_message = 1 << 20;
  // Backpressure: no pull while the transport buffers this many bytes or more.
  size_t max_buffered_bytes = 4 << 20;
  // Put the author's site id into every change (16 bytes each). Reference peers send NULL and
  // every receiver attributes changes to the message sender anyway (§4.6).
  bool send_site_ids = false;
  // Server only: refuse an AnnouncePresence whose schema name/version differ from the Store's.
  bool check_schema = true;
  GapReply gap_reply = GapReply::kDefault;
  protocol::DecodeOptions decode_options;
  // Executor for coalesced pumps and for the rest of a backlog (one batch per turn): post(task)
  // must run task later on the session's executor.
  // Empty: OnLocalChange pumps synchronously.
  std::function<void(std::function<void()>)> post;
};

// Owner hooks. All optional; called on the session's executor.
class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  // Server: an AnnouncePresence arrived, before the schema check. Prepare the store (open or
  // migrate the room) or refuse: a non-OK status closes the session with 1008
  // (kFailedPrecondition, kInvalidArgument, kNotFound, kPermissionDenied, kUnauthenticated) or
  // 1011 (other codes), its message as
  // the reason.
  virtual Status OnAnnounce(const protocol::AnnouncePresence& announce) { return Status(); }
  // Both: the outbound stream started (server: StartStreaming sent; client: first received).
  virtual void OnStreaming() {}
  // Both: a received batch was committed; last_seen is sender's new cursor.
  virtual void OnApplied(const SiteId& sender, size_t changes, const protocol::Cursor& last_seen) {}
  // Both: a Pong arrived.
  virtual void OnPong() {}
  // Both: the session ended (exactly once). OK for a normal close (1000/1001).
  virtual void OnClosed(const Status& status) {}
};

struct SessionStats {
  uint64_t messages_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t changes_sent = 0;
  uint64_t messages_received = 0;
  uint64_t changes_received = 0;  // in accepted Changes messages
  uint64_t batches_applied = 0;
  uint64_t pulls = 0;
  uint64_t gaps = 0;         // Changes dropped for a gap
  uint64_t gap_replies = 0;  // RejectChanges / StartStreaming sent for a gap
  uint64_t rewinds = 0;      // outbound cursor moved back (RejectChanges, StartStreaming)
  uint64_t backpressure_stalls = 0;
  uint64_t coalesced_notifications = 0;
  uint64_t yielded_pumps = 0;  // pumps that sent one batch and posted the rest (post set)
  uint64_t ignored_messages = 0;  // tags 5, 6, 9-11; RejectChanges not meant for us
};

class Session final : public TransportListener {
 public:
  Session(Role role, Store& store, Transport& transport, SessionOptions options = {},
          SessionObserver* observer = nullptr);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Begins the session. Client: reads lastSeens and schema from the store afresh (D12) and sends
  // AnnouncePresence. Server: starts waiting for it. Errors: kFailedPrecondition when already
  // started or closed; a store error (the session is then closed with 1011).
  Status Start();

  // TransportListener.
  void OnMessage(std::span<const uint8_t> message) override;
  void OnDrained() override;
  void OnClosed(int code, std::string_view reason) override;

  // The store has (or may have) new changes: pull from the outbound cursor and send.
  void OnLocalChange();

  // Closes the session and the transport with code and reason. No-op when already closed.
  void Close(int code = kCloseNormal, std::string_view reason = "");

  // Sends a protocol-level Ping (tag 7). Only for peers known to answer it: reference
  // ws-client/ws-server ignore it (§3.7). Returns false when closed.
  bool SendPing();

  Role role() const { return role_; }
  SessionState state() const { return state_; }
  // Why the session ended: OK while open or after a normal close.
  const Status& close_status() const { return close_status_; }
  const SessionStats& stats() const { return stats_; }
  // Server: the announced client. Client: the server's id (StartStreaming.excludeSites[0]).
  const std::optional<SiteId>& peer_site_id() const { return peer_; }
  // The next Changes' since; nullopt before the outbound stream started.
  const std::optional<protocol::Cursor>& outbound_cursor() const { return last_sent_; }
  // The contiguity cursor for sender, as used for the next Changes from it.
  protocol::Cursor inbound_cursor(const SiteId& sender) const;
  // True while the outbound stream waits for OnDrained.
  bool awaiting_drain() const { return awaiting_drain_; }

 private:
  struct Inbound {
    protocol::Cursor last_seen;
    bool gap_reply_outstanding = false;
  };

  void Dispatch(protocol::Message message);
  void HandleAnnounce(const protocol::AnnouncePresence& announce);
  void HandleStartStreaming(const protocol::StartStreaming& start);
  void HandleChanges(const protocol::Changes& changes);
  void HandleReject(const protocol::RejectChanges& reject);
  void ReplyToGap(const SiteId& sender, const protocol::Cursor& last_seen);
  void Rewind(const protocol::Cursor& since);
  void Pump();
  // Posts one pump (SessionOptions::post); false when one is already pending.
  bool SchedulePump();
  // Sends at most one batch; true when another may follow at once.
  bool SendOneBatch();
  bool SendFrame(std::vector<uint8_t> bytes);
  void Fail(int code, Status status);
  GapReply EffectiveGapReply() const;

  const Role role_;
  Store& store_;
  Transport& transport_;
  const SessionOptions options_;
  SessionObserver* const observer_;

  SessionState state_;
  Status close_status_;
  SessionStats stats_;
  std::optional<SiteId> peer_;
  std::map<SiteId, Inbound> inbound_;
  std::optional<protocol::Cursor> last_sent_;
  std::vector<SiteId> exclude_;
  bool local_only_ = false;
  bool pumping_ = false;
  bool repump_ = false;
  bool awaiting_drain_ = false;
  bool pump_scheduled_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

std::string_view SessionStateName(SessionState state);

}  // namespace crsync::sync
