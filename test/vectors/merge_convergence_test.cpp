// Test vector TV-53 (section E, "Convergence properties") of crsqlite-0.16-test-vectors.md:
// randomised writes on several peers, exchanged through crsql_changes, must end in identical
// data everywhere. Deterministic: every scenario runs from fixed std::mt19937 seeds, and a
// failure names its seed.
//
// Scenario 1: three peers, random partial exchange of single db_versions, then every peer applies
// every other peer's full change set (rows shuffled) twice.
// Scenario 2: hub-and-spoke A <-> H <-> C with per-direction cursors
// (db_version > cursor AND site_id IS NOT <receiver>; cursor := db_version of the last row
// received), interleaved with writes on A and C, then drained.
// As in the vector, there are no primary-key updates (TV-15: they do not replicate by design).
// Part 3 of the vector (one peer being the real cr-sqlite) needs the real extension and lives in
// the differential tests under test/compat.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "support/test_db.h"
#include "vectors/vector_util.h"

namespace crsync::test::vectors {
namespace {

constexpr char kSchema[] =
    "CREATE TABLE item (id NOT NULL, k NOT NULL, a, b INTEGER, c TEXT, PRIMARY KEY (id, k));"
    "SELECT crsql_as_crr('item');"
    "CREATE TABLE tag (t PRIMARY KEY NOT NULL); SELECT crsql_as_crr('tag');";

class RandomWriter {
 public:
  explicit RandomWriter(uint32_t seed) : rng_(seed) {}

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::mt19937& rng() { return rng_; }

  // One transaction of 1..3 random operations on item (6 keys) and tag (3 tags).
  std::string Transaction() {
    std::string sql = "BEGIN;";
    for (int n = 1 + Pick(3); n > 0; --n) sql += Op() + ";";
    return sql + "COMMIT;";
  }

 private:
  std::string ValueA() {
    static const char* kValues[] = {"NULL", "0",   "1",   "2",     "1.5",
                                    "-0.5", "'a'", "'b'", "X'01'", "X'02'"};
    return kValues[Pick(10)];
  }
  std::string ValueB() {
    static const char* kValues[] = {"NULL", "0", "1", "2", "3"};
    return kValues[Pick(5)];
  }
  std::string ValueC() {
    static const char* kValues[] = {"NULL", "'p'", "'q'", "'r'"};
    return kValues[Pick(4)];
  }
  // Each helper draws its random numbers in separate statements, so the sequence does not
  // depend on the (unspecified) evaluation order of operator+ operands.
  std::string Key() {
    const std::string id = std::to_string(1 + Pick(3));
    const char k = "xy"[Pick(2)];
    return "id = " + id + " AND k = '" + k + "'";
  }
  std::string Row() {
    const std::string id = std::to_string(1 + Pick(3));
    const char k = "xy"[Pick(2)];
    const std::string a = ValueA();
    const std::string b = ValueB();
    const std::string c = ValueC();
    return "(" + id + ", '" + k + "', " + a + ", " + b + ", " + c + ")";
  }
  std::string Tag() {
    static const char* kTags[] = {"'red'", "'green'", "'blue'"};
    return kTags[Pick(3)];
  }

  std::string Op() {
    const int kind = Pick(7);
    if (kind == 0) return "INSERT OR REPLACE INTO item VALUES " + Row();
    if (kind == 1) return "INSERT OR IGNORE INTO item VALUES " + Row();
    if (kind == 2 || kind == 3) {
      std::string set;
      if (kind == 2) {
        set = "a = " + ValueA();
      } else if (Pick(2)) {
        set = "b = " + ValueB();
      } else {
        set = "c = " + ValueC();
      }
      return "UPDATE item SET " + set + " WHERE " + Key();
    }
    if (kind == 4) return "DELETE FROM item WHERE " + Key();
    if (kind == 5) return "INSERT OR IGNORE INTO tag VALUES (" + Tag() + ")";
    return "DELETE FROM tag WHERE t = " + Tag();
  }

  std::mt19937 rng_;
};

std::vector<std::string> Dump(TestDb& db) {
  std::vector<std::string> rows =
      db.Query("SELECT id, k, a, typeof(a), b, typeof(b), c FROM item ORDER BY id, k");
  for (const std::string& t : db.Query("SELECT t FROM tag ORDER BY t")) rows.push_back("tag " + t);
  return rows;
}

int64_t DbVersion(TestDb& db) { return std::stoll(db.One("SELECT crsql_db_version()")); }

TEST(Merge, TV53_ConvergenceThreePeersShuffledFullExchange) {
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomWriter w(seed);
    std::vector<std::unique_ptr<TestDb>> peers;
    for (int i = 0; i < 3; ++i) {
      peers.push_back(std::make_unique<TestDb>());
      ASSERT_EQ("", peers.back()->Exec(kSchema));
    }
    for (int step = 0; step < 60; ++step) {
      TestDb& p = *peers[w.Pick(3)];
      ASSERT_EQ("", p.Exec(w.Transaction()));
      if (w.Pick(2)) {  // partial exchange of one db_version
        int from = w.Pick(3);
        int to = (from + 1 + w.Pick(2)) % 3;
        int64_t max_version = DbVersion(*peers[from]);
        if (max_version > 0) {
          int64_t v = 1 + w.Pick(static_cast<int>(max_version));
          EXPECT_EQ(
              "", Apply(*peers[to],
                        Pull(*peers[from], "WHERE db_version = " + std::to_string(v) +
                                               " AND site_id IS NOT " + SiteLiteral(*peers[to]))));
        }
      }
    }
    for (int pass = 0; pass < 2; ++pass) {
      for (int to = 0; to < 3; ++to) {
        for (int from = 0; from < 3; ++from) {
          if (from == to) continue;
          ChangeSet rows = Pull(*peers[from], "WHERE site_id IS NOT " + SiteLiteral(*peers[to]));
          std::shuffle(rows.begin(), rows.end(), w.rng());
          EXPECT_EQ("", Apply(*peers[to], rows));
        }
      }
    }
    const std::vector<std::string> reference = Dump(*peers[0]);
    EXPECT_FALSE(reference.empty());
    EXPECT_EQ(reference, Dump(*peers[1]));
    EXPECT_EQ(reference, Dump(*peers[2]));
  }
}

TEST(Merge, TV53_ConvergenceHubAndSpokeDeltaSync) {
  for (uint32_t seed = 100; seed < 120; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomWriter w(seed);
    TestDb a, h, c;
    for (TestDb* p : {&a, &h, &c}) {
      ASSERT_EQ("", p->Exec(kSchema));
    }
    struct Link {
      TestDb* from;
      TestDb* to;
      int64_t cursor = 0;
    };
    std::vector<Link> links = {{&a, &h}, {&h, &a}, {&c, &h}, {&h, &c}};
    // Pulls everything after the link's cursor, applies it, advances the cursor; returns the
    // number of rows moved.
    auto step = [&](Link& link) -> size_t {
      const std::string where = "WHERE db_version > " + std::to_string(link.cursor) +
                                " AND site_id IS NOT " + SiteLiteral(*link.to);
      ChangeSet rows = Pull(*link.from, where);
      if (rows.empty()) return 0;
      EXPECT_EQ("", Apply(*link.to, rows));
      link.cursor = sqlite3_value_int64(rows.back()[5].get());
      return rows.size();
    };
    for (int i = 0; i < 80; ++i) {
      switch (w.Pick(3)) {
        case 0:
          ASSERT_EQ("", a.Exec(w.Transaction()));
          break;
        case 1:
          ASSERT_EQ("", c.Exec(w.Transaction()));
          break;
        default:
          step(links[w.Pick(4)]);
          break;
      }
    }
    for (int round = 0; round < 10; ++round) {
      size_t moved = 0;
      for (Link& link : links) moved += step(link);
      if (moved == 0) break;
    }
    const std::vector<std::string> reference = Dump(h);
    EXPECT_EQ(reference, Dump(a));
    EXPECT_EQ(reference, Dump(c));
  }
}

}  // namespace
}  // namespace crsync::test::vectors
