// Tests of RoomChangeCache (src/server/room_change_cache.cpp): on randomized histories (local
// writes, merged remote batches from several sites, updates, deletes, re-inserts, lost merges)
// every pull the cache answers equals SqliteStore::PullChanges for the same request (rows,
// order, values, truncation), for lagging cursors, excluded sites, local_only, small limits and
// an evicting cache; pulls below the covered range are left to SQLite.
#include "protocol/codec.h"
#include "server/room_change_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "unit/sync/sync_harness.h"

namespace crsync::server {
namespace {

using sync::PullRequest;
using sync::PullResult;
using sync::testing::SyncDb;

constexpr const char* kTableSql =
    "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY NOT NULL, a, b TEXT);"
    "SELECT crsql_as_crr('t');";

// A room database and three peers that write and ship their changes to it.
class History {
 public:
  explicit History(uint32_t seed)
      : rng_(seed), room_("aa000000000000000000000000000000", kTableSql, "t.sql") {
    const char* sites[] = {"b1000000000000000000000000000000", "b2000000000000000000000000000000",
                           "b3000000000000000000000000000000"};
    for (const char* site : sites) {
      peers_.push_back(std::make_unique<SyncDb>(site, kTableSql, "t.sql"));
      shipped_.push_back(0);
    }
  }

  SyncDb& room() { return room_; }
  std::vector<SiteId> Sites() {
    std::vector<SiteId> sites = {room_.site_id()};
    for (auto& peer : peers_) sites.push_back(peer->site_id());
    return sites;
  }
  int Random(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  // One committed step: a local write on the room, or a peer's write merged into the room.
  void Step() {
    const int who = Random(4);
    if (who == 3) {
      Write(room_);
      return;
    }
    SyncDb& peer = *peers_[who];
    Write(peer);
    PullRequest request;
    request.since_db_version = shipped_[who];
    request.local_only = true;
    request.max_changes = 1 << 20;
    auto pulled = peer.store().PullChanges(request);
    ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
    if (pulled->changes.empty()) return;
    shipped_[who] = pulled->changes.back().db_version;
    ASSERT_TRUE(
        room_.store().ApplyChanges(peer.site_id(), pulled->changes, {shipped_[who], 0}).ok());
  }

 private:
  // A small key space so that updates, deletes, re-inserts and lost merges all happen.
  void Write(SyncDb& db) {
    const std::string id = std::to_string(Random(12));
    std::string sql;
    switch (Random(5)) {
      case 0:
        sql = "DELETE FROM t WHERE id = " + id;
        break;
      case 1:
        sql = "UPDATE t SET a = " + std::to_string(Random(1000)) + " WHERE id = " + id;
        break;
      case 2:
        sql = "INSERT INTO t VALUES (" + id + ", 2.5, 'x" + id + "'), (" +
              std::to_string(100 + Random(1000)) + ", X'00ff', NULL) ON CONFLICT DO NOTHING";
        break;
      default:
        sql = "INSERT OR REPLACE INTO t VALUES (" + id + ", " + std::to_string(Random(50)) +
              ", 'v" + std::to_string(Random(50)) + "')";
        break;
    }
    db.Write(sql);
  }

  std::mt19937 rng_;
  SyncDb room_;
  std::vector<std::unique_ptr<SyncDb>> peers_;
  std::vector<int64_t> shipped_;
};

PullRequest RandomRequest(History& history, int64_t floor, int64_t head) {
  PullRequest request;
  request.since_db_version = floor + history.Random(static_cast<int>(head - floor) + 2) - 1;
  const std::vector<SiteId> sites = history.Sites();
  for (int n = history.Random(4); n > 0; --n)
    request.exclude_sites.push_back(sites[history.Random(4)]);
  request.local_only = history.Random(5) == 0;
  request.max_changes = 1 + history.Random(12);
  request.max_bytes = history.Random(3) == 0 ? 40 + history.Random(200) : 1 << 20;
  request.include_site_ids = history.Random(2) == 0;
  return request;
}

// The Changes message a session would send for a pull result, whichever form it has.
std::vector<uint8_t> WireOf(const PullResult& result) {
  const SiteId sender{};
  const protocol::Cursor since{7, 0};
  if (!result.records.empty()) return protocol::EncodeChanges(sender, since, result.records);
  protocol::Changes message;
  message.sender = sender;
  message.since = since;
  message.changes = result.changes;
  return protocol::Encode(message);
}

void ExpectSameAsSql(History& history, const RoomChangeCache& cache, int* answered) {
  for (int i = 0; i < 20; ++i) {
    const PullRequest request = RandomRequest(history, cache.floor(), cache.head());
    std::optional<PullResult> cached = cache.Pull(request, history.room().site_id());
    if (!cached) {
      EXPECT_LT(request.since_db_version, cache.floor());
      continue;
    }
    ++*answered;
    auto sql = history.room().store().PullChanges(request);
    ASSERT_TRUE(sql.ok()) << sql.status().ToString();
    ASSERT_EQ(sql->truncated, cached->truncated) << "since " << request.since_db_version;
    ASSERT_TRUE(sql->records.empty());
    ASSERT_EQ(sql->size(), cached->size()) << "since " << request.since_db_version;
    ASSERT_EQ(sql->last_db_version, cached->last_db_version);
    // Without site ids the cache answers with its pre-encoded records: same bytes on the wire.
    if (!cached->empty()) {
      ASSERT_EQ(request.include_site_ids, cached->records.empty());
    }
    ASSERT_EQ(WireOf(*sql), WireOf(*cached)) << "since " << request.since_db_version;
    if (request.include_site_ids) {
      ASSERT_EQ(sql->changes.size(), cached->changes.size());
      for (size_t k = 0; k < sql->changes.size(); ++k) {
        ASSERT_EQ(sql->changes[k].site_id, cached->changes[k].site_id);
        ASSERT_EQ(sql->changes[k].db_version, cached->changes[k].db_version);
        ASSERT_EQ(sql->changes[k].seq, cached->changes[k].seq);
      }
    }
  }
}

void RunHistory(uint32_t seed, ChangeCacheLimits limits) {
  History history(seed);
  RoomChangeCache cache(limits);
  ASSERT_TRUE(cache.Reset(history.room().store()).ok());
  int answered = 0;
  size_t max_rows = 0;
  for (int step = 0; step < 120; ++step) {
    history.Step();
    if (::testing::Test::HasFatalFailure()) return;
    // Several commits between refreshes sometimes, as when a group covers many batches.
    if (history.Random(3) == 0) continue;
    ASSERT_TRUE(cache.Refresh(history.room().store()).ok());
    auto head = history.room().store().DbVersion();
    ASSERT_TRUE(head.ok());
    EXPECT_EQ(*head, cache.head());
    EXPECT_LE(cache.rows(), limits.max_rows);
    max_rows = std::max(max_rows, cache.rows());
    ExpectSameAsSql(history, cache, &answered);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(answered, 200);  // the comparison really ran
  EXPECT_GT(max_rows, 0u);
}

TEST(RoomChangeCache, AnswersEqualSqlOnRandomHistories) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE(seed);
    RunHistory(seed, ChangeCacheLimits{});
  }
}

TEST(RoomChangeCache, AnswersEqualSqlWhileEvicting) {
  for (uint32_t seed = 11; seed <= 14; ++seed) {
    SCOPED_TRACE(seed);
    RunHistory(seed, ChangeCacheLimits{8, 1 << 20});
  }
}

TEST(RoomChangeCache, CoversNewRowsAndLeavesOlderCursorsToSql) {
  SyncDb room("aa000000000000000000000000000000", kTableSql, "t.sql");
  room.Write("INSERT INTO t VALUES (1, 1, 'a')");
  RoomChangeCache cache;
  ASSERT_TRUE(cache.Reset(room.store()).ok());
  EXPECT_EQ(1, cache.floor());
  PullRequest old_cursor;
  EXPECT_FALSE(cache.Pull(old_cursor, room.site_id()).has_value());  // since 0 < floor 1
  room.Write("INSERT INTO t VALUES (2, 2, 'b')");
  room.Write("INSERT INTO t VALUES (3, 3, 'c')");
  ASSERT_TRUE(cache.Refresh(room.store()).ok());
  EXPECT_EQ(3, cache.head());
  EXPECT_EQ(4u, cache.rows());
  PullRequest request;
  request.since_db_version = 1;
  request.include_site_ids = true;  // answered with Change values (else pre-encoded records)
  auto cached = cache.Pull(request, room.site_id());
  ASSERT_TRUE(cached.has_value());
  ASSERT_EQ(4u, cached->changes.size());
  EXPECT_EQ(2, cached->changes.front().db_version);
  EXPECT_EQ(3, cached->changes.back().db_version);
  // Updating key 2 moves its row: the cache gives up everything up to its old db_version.
  room.Write("UPDATE t SET a = 20 WHERE id = 2");
  ASSERT_TRUE(cache.Refresh(room.store()).ok());
  EXPECT_EQ(2, cache.floor());
  EXPECT_FALSE(cache.Pull(request, room.site_id()).has_value());
  request.since_db_version = 2;
  cached = cache.Pull(request, room.site_id());
  ASSERT_TRUE(cached.has_value());
  auto sql = room.store().PullChanges(request);
  ASSERT_TRUE(sql.ok());
  EXPECT_EQ(sql->changes, cached->changes);
  ASSERT_EQ(3u, cached->changes.size());
}

}  // namespace
}  // namespace crsync::server
