// Tests of SqliteStore (src/sync/sqlite_store.cpp): the reference sync layers' SQL, batching at
// db_version boundaries, atomic apply with attribution and last-seen bookkeeping, storage
// classes both ways, and change notification.
#include "sync/sqlite_store.h"

#include <gtest/gtest.h>

#include <limits>

#include "protocol/codec.h"
#include "sync_harness.h"

namespace crsync::sync::testing {
namespace {

using protocol::Change;
using protocol::Cursor;
using protocol::Value;

const SiteId kPeer = SiteFromHex("77777777777777777777777777777777");

Change AnyChange(int64_t id, Value val, int64_t db_version, int64_t col_version = 1) {
  Change c;
  c.table = "anyv";
  c.pk = {0x01, 0x09, static_cast<uint8_t>(id)};
  c.cid = "v";
  c.val = std::move(val);
  c.col_version = col_version;
  c.db_version = db_version;
  c.cl = 1;
  c.seq = 0;
  return c;
}

TEST(SqliteStore, OpenNeedsTheEngine) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(SQLITE_OK, sqlite3_open(":memory:", &raw));
  auto store = SqliteStore::Open(raw);
  EXPECT_EQ(StatusCode::kFailedPrecondition, store.status().code());
  sqlite3_close(raw);
  EXPECT_EQ(StatusCode::kInvalidArgument, SqliteStore::Open(nullptr).status().code());
}

TEST(SqliteStore, SiteIdIsTheEngines) {
  SyncDb db("00112233445566778899aabbccddeeff");
  EXPECT_EQ(SiteFromHex("00112233445566778899aabbccddeeff"), db.site_id());
  EXPECT_EQ("(X'00112233445566778899AABBCCDDEEFF')", db.One("SELECT crsql_site_id()"));
}

TEST(SqliteStore, SchemaIsReadFromCrsqlMaster) {
  SyncDb db;
  auto schema = db.store().Schema();
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ("todo.sql", schema->name);
  EXPECT_EQ(kTodoVersion, schema->version);  // cryb64 of the spec's todo.sql
  EXPECT_EQ("(-6352387177184518618, 'integer')",
            db.One("SELECT value, typeof(value) FROM crsql_master WHERE key = 'schema_version'"));
  ASSERT_EQ("", db.Exec("DELETE FROM crsql_master WHERE key LIKE 'schema_%'"));
  schema = db.store().Schema();
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ((SchemaInfo{"", -1}), *schema);
}

TEST(SqliteStore, PullIsOrderedWithNullSiteIdsAndKeepsStorageClasses) {
  SyncDb db("", kAnySql, "any.sql");
  db.Write(
      "INSERT INTO anyv VALUES (1, 5), (2, 2.5), (3, 'x'), (4, X'00ff'), (5, NULL), "
      "(6, 9007199254740993)");
  auto pulled = db.store().PullChanges({});
  ASSERT_TRUE(pulled.ok());
  ASSERT_EQ(6u, pulled->changes.size());
  EXPECT_FALSE(pulled->truncated);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(1, pulled->changes[i].db_version);
    EXPECT_EQ(static_cast<int64_t>(i), pulled->changes[i].seq);
    EXPECT_FALSE(pulled->changes[i].site_id.has_value());
  }
  EXPECT_EQ(Value(int64_t{5}), pulled->changes[0].val);
  EXPECT_EQ(Value(2.5), pulled->changes[1].val);
  EXPECT_EQ(Value(std::string("x")), pulled->changes[2].val);
  EXPECT_EQ(Value(protocol::Bytes{0x00, 0xff}), pulled->changes[3].val);
  EXPECT_EQ(Value(protocol::Null{}), pulled->changes[4].val);
  EXPECT_EQ(Value(int64_t{9007199254740993}), pulled->changes[5].val);

  PullRequest negative;  // a hostile cursor: everything, no overflow
  negative.since_db_version = std::numeric_limits<int64_t>::min();
  auto everything = db.store().PullChanges(negative);
  ASSERT_TRUE(everything.ok());
  EXPECT_EQ(6u, everything->changes.size());

  PullRequest with_ids;
  with_ids.include_site_ids = true;
  pulled = db.store().PullChanges(with_ids);
  ASSERT_TRUE(pulled.ok());
  EXPECT_EQ(db.site_id(), pulled->changes[0].site_id);
}

TEST(SqliteStore, PullExcludesSitesAndHonoursLocalOnly) {
  SyncDb db("", kAnySql, "any.sql");
  db.Write("INSERT INTO anyv VALUES (1, 'local')");
  const Change remote = AnyChange(2, Value(std::string("remote")), 1);
  ASSERT_TRUE(db.store().ApplyChanges(kPeer, {&remote, 1}, {1, 0}).ok());

  auto all = db.store().PullChanges({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(2u, all->changes.size());

  PullRequest no_peer;
  no_peer.exclude_sites = {kPeer};
  auto pulled = db.store().PullChanges(no_peer);
  ASSERT_TRUE(pulled.ok());
  ASSERT_EQ(1u, pulled->changes.size());
  EXPECT_EQ(Value(std::string("local")), pulled->changes[0].val);

  PullRequest second_excluded;  // sites after the first are filtered in C++
  second_excluded.exclude_sites = {SiteFromHex("0102030405060708090a0b0c0d0e0f10"), kPeer};
  pulled = db.store().PullChanges(second_excluded);
  ASSERT_TRUE(pulled.ok());
  EXPECT_EQ(1u, pulled->changes.size());

  PullRequest local_only;
  local_only.local_only = true;
  pulled = db.store().PullChanges(local_only);
  ASSERT_TRUE(pulled.ok());
  ASSERT_EQ(1u, pulled->changes.size());
  EXPECT_EQ(Value(std::string("local")), pulled->changes[0].val);
}

TEST(SqliteStore, BatchesNeverSplitADbVersion) {
  SyncDb db("", kAnySql, "any.sql");
  for (int tx = 0; tx < 4; ++tx) {
    std::string sql = "BEGIN;";
    for (int row = 0; row < 5; ++row) {
      sql += "INSERT INTO anyv VALUES (" + std::to_string(tx * 10 + row) + ", 'v');";
    }
    db.Write(sql + "COMMIT;");
  }
  PullRequest request;
  request.max_changes = 3;
  std::vector<int64_t> batch_versions;
  size_t total = 0;
  for (int guard = 0; guard < 10; ++guard) {
    auto pulled = db.store().PullChanges(request);
    ASSERT_TRUE(pulled.ok());
    if (pulled->changes.empty()) break;
    // Each batch holds whole versions: 5 changes of one version (the limit is reached inside it).
    ASSERT_EQ(5u, pulled->changes.size());
    EXPECT_EQ(pulled->changes.front().db_version, pulled->changes.back().db_version);
    batch_versions.push_back(pulled->changes.back().db_version);
    total += pulled->changes.size();
    request.since_db_version = pulled->changes.back().db_version;
    EXPECT_EQ(request.since_db_version < 4, pulled->truncated);
  }
  EXPECT_EQ((std::vector<int64_t>{1, 2, 3, 4}), batch_versions);
  EXPECT_EQ(20u, total);

  request.since_db_version = 0;
  request.max_changes = 7;  // reached inside version 2: versions 1 and 2 together
  auto pulled = db.store().PullChanges(request);
  ASSERT_TRUE(pulled.ok());
  EXPECT_EQ(10u, pulled->changes.size());
  EXPECT_TRUE(pulled->truncated);
}

TEST(SqliteStore, ByteLimitCapsBatches) {
  SyncDb db("", kAnySql, "any.sql");
  const std::string big(1000, 'x');
  for (int i = 0; i < 10; ++i) {
    db.Write("INSERT INTO anyv VALUES (" + std::to_string(i) + ", '" + big + "')");
  }
  PullRequest request;
  request.max_bytes = 2500;
  auto pulled = db.store().PullChanges(request);
  ASSERT_TRUE(pulled.ok());
  EXPECT_EQ(3u, pulled->changes.size());  // stops at the first boundary at or after 2500 bytes
  EXPECT_TRUE(pulled->truncated);
}

TEST(SqliteStore, LargeBacklogIsWalkedInOrderExactlyOnce) {
  SyncDb db("", kAnySql, "any.sql");
  ASSERT_EQ("", db.Exec("BEGIN"));
  for (int i = 1; i <= 3000; ++i) {
    // Three rows per db_version.
    ASSERT_EQ("", db.Exec("INSERT INTO anyv VALUES (" + std::to_string(i) + ", " +
                          std::to_string(i) + ")"));
    if (i % 3 == 0) {
      ASSERT_EQ("", db.Exec("COMMIT; BEGIN;"));
    }
  }
  ASSERT_EQ("", db.Exec("COMMIT"));
  PullRequest request;
  request.max_changes = 100;
  int64_t expect_next_id = 1;
  for (int guard = 0; guard < 100; ++guard) {
    auto pulled = db.store().PullChanges(request);
    ASSERT_TRUE(pulled.ok());
    if (pulled->changes.empty()) break;
    EXPECT_LE(pulled->changes.size(), 102u);
    for (const Change& c : pulled->changes) {
      ASSERT_EQ(Value(expect_next_id), c.val);
      ++expect_next_id;
    }
    request.since_db_version = pulled->changes.back().db_version;
  }
  EXPECT_EQ(3001, expect_next_id);
}

TEST(SqliteStore, ApplyAttributesToTheSenderAndRecordsLastSeen) {
  SyncDb db("", kAnySql, "any.sql");
  Change c = AnyChange(1, Value(std::string("a")), 7);
  c.site_id = SiteFromHex("0102030405060708090a0b0c0d0e0f10");  // ignored: the sender wins
  ASSERT_TRUE(db.store().ApplyChanges(kPeer, {&c, 1}, {7, 0}).ok());
  EXPECT_EQ("(X'77777777777777777777777777777777')", db.One("SELECT site_id FROM crsql_changes"));
  EXPECT_EQ("(X'77777777777777777777777777777777', 7, 0, 0, 0)",
            db.One("SELECT site_id, version, seq, tag, event FROM crsql_tracked_peers"));

  // The upsert keeps the max version; seq follows the incoming row unless the stored version is
  // higher (§4.5).
  ASSERT_TRUE(db.store().ApplyChanges(kPeer, {}, {5, 9}).ok());
  EXPECT_EQ("(7, 0)", db.One("SELECT version, seq FROM crsql_tracked_peers"));
  ASSERT_TRUE(db.store().ApplyChanges(kPeer, {}, {7, 3}).ok());
  EXPECT_EQ("(7, 3)", db.One("SELECT version, seq FROM crsql_tracked_peers"));
  ASSERT_TRUE(db.store().ApplyChanges(kPeer, {}, {9, 0}).ok());
  EXPECT_EQ("(9, 0)", db.One("SELECT version, seq FROM crsql_tracked_peers"));

  auto seen = db.store().LastSeen(kPeer);
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ((Cursor{9, 0}), seen->value());
  auto none = db.store().LastSeen(SiteFromHex("0102030405060708090a0b0c0d0e0f10"));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  ASSERT_EQ("", db.Exec("INSERT INTO crsql_tracked_peers VALUES (X'0102', 4, 0, 0, 0)"));
  auto all = db.store().AllLastSeens();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(1u, all->size());  // the 2-byte site id cannot be announced
  EXPECT_EQ(kPeer, (*all)[0].site_id);
  EXPECT_EQ((Cursor{9, 0}), (*all)[0].cursor);
}

TEST(SqliteStore, ApplyIsAtomic) {
  SyncDb db("", kAnySql, "any.sql");
  std::vector<Change> batch = {AnyChange(1, Value(std::string("a")), 1),
                               AnyChange(2, Value(std::string("b")), 1)};
  batch[1].table = "nope";
  Status status = db.store().ApplyChanges(kPeer, batch, {1, 0});
  EXPECT_EQ(StatusCode::kInvalidArgument, status.code()) << status.ToString();
  EXPECT_TRUE(db.Query("SELECT * FROM anyv").empty());
  EXPECT_TRUE(db.Query("SELECT * FROM crsql_tracked_peers").empty());
  EXPECT_EQ("(1)", db.One("SELECT sqlite_version() IS NOT NULL"));  // connection still usable

}

TEST(SqliteStore, ApplyInsideAnOpenTransactionUsesASavepointAndLeavesCommitToTheOwner) {
  SyncDb db("", kAnySql, "any.sql");
  int notifications = 0;
  db.store().notifier().Add([&] { ++notifications; });
  std::vector<Change> good = {AnyChange(1, Value(std::string("a")), 1)};
  std::vector<Change> bad = {AnyChange(2, Value(std::string("b")), 1)};
  bad[0].table = "nope";
  ASSERT_EQ("", db.Exec("BEGIN IMMEDIATE"));
  ASSERT_TRUE(db.store().ApplyChanges(kPeer, good, {1, 0}).ok());
  EXPECT_EQ(StatusCode::kInvalidArgument, db.store().ApplyChanges(kPeer, bad, {2, 0}).code());
  EXPECT_EQ(0, notifications);  // not committed yet
  ASSERT_EQ("", db.Exec("COMMIT"));
  // The failed batch was rolled back to its savepoint only; the first one survived the commit.
  EXPECT_EQ((std::vector<std::string>{"(1, 'a')"}), db.Query("SELECT id, v FROM anyv"));
  EXPECT_EQ("(1)", db.One("SELECT version FROM crsql_tracked_peers"));
  db.store().NotifyChanged();
  EXPECT_EQ(1, notifications);
}

TEST(SqliteStore, ApplyBindsEachWireTypeWithItsStorageClass) {
  SyncDb db("", kAnySql, "any.sql");
  std::vector<Change> batch = {AnyChange(1, Value(int64_t{5}), 1),
                               AnyChange(2, Value(5.0), 1),
                               AnyChange(3, Value(std::string("t")), 1),
                               AnyChange(4, Value(true), 1),
                               AnyChange(5, Value(protocol::Bytes{}), 1),
                               AnyChange(6, Value(protocol::Null{}), 1),
                               AnyChange(7, Value(int64_t{-9007199254740993}), 1),
                               AnyChange(8, Value(false), 1)};
  ASSERT_TRUE(db.store().ApplyChanges(kPeer, batch, {1, 0}).ok());
  EXPECT_EQ((std::vector<std::string>{"(1, 5, 'integer')", "(2, 5.0, 'real')", "(3, 't', 'text')",
                                      "(4, 1, 'integer')", "(5, X'', 'blob')", "(6, NULL, 'null')",
                                      "(7, -9007199254740993, 'integer')", "(8, 0, 'integer')"}),
            db.Query("SELECT id, v, typeof(v) FROM anyv ORDER BY id"));
}

TEST(SqliteStore, IntegralFloatsFollowColumnAffinity) {
  SyncDb db;  // todo.done is INTEGER: a browser's Float64 0 lands as INTEGER 0 (§7.1)
  Change c;
  c.table = "todo";
  c.pk = {0x01, 0x09, 0x01};
  c.cid = "done";
  c.val = Value(0.0);
  c.col_version = 1;
  c.db_version = 1;
  c.cl = 1;
  ASSERT_TRUE(db.store().ApplyChanges(kPeer, {&c, 1}, {1, 0}).ok());
  EXPECT_EQ("(0, 'integer')", db.One("SELECT done, typeof(done) FROM todo"));
}

TEST(SqliteStore, NotifiesAfterCommitsThatChangedSomething) {
  SyncDb db("", kAnySql, "any.sql");
  int calls = 0;
  db.store().notifier().Add([&] { ++calls; });
  const Change c = AnyChange(1, Value(std::string("a")), 1);
  ASSERT_TRUE(db.store().ApplyChanges(kPeer, {&c, 1}, {1, 0}).ok());
  EXPECT_EQ(1, calls);
  ASSERT_TRUE(db.store().ApplyChanges(kPeer, {&c, 1}, {1, 0}).ok());  // duplicate: no-op merge
  EXPECT_EQ(1, calls);

  EXPECT_FALSE(db.store().PollForChanges());
  ASSERT_EQ("", db.Exec("INSERT INTO anyv VALUES (9, 'local')"));  // not announced
  EXPECT_TRUE(db.store().PollForChanges());
  EXPECT_EQ(2, calls);
  EXPECT_FALSE(db.store().PollForChanges());
  db.store().NotifyChanged();
  EXPECT_EQ(3, calls);
}

TEST(SqliteStore, EstimatedSizeIsCloseToTheEncodedSize) {
  for (const Value& val : {Value(protocol::Null{}), Value(int64_t{1}), Value(1.5),
                           Value(std::string(300, 'a')), Value(protocol::Bytes(5, 1))}) {
    protocol::Changes message;
    message.changes = {AnyChange(1, val, 1)};
    const size_t header = 1 + kSiteIdSize + 9 + 1;
    const size_t actual = protocol::Encode(message).size() - header;
    const size_t estimate = EstimateEncodedSize(message.changes[0]);
    EXPECT_LE(actual, estimate + 2);
    EXPECT_LE(estimate, actual + 2);
  }
}

}  // namespace
}  // namespace crsync::sync::testing
