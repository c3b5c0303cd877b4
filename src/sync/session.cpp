// Session (see session.h): the sync state machine of sync-protocol.md §4 with the §6 fixes.
//
// Invariants:
//  * state_ only moves forward: kIdle/kAwaitingAnnounce -> (kAwaitingStart) -> kStreaming ->
//    kClosed; once kClosed nothing is sent and no store call is made.
//  * inbound_[X].last_seen never decreases, and is raised only in the same step as the commit of
//    the batch it covers (no window for spurious rejects, D9).
//  * last_sent_ only advances past a batch after the transport accepted it, and moves back only
//    on a rewind request from the peer.
//  * Pump is never re-entered: a nested request sets repump_ and the running pump loops again.
#include "sync/session.h"

#include <string>
#include <utility>
#include <variant>

#include "common/hex.h"
#include "common/utf8.h"
#include "common/overloaded.h"
#include "sync/cursor.h"

namespace crsync::sync {
namespace {

std::string CursorText(const protocol::Cursor& c) {
  return "[" + std::to_string(c.db_version) + "," + std::to_string(c.seq) + "]";
}

// A close reason: well-formed UTF-8 of at most kMaxCloseReasonBytes, cut at a character boundary.
std::string CloseReason(std::string_view message) {
  std::string text = RepairUtf8(message);
  if (text.size() <= kMaxCloseReasonBytes) return text;
  size_t cut = kMaxCloseReasonBytes;
  while (cut > 0 && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text;
}

int CloseCodeForRefusal(const Status& status) {
  switch (status.code()) {
    case StatusCode::kFailedPrecondition:
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
      return kClosePolicyViolation;
    default:
      return kCloseInternalError;
  }
}

}  // namespace

std::string_view SessionStateName(SessionState state) {
  switch (state) {
    case SessionState::kIdle:
      return "idle";
    case SessionState::kAwaitingStart:
      return "awaiting-start";
    case SessionState::kAwaitingAnnounce:
      return "awaiting-announce";
    case SessionState::kStreaming:
      return "streaming";
    case SessionState::kClosed:
      return "closed";
  }
  return "unknown";
}

Session::Session(Role role, Store& store, Transport& transport, SessionOptions options,
                 SessionObserver* observer)
    : role_(role),
      store_(store),
      transport_(transport),
      options_(std::move(options)),
      observer_(observer),
      state_(SessionState::kIdle) {}

Session::~Session() { *alive_ = false; }

protocol::Cursor Session::inbound_cursor(const SiteId& sender) const {
  auto it = inbound_.find(sender);
  return it == inbound_.end() ? protocol::Cursor{} : it->second.last_seen;
}

GapReply Session::EffectiveGapReply() const {
  if (options_.gap_reply != GapReply::kDefault) return options_.gap_reply;
  return role_ == Role::kClient ? GapReply::kRejectChanges : GapReply::kStartStreaming;
}

Status Session::Start() {
  if (state_ != SessionState::kIdle) {
    return Status::FailedPrecondition(std::string("Start: session is ") +
                                      std::string(SessionStateName(state_)));
  }
  if (role_ == Role::kServer) {
    state_ = SessionState::kAwaitingAnnounce;
    return Status();
  }
  // Client: read the cursors and the schema now, not once per process (D12).
  Result<std::vector<protocol::LastSeen>> last_seens = store_.AllLastSeens();
  Result<SchemaInfo> schema = last_seens.ok() ? store_.Schema() : last_seens.status();
  if (!schema.ok()) {
    Status status = schema.status().WithContext("reading lastSeens and schema");
    Fail(kCloseInternalError, status);
    return status;
  }
  for (const protocol::LastSeen& entry : *last_seens) {
    Inbound& in = inbound_[entry.site_id];
    in.last_seen = MaxCursor(in.last_seen, entry.cursor);
  }
  protocol::AnnouncePresence announce;
  announce.sender = store_.site_id();
  announce.last_seens = std::move(last_seens).value();
  announce.schema_name = schema->name;
  announce.schema_version = schema->version;
  state_ = SessionState::kAwaitingStart;
  SendFrame(protocol::Encode(announce));
  return Status();
}

void Session::OnMessage(std::span<const uint8_t> message) {
  if (state_ == SessionState::kClosed) return;
  ++stats_.messages_received;
  Result<protocol::Message> decoded = protocol::Decode(message, options_.decode_options);
  if (!decoded.ok()) {
    // D1: a bad message ends this connection, never the process.
    Fail(kCloseProtocolError, decoded.status().WithContext("undecodable message"));
    return;
  }
  Dispatch(std::move(decoded).value());
}

void Session::Dispatch(protocol::Message message) {
  std::visit(Overloaded{
                 [&](const protocol::AnnouncePresence& m) { HandleAnnounce(m); },
                 [&](const protocol::Changes& m) { HandleChanges(m); },
                 [&](const protocol::RejectChanges& m) { HandleReject(m); },
                 [&](const protocol::StartStreaming& m) { HandleStartStreaming(m); },
                 [&](const protocol::Ping&) { SendFrame(protocol::Encode(protocol::Pong{})); },
                 [&](const protocol::Pong&) {
                   if (observer_ != nullptr) observer_->OnPong();
                 },
                 // LiteFS primary-forwarding messages (§3.8): ignored, as both reference peers do.
                 [&](const auto&) { ++stats_.ignored_messages; },
             },
             message);
}

void Session::HandleAnnounce(const protocol::AnnouncePresence& announce) {
  if (role_ != Role::kServer) {
    Fail(kCloseProtocolError, Status::FailedPrecondition("AnnouncePresence sent to a client"));
    return;
  }
  if (state_ != SessionState::kAwaitingAnnounce) {
    Fail(kCloseProtocolError,
         Status::FailedPrecondition(state_ == SessionState::kIdle
                                        ? "AnnouncePresence before the session was started"
                                        : "second AnnouncePresence"));
    return;
  }
  if (observer_ != nullptr) {
    Status status = observer_->OnAnnounce(announce);
    if (!status.ok()) {
      Fail(CloseCodeForRefusal(status), status);
      return;
    }
    if (state_ == SessionState::kClosed) return;  // the hook closed us
  }
  if (announce.sender == store_.site_id()) {
    Fail(kClosePolicyViolation,
         Status::InvalidArgument("client announced the server's own site id"));
    return;
  }
  if (options_.check_schema) {
    Result<SchemaInfo> schema = store_.Schema();
    if (!schema.ok()) {
      Fail(kCloseInternalError, schema.status().WithContext("reading the schema"));
      return;
    }
    if (schema->name != announce.schema_name || schema->version != announce.schema_version) {
      Fail(kClosePolicyViolation,
           Status::FailedPrecondition("schema mismatch: client " + announce.schema_name + "@" +
                                      std::to_string(announce.schema_version) + ", server " +
                                      schema->name + "@" + std::to_string(schema->version)));
      return;
    }
  }
  Result<std::optional<protocol::Cursor>> seen = store_.LastSeen(announce.sender);
  if (!seen.ok()) {
    Fail(kCloseInternalError, seen.status().WithContext("reading the client's last seen"));
    return;
  }
  peer_ = announce.sender;
  const protocol::Cursor since = seen->value_or(protocol::Cursor{});
  inbound_[announce.sender].last_seen = since;
  // Exactly one excluded site, our own id, and localOnly false: the only shape ws-client 0.2.0
  // handles (D20).
  SendFrame(protocol::Encode(protocol::StartStreaming{since, {store_.site_id()}, false}));
  if (state_ == SessionState::kClosed) return;
  protocol::Cursor start{};
  for (const protocol::LastSeen& entry : announce.last_seens) {
    if (entry.site_id == store_.site_id()) {
      start = entry.cursor;  // passed through, seq included (§4.2)
      break;
    }
  }
  last_sent_ = start;
  exclude_ = {announce.sender};
  local_only_ = false;
  state_ = SessionState::kStreaming;
  if (observer_ != nullptr) observer_->OnStreaming();
  Pump();
}

void Session::HandleStartStreaming(const protocol::StartStreaming& start) {
  if (role_ != Role::kClient) {
    Fail(kCloseProtocolError, Status::FailedPrecondition("StartStreaming sent to a server"));
    return;
  }
  if (state_ == SessionState::kIdle) {
    Fail(kCloseProtocolError, Status::FailedPrecondition("StartStreaming before Start()"));
    return;
  }
  // The first one opens the outbound stream; a later one is a rewind (§4.3), which is how our
  // server answers a gap (D9).
  if (last_sent_ && CursorLess(start.since, *last_sent_)) ++stats_.rewinds;
  last_sent_ = start.since;
  exclude_ = start.exclude_sites;
  local_only_ = start.local_only;
  if (!start.exclude_sites.empty()) peer_ = start.exclude_sites.front();
  if (state_ == SessionState::kAwaitingStart) {
    state_ = SessionState::kStreaming;
    if (observer_ != nullptr) observer_->OnStreaming();
    if (state_ == SessionState::kClosed) return;
  }
  Pump();
}

void Session::HandleChanges(const protocol::Changes& changes) {
  if (role_ == Role::kServer) {
    if (state_ != SessionState::kStreaming) {
      Fail(kCloseProtocolError, Status::FailedPrecondition("Changes before AnnouncePresence"));
      return;
    }
    if (changes.sender != *peer_) {
      // D16: the sender drives attribution and echo suppression; it must be the announced one.
      Fail(kClosePolicyViolation,
           Status::InvalidArgument("Changes sender " + HexEncode(changes.sender) +
                                   " differs from the announced " + HexEncode(*peer_)));
      return;
    }
  } else {
    if (state_ == SessionState::kIdle) {
      Fail(kCloseProtocolError, Status::FailedPrecondition("Changes before Start()"));
      return;
    }
    if (changes.sender == store_.site_id()) {
      Fail(kClosePolicyViolation, Status::InvalidArgument("Changes attributed to our own site"));
      return;
    }
  }
  Inbound& in = inbound_[changes.sender];
  if (CursorLess(in.last_seen, changes.since)) {
    // A gap: never apply (D9). Ask once for a resend; drop what is already in flight.
    ++stats_.gaps;
    if (!in.gap_reply_outstanding) {
      in.gap_reply_outstanding = true;
      ReplyToGap(changes.sender, in.last_seen);
    }
    return;
  }
  in.gap_reply_outstanding = false;
  stats_.changes_received += changes.changes.size();
  if (changes.changes.empty()) return;
  // The receiver rule of §4.2, except that the cursor never moves back (a duplicated older
  // message would otherwise rewind it and provoke a needless resend).
  const protocol::Cursor next =
      MaxCursor(in.last_seen, protocol::Cursor{changes.changes.back().db_version, 0});
  Status status = store_.ApplyChanges(changes.sender, changes.changes, next);
  if (state_ == SessionState::kClosed) return;  // a change listener closed us
  if (!status.ok()) {
    const bool refused = status.code() == StatusCode::kInvalidArgument ||
                         status.code() == StatusCode::kPermissionDenied;
    Fail(refused ? kClosePolicyViolation : kCloseInternalError,
         status.WithContext("applying changes"));
    return;
  }
  inbound_[changes.sender].last_seen = next;  // same step as the commit
  ++stats_.batches_applied;
  if (observer_ != nullptr) observer_->OnApplied(changes.sender, changes.changes.size(), next);
}

void Session::ReplyToGap(const SiteId& sender, const protocol::Cursor& last_seen) {
  switch (EffectiveGapReply()) {
    case GapReply::kStartStreaming:
      ++stats_.gap_replies;
      SendFrame(protocol::Encode(protocol::StartStreaming{last_seen, {store_.site_id()}, false}));
      return;
    case GapReply::kClose:
      Fail(kCloseResync, Status::Unavailable("inbound gap from " + HexEncode(sender) +
                                             ": resync needed at " + CursorText(last_seen)));
      return;
    case GapReply::kDefault:
    case GapReply::kRejectChanges:
      ++stats_.gap_replies;
      SendFrame(protocol::Encode(protocol::RejectChanges{sender, last_seen}));
      return;
  }
}

void Session::HandleReject(const protocol::RejectChanges& reject) {
  if (state_ != SessionState::kStreaming || !last_sent_ || reject.whose != store_.site_id()) {
    ++stats_.ignored_messages;
    return;
  }
  Rewind(reject.since);
}

void Session::Rewind(const protocol::Cursor& since) {
  // D10: resend from the peer's cursor. A since at or ahead of ours needs nothing (a stale or
  // spurious reject, D9).
  if (!CursorLess(since, *last_sent_)) return;
  ++stats_.rewinds;
  last_sent_ = since;
  Pump();
}

void Session::OnDrained() {
  if (state_ == SessionState::kClosed || !awaiting_drain_) return;
  if (transport_.BufferedBytes() >= options_.max_buffered_bytes) return;
  awaiting_drain_ = false;
  Pump();
}

void Session::OnLocalChange() {
  if (state_ == SessionState::kClosed) return;
  if (!options_.post) {
    Pump();
    return;
  }
  if (!SchedulePump()) ++stats_.coalesced_notifications;
}

bool Session::SchedulePump() {
  if (pump_scheduled_) return false;
  pump_scheduled_ = true;
  options_.post([this, alive = std::weak_ptr<bool>(alive_)] {
    auto token = alive.lock();
    if (!token || !*token) return;
    pump_scheduled_ = false;
    Pump();
  });
  return true;
}

void Session::Pump() {
  if (pumping_) {
    repump_ = true;
    return;
  }
  pumping_ = true;
  // Bounded: every iteration that continues either sent a batch (the cursor advanced past at
  // least one db_version) or consumed a repump_ request raised during the previous one.
  for (;;) {
    repump_ = false;
    const bool more = SendOneBatch();
    if (state_ == SessionState::kClosed || awaiting_drain_) break;
    if (!more && !repump_) break;
    if (options_.post) {
      // Take turns: the rest is a task behind whatever else is queued on the executor (the
      // other sessions of a server room), not a loop that keeps the executor to ourselves.
      ++stats_.yielded_pumps;
      SchedulePump();
      break;
    }
  }
  pumping_ = false;
}

bool Session::SendOneBatch() {
  if (state_ != SessionState::kStreaming || !last_sent_) return false;
  if (transport_.BufferedBytes() >= options_.max_buffered_bytes) {
    if (!awaiting_drain_) ++stats_.backpressure_stalls;
    awaiting_drain_ = true;
    return false;
  }
  awaiting_drain_ = false;
  PullRequest request;
  request.since_db_version = last_sent_->db_version;
  request.exclude_sites = exclude_;
  request.local_only = local_only_;
  request.max_changes = options_.max_changes_per_message;
  request.max_bytes = options_.max_bytes_per_message;
  request.include_site_ids = options_.send_site_ids;
  Result<PullResult> pulled = store_.PullChanges(request);
  ++stats_.pulls;
  if (!pulled.ok()) {
    Fail(kCloseInternalError, pulled.status().WithContext("pulling changes"));
    return false;
  }
  if (pulled->empty()) return false;
  const protocol::Cursor next{pulled->last_db_version, 0};
  const size_t count = pulled->size();
  std::vector<uint8_t> frame;
  if (!pulled->records.empty()) {
    // Pre-encoded by the store (server change cache): valid now, used at once.
    frame = protocol::EncodeChanges(store_.site_id(), *last_sent_, pulled->records);
  } else {
    protocol::Changes message;
    message.sender = store_.site_id();
    message.since = *last_sent_;
    message.changes = std::move(pulled->changes);
    frame = protocol::Encode(message);
  }
  if (!SendFrame(std::move(frame))) return false;  // closing; OnClosed follows
  last_sent_ = next;
  stats_.changes_sent += count;
  return pulled->truncated;
}

bool Session::SendFrame(std::vector<uint8_t> bytes) {
  if (state_ == SessionState::kClosed) return false;
  const size_t size = bytes.size();
  if (!transport_.Send(std::move(bytes))) return false;
  ++stats_.messages_sent;
  stats_.bytes_sent += size;
  return true;
}

bool Session::SendPing() { return SendFrame(protocol::Encode(protocol::Ping{})); }

void Session::Fail(int code, Status status) {
  if (state_ == SessionState::kClosed) return;
  state_ = SessionState::kClosed;
  close_status_ = std::move(status);
  transport_.Close(code, CloseReason(close_status_.message()));
  if (observer_ != nullptr) observer_->OnClosed(close_status_);
}

void Session::Close(int code, std::string_view reason) {
  if (state_ == SessionState::kClosed) return;
  state_ = SessionState::kClosed;
  transport_.Close(code, CloseReason(reason));
  if (observer_ != nullptr) observer_->OnClosed(close_status_);
}

void Session::OnClosed(int code, std::string_view reason) {
  if (state_ == SessionState::kClosed) return;
  state_ = SessionState::kClosed;
  const std::string detail =
      "(" + std::to_string(code) + (reason.empty() ? "" : ": ") + std::string(reason) + ")";
  if (code == kCloseNormal || code == kCloseGoingAway) {
    close_status_ = Status();
  } else if (code == kClosePolicyViolation) {
    close_status_ = Status::FailedPrecondition("peer refused the session " + detail);
  } else {
    close_status_ = Status::Unavailable("connection closed " + detail);
  }
  if (observer_ != nullptr) observer_->OnClosed(close_status_);
}

}  // namespace crsync::sync
