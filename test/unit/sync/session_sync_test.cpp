// End-to-end tests of the sync layer: real engine databases, client and server Sessions over
// in-memory transports, a shared server store for rooms. They check convergence (table contents
// and crsql_changes), resumption, gap recovery, tolerance of duplicated/reordered frames,
// batching and backpressure.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>

#include "protocol/codec.h"
#include "sync_harness.h"

namespace crsync::sync::testing {
namespace {

using protocol::Changes;
using protocol::Message;

// Everything that must be equal on converged peers.
void ExpectConverged(SyncDb& a, SyncDb& b) {
  EXPECT_EQ(a.Table("todo"), b.Table("todo"));
  EXPECT_EQ(a.Changes(), b.Changes());
}

TEST(SessionSync, InitialSyncBothWaysConverges) {
  SyncDb client, server;
  client.Write("INSERT INTO todo (id, title, done) VALUES (1, 'client row', 1)");
  client.Write("INSERT INTO todo (id, title) VALUES (2, 'client two')");
  server.Write("INSERT INTO todo (id, title) VALUES (10, 'server row')");
  Link link(client, server.store());
  link.Start();
  Settle({&link});
  EXPECT_EQ(SessionState::kStreaming, link.client.state());
  EXPECT_EQ(SessionState::kStreaming, link.server.state());
  EXPECT_EQ(3u, client.Table("todo").size());
  ExpectConverged(client, server);
  // Attribution (§4.6): on the server everything from the client carries the client's id; on
  // the client everything that came through the server carries the server's id.
  EXPECT_EQ("(4)", server.One("SELECT count(*) FROM crsql_changes WHERE site_id = X'" +
                              HexEncode(client.site_id()) + "'"));
  EXPECT_EQ("(2)", client.One("SELECT count(*) FROM crsql_changes WHERE site_id = X'" +
                              HexEncode(server.site_id()) + "'"));
  // Nothing bounced back: each side sent only its own changes.
  EXPECT_EQ(4u, link.client.stats().changes_sent);
  EXPECT_EQ(2u, link.server.stats().changes_sent);
  EXPECT_EQ(0u, link.client.stats().gaps + link.server.stats().gaps);

  // Live edits flow both ways.
  client.Write("UPDATE todo SET done = 1 WHERE id = 10");
  server.Write("UPDATE todo SET title = 'renamed' WHERE id = 1");
  Settle({&link});
  ExpectConverged(client, server);
  EXPECT_EQ("(1, 'renamed', 1, 'text')", client.Table("todo")[0]);
}

TEST(SessionSync, ConcurrentEditsAndDeletesConverge) {
  SyncDb client, server;
  for (int i = 1; i <= 6; ++i) {
    client.Write("INSERT INTO todo (id, title) VALUES (" + std::to_string(i) + ", 'v0')");
  }
  {
    Link link(client, server.store());
    link.Start();
    Settle({&link});
    ExpectConverged(client, server);
  }
  // Offline, both sides edit: the same cell, different cells, delete vs update, delete on both,
  // delete and re-insert, and new rows with the same primary key.
  client.Write("UPDATE todo SET title = 'client' WHERE id = 1");
  server.Write("UPDATE todo SET title = 'server' WHERE id = 1");
  server.Write("UPDATE todo SET title = 'server again' WHERE id = 1");
  client.Write("UPDATE todo SET done = 1 WHERE id = 2");
  server.Write("UPDATE todo SET title = 'server' WHERE id = 2");
  client.Write("DELETE FROM todo WHERE id = 3");
  server.Write("UPDATE todo SET title = 'edited while deleted' WHERE id = 3");
  client.Write("DELETE FROM todo WHERE id = 4");
  server.Write("DELETE FROM todo WHERE id = 4");
  server.Write("DELETE FROM todo WHERE id = 5");
  server.Write("INSERT INTO todo (id, title) VALUES (5, 'reborn')");
  client.Write("INSERT INTO todo (id, title) VALUES (7, 'client seven')");
  server.Write("INSERT INTO todo (id, title) VALUES (7, 'server seven')");
  Link link(client, server.store());
  link.Start();
  Settle({&link});
  ExpectConverged(client, server);
  // 1: col_version 3 beats 2; 2: different cells merge; 3: the delete wins over an edit of
  // the old life; 4: deleted on both; 5: re-created after the delete; 7: equal versions, the
  // larger value wins.
  EXPECT_EQ((std::vector<std::string>{"(1, 'server again', 0, 'text')", "(2, 'server', 1, 'text')",
                                      "(5, 'reborn', 0, 'text')", "(6, 'v0', 0, 'text')",
                                      "(7, 'server seven', 0, 'text')"}),
            server.Table("todo"));
}

TEST(SessionSync, ThreeClientsThroughOneServerConverge) {
  SyncDb server;
  std::vector<std::unique_ptr<SyncDb>> clients;
  std::vector<std::unique_ptr<Link>> links;
  std::vector<Link*> all;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<SyncDb>());
    clients.back()->Write("INSERT INTO todo (id, title) VALUES (" + std::to_string(100 + i) +
                          ", 'offline')");
    links.push_back(std::make_unique<Link>(*clients.back(), server.store()));
    all.push_back(links.back().get());
    links.back()->Start();
  }
  Settle(all);
  for (auto& c : clients) ExpectConverged(*c, server);
  EXPECT_EQ(3u, server.Table("todo").size());

  // A write on one client reaches the others through the room's fan-out, with no action of theirs.
  clients[0]->Write("INSERT INTO todo (id, title) VALUES (1, 'from zero')");
  clients[1]->Write("UPDATE todo SET done = 1 WHERE id = 100");
  clients[2]->Write("DELETE FROM todo WHERE id = 101");
  Settle(all);
  for (auto& c : clients) ExpectConverged(*c, server);
  EXPECT_EQ(3u, clients[2]->Table("todo").size());
  // Each client received the other clients' writes, never its own back.
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(0u, links[i]->client.stats().gaps);
    EXPECT_EQ("(0)", clients[i]->One("SELECT count(*) FROM crsql_changes WHERE site_id = X'" +
                                     HexEncode(clients[(i + 1) % 3]->site_id()) + "'"));
  }
}

TEST(SessionSync, ReconnectResumesFromLastSeen) {
  SyncDb client, server;
  for (int i = 1; i <= 50; ++i) {
    client.Write("INSERT INTO todo (id, title) VALUES (" + std::to_string(i) + ", 'c')");
    server.Write("INSERT INTO todo (id, title) VALUES (" + std::to_string(1000 + i) + ", 's')");
  }
  {
    Link link(client, server.store());
    link.Start();
    Settle({&link});
    EXPECT_EQ(100u, link.client.stats().changes_sent);
    EXPECT_EQ(100u, link.server.stats().changes_sent);
    link.pair.Disconnect();
    EXPECT_EQ(SessionState::kClosed, link.client.state());
    EXPECT_EQ(StatusCode::kUnavailable, link.client.close_status().code());
  }
  client.Write("INSERT INTO todo (id, title) VALUES (60, 'while offline')");
  client.Write("UPDATE todo SET done = 1 WHERE id = 1");
  server.Write("INSERT INTO todo (id, title) VALUES (2000, 'while offline')");

  Link link(client, server.store());  // a new connection: fresh sessions, cursors from the DBs
  link.Start();
  Settle({&link});
  ExpectConverged(client, server);
  EXPECT_EQ(3u, link.client.stats().changes_sent);  // 60: title + done; 1: done
  EXPECT_EQ(2u, link.server.stats().changes_sent);  // 2000: title + done
  EXPECT_EQ(0u, link.client.stats().gaps + link.server.stats().gaps);
}

TEST(SessionSync, LostServerFrameIsRejectedAndResent) {
  SyncDb client, server;
  Link link(client, server.store());
  link.Start();
  Settle({&link});
  server.Write("INSERT INTO todo (id, title) VALUES (1, 'one')");
  ASSERT_EQ(1u, link.pair.b().outbox().size());
  link.pair.b().outbox().clear();  // lost in transit
  server.Write("INSERT INTO todo (id, title) VALUES (2, 'two')");
  server.Write("INSERT INTO todo (id, title) VALUES (3, 'three')");
  Settle({&link});
  ExpectConverged(client, server);
  EXPECT_EQ(3u, client.Table("todo").size());
  EXPECT_EQ(2u, link.client.stats().gaps);         // both later frames were gapped
  EXPECT_EQ(1u, link.client.stats().gap_replies);  // one RejectChanges
  EXPECT_EQ(1u, link.server.stats().rewinds);
  EXPECT_EQ(SessionState::kStreaming, link.client.state());
}

TEST(SessionSync, LostClientFrameIsRestartedAndResent) {
  SyncDb client, server;
  Link link(client, server.store());
  link.Start();
  Settle({&link});
  client.Write("INSERT INTO todo (id, title) VALUES (1, 'one')");
  ASSERT_EQ(1u, link.pair.a().outbox().size());
  link.pair.a().outbox().clear();
  client.Write("INSERT INTO todo (id, title) VALUES (2, 'two')");
  Settle({&link});
  ExpectConverged(client, server);
  EXPECT_EQ(2u, server.Table("todo").size());
  EXPECT_EQ(1u, link.server.stats().gaps);
  EXPECT_EQ(1u, link.server.stats().gap_replies);  // a StartStreaming rewind (D9)
  EXPECT_EQ(1u, link.client.stats().rewinds);
}

TEST(SessionSync, DuplicatedAndReorderedFramesDoNotCorrupt) {
  SyncDb server;
  SyncDb a, b;
  Link la(a, server.store());
  Link lb(b, server.store());
  la.Start();
  lb.Start();
  Settle({&la, &lb});
  std::mt19937 rng(12345);
  auto mess_up = [&](MemoryTransport& t) {
    auto& box = t.outbox();
    if (box.empty() || box.back().is_close) return;
    switch (rng() % 4) {
      case 0:
        box.push_back(box.front());  // duplicate, delivered late
        break;
      case 1:
        if (box.size() >= 2) std::swap(box[0], box[1]);  // reorder
        break;
      default:
        break;
    }
  };
  for (int step = 0; step < 200; ++step) {
    SyncDb& db = (step % 2 == 0) ? a : b;
    const int id = static_cast<int>(rng() % 20);
    switch (rng() % 3) {
      case 0:
        db.Write("INSERT OR REPLACE INTO todo (id, title) VALUES (" + std::to_string(id) + ", 'v" +
                 std::to_string(step) + "')");
        break;
      case 1:
        db.Write("UPDATE todo SET done = done + 1 WHERE id = " + std::to_string(id));
        break;
      default:
        db.Write("DELETE FROM todo WHERE id = " + std::to_string(id));
        break;
    }
    for (Link* link : {&la, &lb}) {
      mess_up(link->pair.a());
      mess_up(link->pair.b());
      if (rng() % 3 == 0) {
        link->pair.a().DeliverOne();
        link->pair.b().DeliverOne();
      }
    }
  }
  Settle({&la, &lb});
  uint64_t gaps = 0;
  for (Link* link : {&la, &lb}) {
    EXPECT_EQ(SessionState::kStreaming, link->client.state());
    EXPECT_EQ(SessionState::kStreaming, link->server.state());
    gaps += link->client.stats().gaps + link->server.stats().gaps;
  }
  EXPECT_GT(gaps, 0u);  // the reordering really produced gaps
  ExpectConverged(a, server);
  ExpectConverged(b, server);
}

TEST(SessionSync, SchemaMismatchIsReportedOnBothSides) {
  SyncDb server;
  SyncDb client("", kTodoSql, "todo.sql", 42);
  Link link(client, server.store());
  link.Start();
  Settle({&link});
  EXPECT_EQ(SessionState::kClosed, link.server.state());
  EXPECT_EQ(SessionState::kClosed, link.client.state());
  EXPECT_EQ(StatusCode::kFailedPrecondition, link.server.close_status().code());
  EXPECT_EQ(StatusCode::kFailedPrecondition, link.client.close_status().code());
  EXPECT_NE(std::string::npos, link.client.close_status().message().find("schema mismatch"))
      << link.client.close_status().ToString();
  EXPECT_EQ(kClosePolicyViolation, link.pair.a().close_code());
  EXPECT_EQ(1, link.client_events.closed);
  EXPECT_EQ(0, link.client_events.streaming);
}

TEST(SessionSync, BigInitialSyncIsSplitIntoBatches) {
  SyncDb client, server;
  ASSERT_EQ("", server.Exec("BEGIN"));
  for (int i = 1; i <= 3000; ++i) {
    ASSERT_EQ(
        "", server.Exec("INSERT INTO todo (id, title) VALUES (" + std::to_string(i) + ", 'row')"));
    if (i % 10 == 0) {
      ASSERT_EQ("", server.Exec("COMMIT; BEGIN;"));
    }
  }
  ASSERT_EQ("", server.Exec("COMMIT"));
  SessionOptions options;
  options.max_changes_per_message = 250;
  Link link(client, server.store(), {}, options);
  link.Start();
  std::vector<size_t> batches;
  for (int guard = 0; guard < 10'000; ++guard) {
    if (link.pair.a().DeliverOne()) continue;
    auto& box = link.pair.b().outbox();
    if (box.empty()) break;
    auto decoded = protocol::Decode(box.front().bytes);
    ASSERT_TRUE(decoded.ok());
    if (auto* c = std::get_if<Changes>(&*decoded)) batches.push_back(c->changes.size());
    link.pair.b().DeliverOne();
  }
  ExpectConverged(client, server);
  EXPECT_EQ(6000u, link.server.stats().changes_sent);
  // Versions of 20 changes: a batch ends at the first boundary at or after 250 changes.
  ASSERT_EQ(24u, batches.size());
  EXPECT_EQ(260u, *std::max_element(batches.begin(), batches.end()));
  EXPECT_EQ(6000u - 23u * 260u, batches.back());
}

TEST(SessionSync, BackpressureBoundsWhatIsQueued) {
  SyncDb client, server;
  for (int i = 1; i <= 300; ++i) {
    server.Write("INSERT INTO todo (id, title) VALUES (" + std::to_string(i) + ", 'row')");
  }
  SessionOptions options;
  options.max_changes_per_message = 20;
  options.max_buffered_bytes = 4096;
  Link link(client, server.store(), {}, options);
  link.Start();
  size_t most_buffered = 0;
  for (int guard = 0; guard < 10'000; ++guard) {
    most_buffered = std::max(most_buffered, link.pair.b().BufferedBytes());
    if (link.pair.DeliverAll(1) == 0) break;
  }
  ExpectConverged(client, server);
  // At most one batch beyond the limit is ever queued.
  EXPECT_LT(most_buffered, 4096u + 2000u);
  EXPECT_GT(link.server.stats().backpressure_stalls, 0u);
}

TEST(SessionSync, RandomizedRoomConverges) {
  SyncDb server;
  std::vector<std::unique_ptr<SyncDb>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(std::make_unique<SyncDb>());
  std::vector<std::unique_ptr<Link>> links(3);
  std::mt19937 rng(777);
  auto connect = [&](int i) {
    links[i] = std::make_unique<Link>(*clients[i], server.store());
    links[i]->Start();
  };
  for (int i = 0; i < 3; ++i) connect(i);
  for (int step = 0; step < 300; ++step) {
    const int who = static_cast<int>(rng() % 4);  // 3 = the server's own writes
    SyncDb& db = who == 3 ? server : *clients[who];
    const std::string id = std::to_string(rng() % 15);
    switch (rng() % 4) {
      case 0:
        db.Write("INSERT OR IGNORE INTO todo (id, title) VALUES (" + id + ", 'n')");
        break;
      case 1:
        db.Write("UPDATE todo SET title = 's" + std::to_string(step) + "' WHERE id = " + id);
        break;
      case 2:
        db.Write("UPDATE todo SET done = " + std::to_string(step) + " WHERE id = " + id);
        break;
      default:
        db.Write("DELETE FROM todo WHERE id = " + id);
        break;
    }
    const int link = static_cast<int>(rng() % 3);
    if (rng() % 25 == 0) {
      links[link]->pair.Disconnect();
      connect(link);
    } else {
      for (int n = static_cast<int>(rng() % 4); n > 0; --n) {
        links[link]->pair.a().DeliverOne();
        links[link]->pair.b().DeliverOne();
      }
    }
  }
  std::vector<Link*> all;
  for (auto& l : links) all.push_back(l.get());
  Settle(all);
  for (auto& c : clients) ExpectConverged(*c, server);
  for (auto& l : links) {
    EXPECT_EQ(SessionState::kStreaming, l->client.state());
  }
}

}  // namespace
}  // namespace crsync::sync::testing
