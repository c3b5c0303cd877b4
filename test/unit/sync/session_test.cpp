// Tests of the Session state machine (src/sync/session.cpp) against a scripted peer: the test
// injects decoded messages with OnMessage and inspects what the session queued on its transport.
// End-to-end convergence between real sessions is in session_sync_test.cpp.
#include "sync/session.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <utility>

#include "common/utf8.h"
#include "protocol/codec.h"
#include "sync_harness.h"

namespace crsync::sync::testing {
namespace {

using protocol::AnnouncePresence;
using protocol::Changes;
using protocol::Cursor;
using protocol::Message;
using protocol::RejectChanges;
using protocol::StartStreaming;

const SiteId kServerId = SiteFromHex("f0e1d2c3b4a5968778695a4b3c2d1e0f");
const SiteId kClientId = SiteFromHex("00112233445566778899aabbccddeeff");

// One session on a SyncDb, driven by hand. The session's frames stay in endpoint().outbox().
struct Scripted {
  explicit Scripted(Role role, const std::string& site_hex, SessionOptions options = {})
      : db(site_hex), session(role, db.store(), pair.a(), std::move(options), &events) {
    pair.a().set_listener(&session);
    listener = db.store().notifier().Add([this] { session.OnLocalChange(); });
  }
  ~Scripted() {
    db.store().notifier().Remove(listener);
    pair.a().set_listener(nullptr);
  }
  void Inject(const Message& message) { session.OnMessage(protocol::Encode(message)); }
  MemoryTransport& endpoint() { return pair.a(); }
  // Decoded frames sent so far, removing them from the outbox.
  std::vector<Message> Take() {
    std::vector<Message> out = Outbox(pair.a());
    std::deque<MemoryFrame> rest;
    for (MemoryFrame& frame : pair.a().outbox()) {
      if (frame.is_close) rest.push_back(std::move(frame));
    }
    pair.a().outbox() = std::move(rest);
    return out;
  }
  bool CloseQueued(int* code = nullptr, std::string* reason = nullptr) {
    for (const MemoryFrame& frame : pair.a().outbox()) {
      if (!frame.is_close) continue;
      if (code != nullptr) *code = frame.close_code;
      if (reason != nullptr) *reason = frame.close_reason;
      return true;
    }
    return false;
  }

  SyncDb db;
  MemoryTransportPair pair;
  RecordingObserver events;
  Session session;
  ChangeNotifier::ListenerId listener = 0;
};

protocol::Change TodoTitle(int64_t id, const std::string& title, int64_t db_version) {
  protocol::Change c;
  c.table = "todo";
  c.pk = {0x01, 0x09, static_cast<uint8_t>(id)};
  c.cid = "title";
  c.val = protocol::Value(title);
  c.col_version = 1;
  c.db_version = db_version;
  c.cl = 1;
  return c;
}

AnnouncePresence Announce(const SiteId& sender, std::vector<protocol::LastSeen> last_seens = {}) {
  return AnnouncePresence{sender, std::move(last_seens), "todo.sql", kTodoVersion};
}

// ---- client role --------------------------------------------------------------------------

TEST(Session, ClientAnnouncesFreshLastSeensAndSchema) {
  Scripted c(Role::kClient, "00112233445566778899aabbccddeeff");
  ASSERT_EQ("", c.db.Exec("INSERT INTO crsql_tracked_peers VALUES (X'" + HexEncode(kServerId) +
                          "', 7, 0, 0, 0)"));
  ASSERT_TRUE(c.session.Start().ok());
  EXPECT_EQ(SessionState::kAwaitingStart, c.session.state());
  auto sent = c.Take();
  ASSERT_EQ(1u, sent.size());
  EXPECT_EQ(Message(Announce(kClientId, {{kServerId, {7, 0}}})), sent[0]);
  EXPECT_EQ((Cursor{7, 0}), c.session.inbound_cursor(kServerId));
  EXPECT_EQ(StatusCode::kFailedPrecondition, c.session.Start().code());
}

TEST(Session, ClientStreamsOnlyAfterStartStreamingAndRewindsOnARepeat) {
  Scripted c(Role::kClient, "00112233445566778899aabbccddeeff");
  ASSERT_TRUE(c.session.Start().ok());
  c.Take();
  c.db.Write("INSERT INTO todo (id, title) VALUES (1, 'a')");
  c.db.Write("INSERT INTO todo (id, title) VALUES (2, 'b')");
  EXPECT_TRUE(c.Take().empty());  // nothing before StartStreaming (§4.3)

  c.Inject(StartStreaming{{0, 0}, {kServerId}, false});
  EXPECT_EQ(SessionState::kStreaming, c.session.state());
  EXPECT_EQ(1, c.events.streaming);
  auto sent = c.Take();
  ASSERT_EQ(1u, sent.size());
  const auto& changes = std::get<Changes>(sent[0]);
  EXPECT_EQ(kClientId, changes.sender);
  EXPECT_EQ((Cursor{0, 0}), changes.since);
  ASSERT_EQ(4u, changes.changes.size());  // title + done of two rows
  EXPECT_EQ((Cursor{2, 0}), c.session.outbound_cursor());

  // A later StartStreaming is a rewind (what our server sends for a gap).
  c.Inject(StartStreaming{{1, 0}, {kServerId}, false});
  sent = c.Take();
  ASSERT_EQ(1u, sent.size());
  EXPECT_EQ((Cursor{1, 0}), std::get<Changes>(sent[0]).since);
  EXPECT_EQ(2u, std::get<Changes>(sent[0]).changes.size());
  EXPECT_EQ(1u, c.session.stats().rewinds);
}

TEST(Session, ClientExcludesTheServersChangesAndHonoursLocalOnly) {
  Scripted c(Role::kClient, "00112233445566778899aabbccddeeff");
  ASSERT_TRUE(c.session.Start().ok());
  c.Inject(Changes{kServerId, {0, 0}, {TodoTitle(1, "from server", 1)}});
  c.Inject(StartStreaming{{0, 0}, {kServerId}, false});
  EXPECT_EQ(1u, c.Take().size());  // only the Announce: nothing is echoed back
  c.db.Write("INSERT INTO todo (id, title) VALUES (2, 'mine')");
  auto sent = c.Take();
  ASSERT_EQ(1u, sent.size());
  for (const auto& change : std::get<Changes>(sent[0]).changes) {
    EXPECT_EQ((protocol::Bytes{0x01, 0x09, 0x02}), change.pk);
  }
}

TEST(Session, ClientRepliesToAGapWithRejectChangesOnce) {
  Scripted c(Role::kClient, "00112233445566778899aabbccddeeff");
  ASSERT_TRUE(c.session.Start().ok());
  c.Take();
  c.Inject(Changes{kServerId, {0, 0}, {TodoTitle(1, "a", 1)}});
  EXPECT_EQ((Cursor{1, 0}), c.session.inbound_cursor(kServerId));
  c.Inject(Changes{kServerId, {3, 0}, {TodoTitle(2, "b", 4)}});  // [2,3] is missing
  c.Inject(Changes{kServerId, {4, 0}, {TodoTitle(3, "c", 5)}});  // in flight: dropped silently
  auto sent = c.Take();
  ASSERT_EQ(1u, sent.size());
  EXPECT_EQ(Message(RejectChanges{kServerId, {1, 0}}), sent[0]);
  EXPECT_EQ(2u, c.session.stats().gaps);
  EXPECT_EQ("(1)", c.db.One("SELECT count(*) FROM todo"));
  // The resend from the rejected cursor is accepted and clears the outstanding reject.
  c.Inject(Changes{kServerId, {1, 0}, {TodoTitle(2, "b", 4), TodoTitle(3, "c", 5)}});
  EXPECT_EQ((Cursor{5, 0}), c.session.inbound_cursor(kServerId));
  EXPECT_EQ("(3)", c.db.One("SELECT count(*) FROM todo"));
  c.Inject(Changes{kServerId, {9, 0}, {TodoTitle(4, "d", 10)}});
  EXPECT_EQ(1u, c.Take().size());  // a new gap is answered again
}

TEST(Session, GapReplyCloseAsksTheOwnerToReconnect) {
  SessionOptions options;
  options.gap_reply = GapReply::kClose;
  Scripted c(Role::kClient, "00112233445566778899aabbccddeeff", options);
  ASSERT_TRUE(c.session.Start().ok());
  c.Inject(Changes{kServerId, {3, 0}, {TodoTitle(2, "b", 4)}});
  int code = 0;
  ASSERT_TRUE(c.CloseQueued(&code));
  EXPECT_EQ(kCloseResync, code);
  EXPECT_EQ(StatusCode::kUnavailable, c.session.close_status().code());
}

TEST(Session, OlderDuplicateDoesNotMoveTheCursorBack) {
  Scripted c(Role::kClient, "00112233445566778899aabbccddeeff");
  ASSERT_TRUE(c.session.Start().ok());
  const Changes first{kServerId, {0, 0}, {TodoTitle(1, "a", 1)}};
  const Changes second{kServerId, {1, 0}, {TodoTitle(2, "b", 2)}};
  c.Inject(first);
  c.Inject(second);
  c.Inject(first);  // duplicated late: re-merged (no-op), cursor stays at [2,0]
  EXPECT_EQ((Cursor{2, 0}), c.session.inbound_cursor(kServerId));
  c.Inject(Changes{kServerId, {2, 0}, {TodoTitle(3, "c", 3)}});
  EXPECT_EQ(0u, c.session.stats().gaps);
  EXPECT_EQ("(3)", c.db.One("SELECT count(*) FROM todo"));
  EXPECT_EQ("(X'F0E1D2C3B4A5968778695A4B3C2D1E0F', 3, 0)",
            c.db.One("SELECT site_id, version, seq FROM crsql_tracked_peers"));
}

// ---- server role --------------------------------------------------------------------------

TEST(Session, ServerAnswersAnnounceWithStartStreamingThenItsBacklog) {
  Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
  s.db.Write("INSERT INTO todo (id, title) VALUES (1, 'a')");
  s.db.Write("INSERT INTO todo (id, title) VALUES (2, 'b')");
  ASSERT_TRUE(s.session.Start().ok());
  EXPECT_EQ(SessionState::kAwaitingAnnounce, s.session.state());
  EXPECT_TRUE(s.Take().empty());
  s.Inject(Announce(kClientId));
  auto sent = s.Take();
  ASSERT_EQ(2u, sent.size());
  EXPECT_EQ(Message(StartStreaming{{0, 0}, {kServerId}, false}), sent[0]);
  const auto& changes = std::get<Changes>(sent[1]);
  EXPECT_EQ(kServerId, changes.sender);
  EXPECT_EQ((Cursor{0, 0}), changes.since);
  EXPECT_EQ(4u, changes.changes.size());
  EXPECT_EQ(kClientId, s.session.peer_site_id());
}

TEST(Session, ServerResumesFromTrackedPeerAndAnnouncedLastSeen) {
  Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
  for (int i = 1; i <= 4; ++i) {
    s.db.Write("INSERT INTO todo (id, title) VALUES (" + std::to_string(i) + ", 'x')");
  }
  ASSERT_EQ("", s.db.Exec("INSERT INTO crsql_tracked_peers VALUES (X'" + HexEncode(kClientId) +
                          "', 42, 0, 0, 0)"));
  ASSERT_TRUE(s.session.Start().ok());
  // The announced cursor for the server passes through, seq included (§4.2).
  s.Inject(Announce(kClientId, {{kServerId, {3, 5}}, {kClientId, {1, 0}}}));
  auto sent = s.Take();
  ASSERT_EQ(2u, sent.size());
  EXPECT_EQ(Message(StartStreaming{{42, 0}, {kServerId}, false}), sent[0]);
  const auto& changes = std::get<Changes>(sent[1]);
  EXPECT_EQ((Cursor{3, 5}), changes.since);
  ASSERT_EQ(2u, changes.changes.size());
  EXPECT_EQ(4, changes.changes[0].db_version);
  EXPECT_EQ((Cursor{42, 0}), s.session.inbound_cursor(kClientId));
}

TEST(Session, ServerRefusesASchemaMismatchWithAClearError) {
  Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
  ASSERT_TRUE(s.session.Start().ok());
  s.Inject(AnnouncePresence{kClientId, {}, "todo.sql", 1234});
  EXPECT_TRUE(s.Take().empty());  // no StartStreaming
  int code = 0;
  std::string reason;
  ASSERT_TRUE(s.CloseQueued(&code, &reason));
  EXPECT_EQ(kClosePolicyViolation, code);
  EXPECT_NE(std::string::npos, reason.find("schema mismatch")) << reason;
  EXPECT_EQ(StatusCode::kFailedPrecondition, s.session.close_status().code());
  EXPECT_EQ(1, s.events.closed);
  EXPECT_EQ(SessionState::kClosed, s.session.state());
}

TEST(Session, ServerAnnounceHookMayRefuse) {
  struct Refuser : RecordingObserver {
    Status OnAnnounce(const AnnouncePresence& a) override {
      return Status::Unavailable("room is being migrated");
    }
  } refuser;
  SyncDb db("f0e1d2c3b4a5968778695a4b3c2d1e0f");
  MemoryTransportPair pair;
  Session session(Role::kServer, db.store(), pair.a(), {}, &refuser);
  ASSERT_TRUE(session.Start().ok());
  session.OnMessage(protocol::Encode(Announce(kClientId)));
  ASSERT_EQ(1u, pair.a().outbox().size());
  EXPECT_TRUE(pair.a().outbox()[0].is_close);
  EXPECT_EQ(kCloseInternalError, pair.a().outbox()[0].close_code);
  EXPECT_EQ("room is being migrated", pair.a().outbox()[0].close_reason);
}

TEST(Session, ServerRefusesOutOfOrderMessages) {
  {
    Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
    ASSERT_TRUE(s.session.Start().ok());
    s.Inject(Changes{kClientId, {0, 0}, {TodoTitle(1, "a", 1)}});
    int code = 0;
    ASSERT_TRUE(s.CloseQueued(&code));
    EXPECT_EQ(kCloseProtocolError, code);
    EXPECT_EQ("", s.db.One("SELECT * FROM todo"));
  }
  {
    Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
    ASSERT_TRUE(s.session.Start().ok());
    s.Inject(Announce(kClientId));
    s.Inject(Announce(kClientId));
    int code = 0;
    ASSERT_TRUE(s.CloseQueued(&code));
    EXPECT_EQ(kCloseProtocolError, code);
  }
  {
    Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
    ASSERT_TRUE(s.session.Start().ok());
    s.Inject(Announce(kClientId));
    s.Inject(StartStreaming{{0, 0}, {kClientId}, false});
    int code = 0;
    ASSERT_TRUE(s.CloseQueued(&code));
    EXPECT_EQ(kCloseProtocolError, code);
  }
}

TEST(Session, ServerRefusesChangesFromAnotherSender) {
  Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
  ASSERT_TRUE(s.session.Start().ok());
  s.Inject(Announce(kClientId));
  s.Inject(
      Changes{SiteFromHex("77777777777777777777777777777777"), {0, 0}, {TodoTitle(1, "a", 1)}});
  int code = 0;
  ASSERT_TRUE(s.CloseQueued(&code));
  EXPECT_EQ(kClosePolicyViolation, code);
  EXPECT_EQ("", s.db.One("SELECT * FROM todo"));
}

TEST(Session, ServerRepliesToAGapWithOneStartStreamingAndNeverApplies) {
  Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
  ASSERT_TRUE(s.session.Start().ok());
  s.Inject(Announce(kClientId));
  s.Take();
  s.Inject(Changes{kClientId, {0, 0}, {TodoTitle(1, "a", 1)}});
  s.Inject(Changes{kClientId, {2, 0}, {TodoTitle(2, "b", 3)}});  // [2] is missing
  s.Inject(Changes{kClientId, {3, 0}, {TodoTitle(3, "c", 4)}});
  auto sent = s.Take();
  ASSERT_EQ(1u, sent.size());
  EXPECT_EQ(Message(StartStreaming{{1, 0}, {kServerId}, false}), sent[0]);
  EXPECT_EQ("(1)", s.db.One("SELECT count(*) FROM todo"));
  EXPECT_EQ("(1, 0)", s.db.One("SELECT version, seq FROM crsql_tracked_peers"));
}

TEST(Session, ServerCanAnswerGapsWithRejectChanges) {
  SessionOptions options;
  options.gap_reply = GapReply::kRejectChanges;
  Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f", options);
  ASSERT_TRUE(s.session.Start().ok());
  s.Inject(Announce(kClientId));
  s.Take();
  s.Inject(Changes{kClientId, {5, 0}, {TodoTitle(2, "b", 6)}});
  auto sent = s.Take();
  ASSERT_EQ(1u, sent.size());
  EXPECT_EQ(Message(RejectChanges{kClientId, {0, 0}}), sent[0]);
}

TEST(Session, RejectChangesRewindsTheOutboundCursor) {
  Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
  for (int i = 1; i <= 3; ++i) {
    s.db.Write("INSERT INTO todo (id, title) VALUES (" + std::to_string(i) + ", 'x')");
  }
  ASSERT_TRUE(s.session.Start().ok());
  s.Inject(Announce(kClientId));
  s.Take();
  EXPECT_EQ((Cursor{3, 0}), s.session.outbound_cursor());
  s.Inject(RejectChanges{SiteFromHex("77777777777777777777777777777777"), {0, 0}});  // not ours
  s.Inject(RejectChanges{kServerId, {3, 0}});  // stale: nothing to resend
  EXPECT_TRUE(s.Take().empty());
  s.Inject(RejectChanges{kServerId, {1, 0}});
  auto sent = s.Take();
  ASSERT_EQ(1u, sent.size());
  const auto& changes = std::get<Changes>(sent[0]);
  EXPECT_EQ((Cursor{1, 0}), changes.since);
  ASSERT_EQ(4u, changes.changes.size());
  EXPECT_EQ(2, changes.changes.front().db_version);
  EXPECT_EQ(1u, s.session.stats().rewinds);
  EXPECT_EQ(1u, s.session.stats().ignored_messages);
}

TEST(Session, ApplyFailureClosesTheSession) {
  Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
  ASSERT_TRUE(s.session.Start().ok());
  s.Inject(Announce(kClientId));
  auto bad = TodoTitle(1, "a", 1);
  bad.table = "missing";
  s.Inject(Changes{kClientId, {0, 0}, {TodoTitle(2, "b", 1), bad}});
  int code = 0;
  ASSERT_TRUE(s.CloseQueued(&code));
  EXPECT_EQ(kClosePolicyViolation, code);
  EXPECT_EQ(StatusCode::kInvalidArgument, s.session.close_status().code());
  EXPECT_EQ("", s.db.One("SELECT * FROM todo"));  // the batch is atomic
}

// ---- both roles ---------------------------------------------------------------------------

TEST(Session, UndecodableMessageClosesWithProtocolError) {
  Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
  ASSERT_TRUE(s.session.Start().ok());
  const uint8_t garbage[] = {0x63};
  s.session.OnMessage(garbage);
  int code = 0;
  ASSERT_TRUE(s.CloseQueued(&code));
  EXPECT_EQ(kCloseProtocolError, code);
  EXPECT_EQ(StatusCode::kDataLoss, s.session.close_status().code());
}

TEST(Session, PingIsAnsweredAndPrimaryForwardingTagsAreIgnored) {
  Scripted c(Role::kClient, "00112233445566778899aabbccddeeff");
  ASSERT_TRUE(c.session.Start().ok());
  c.Take();
  c.Inject(protocol::Ping{});
  c.Inject(protocol::Pong{});
  c.Inject(protocol::CreateDbOnPrimaryResponse{1, 2});
  c.Inject(protocol::Err{1, "boom"});
  auto sent = c.Take();
  ASSERT_EQ(1u, sent.size());
  EXPECT_EQ(Message(protocol::Pong{}), sent[0]);
  EXPECT_EQ(1, c.events.pongs);
  EXPECT_EQ(2u, c.session.stats().ignored_messages);
  EXPECT_TRUE(c.session.SendPing());
  EXPECT_EQ(Message(protocol::Ping{}), c.Take().at(0));
  EXPECT_EQ(SessionState::kAwaitingStart, c.session.state());
}

TEST(Session, BackpressureStopsPullingUntilDrained) {
  SessionOptions options;
  options.max_changes_per_message = 10;
  options.max_buffered_bytes = 1500;  // about two batches of ten small changes
  Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f", options);
  ASSERT_EQ("", s.db.Exec("BEGIN"));
  for (int i = 1; i <= 200; ++i) {
    ASSERT_EQ("", s.db.Exec("INSERT INTO todo (id, title) VALUES (" + std::to_string(i) +
                            ", 'item') ; COMMIT; BEGIN;"));
  }
  ASSERT_EQ("", s.db.Exec("COMMIT"));
  ASSERT_TRUE(s.session.Start().ok());
  s.Inject(Announce(kClientId));
  const size_t queued = s.endpoint().outbox().size();
  EXPECT_LT(queued, 10u);  // StartStreaming + a few batches, not 40
  EXPECT_TRUE(s.session.awaiting_drain());
  const uint64_t pulls = s.session.stats().pulls;
  s.session.OnLocalChange();  // a notification while saturated does not pull
  s.db.Write("INSERT INTO todo (id, title) VALUES (1000, 'more')");
  EXPECT_EQ(pulls, s.session.stats().pulls);
  EXPECT_EQ(queued, s.endpoint().outbox().size());

  size_t changes = 0;
  for (int guard = 0; guard < 200 && !s.endpoint().outbox().empty(); ++guard) {
    for (const Message& m : s.Take()) {
      if (auto* c = std::get_if<Changes>(&m)) changes += c->changes.size();
    }
    s.session.OnDrained();
  }
  EXPECT_EQ(402u, changes);  // 201 rows x (title, done)
  EXPECT_FALSE(s.session.awaiting_drain());
  EXPECT_GE(s.session.stats().backpressure_stalls, 10u);
}

TEST(Session, LocalChangesCoalesceOnTheExecutor) {
  std::vector<std::function<void()>> tasks;
  SessionOptions options;
  options.post = [&](std::function<void()> task) { tasks.push_back(std::move(task)); };
  Scripted c(Role::kClient, "00112233445566778899aabbccddeeff", options);
  ASSERT_TRUE(c.session.Start().ok());
  c.Inject(StartStreaming{{0, 0}, {kServerId}, false});
  c.Take();
  for (int i = 1; i <= 5; ++i) {
    c.db.Write("INSERT INTO todo (id, title) VALUES (" + std::to_string(i) + ", 'x')");
  }
  ASSERT_EQ(1u, tasks.size());
  EXPECT_EQ(4u, c.session.stats().coalesced_notifications);
  EXPECT_TRUE(c.Take().empty());
  const uint64_t pulls = c.session.stats().pulls;
  tasks[0]();
  EXPECT_EQ(pulls + 1, c.session.stats().pulls);
  auto sent = c.Take();
  ASSERT_EQ(1u, sent.size());
  EXPECT_EQ(10u, std::get<Changes>(sent[0]).changes.size());
}

TEST(Session, PostedPumpAfterDestructionDoesNothing) {
  std::vector<std::function<void()>> tasks;
  SessionOptions options;
  options.post = [&](std::function<void()> task) { tasks.push_back(std::move(task)); };
  {
    Scripted c(Role::kClient, "00112233445566778899aabbccddeeff", options);
    c.session.OnLocalChange();
  }
  ASSERT_EQ(1u, tasks.size());
  tasks[0]();  // must not touch the destroyed session
}

TEST(Session, BacklogPumpsTakeTurnsOnASharedExecutor) {
  // Two server sessions share one FIFO executor (a room strand); each has a backlog of three
  // batches. With post set a pump sends one batch and queues the rest behind the other session.
  std::deque<std::function<void()>> tasks;
  SessionOptions options;
  options.max_changes_per_message = 10;
  options.post = [&](std::function<void()> task) { tasks.push_back(std::move(task)); };
  Scripted a(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f", options);
  Scripted b(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f", options);
  for (Scripted* s : {&a, &b}) {
    for (int i = 1; i <= 15; ++i) {  // 15 versions x (title, done) = 30 changes
      s->db.Write("INSERT INTO todo (id, title) VALUES (" + std::to_string(i) + ", 'x')");
    }
    ASSERT_TRUE(s->session.Start().ok());
  }
  // The notifications of the writes above: nothing to stream yet.
  for (auto& task : std::exchange(tasks, {})) task();
  ASSERT_TRUE(a.Take().empty());
  a.Inject(Announce(kClientId));
  b.Inject(Announce(kClientId));
  std::string order;
  auto record = [&order](Scripted& s, char name) {
    for (const Message& m : s.Take()) {
      if (std::holds_alternative<Changes>(m)) order += name;
    }
  };
  record(a, 'a');
  record(b, 'b');
  EXPECT_EQ("ab", order);  // one batch each at the announce, the rest queued
  EXPECT_EQ(2u, tasks.size());
  for (int guard = 0; guard < 20 && !tasks.empty(); ++guard) {
    auto task = std::move(tasks.front());
    tasks.pop_front();
    task();
    record(a, 'a');
    record(b, 'b');
  }
  EXPECT_TRUE(tasks.empty());
  EXPECT_EQ("ababab", order);
  EXPECT_EQ(30u, a.session.stats().changes_sent);
  EXPECT_EQ(30u, b.session.stats().changes_sent);
  EXPECT_EQ(2u, a.session.stats().yielded_pumps);
}

TEST(Session, PeerCloseIsReported) {
  Scripted c(Role::kClient, "00112233445566778899aabbccddeeff");
  ASSERT_TRUE(c.session.Start().ok());
  c.session.OnClosed(kClosePolicyViolation, "schema mismatch: client todo.sql@1");
  EXPECT_EQ(StatusCode::kFailedPrecondition, c.session.close_status().code());
  EXPECT_NE(std::string::npos, c.session.close_status().message().find("schema mismatch"));
  c.session.OnClosed(kCloseNormal, "");  // only the first close counts
  EXPECT_EQ(1, c.events.closed);

  Scripted d(Role::kClient, "00112233445566778899aabbccddeeff");
  d.session.OnClosed(kCloseNormal, "");
  EXPECT_TRUE(d.session.close_status().ok());
  EXPECT_EQ(SessionState::kClosed, d.session.state());
  EXPECT_FALSE(d.session.SendPing());
}

TEST(Session, CloseReasonIsShortWellFormedUtf8) {
  Scripted s(Role::kServer, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
  ASSERT_TRUE(s.session.Start().ok());
  std::string long_name;
  for (int i = 0; i < 100; ++i) long_name += "\xe2\x82\xac";  // 100 x U+20AC
  s.Inject(AnnouncePresence{kClientId, {}, long_name, 1});
  std::string reason;
  ASSERT_TRUE(s.CloseQueued(nullptr, &reason));
  EXPECT_LE(reason.size(), kMaxCloseReasonBytes);
  EXPECT_TRUE(IsValidUtf8(reason));
}

}  // namespace
}  // namespace crsync::sync::testing
