// RoomChangeCache: the room's most recently committed crsql_changes rows, in memory, so that the
// fan-out after a group commit does not run one SQL pull over crsql_changes per session
// (docs/server.md, "Change cache").
//
// The cache covers the db_versions (floor, head]: it holds every crsql_changes row whose
// db_version is in that range, exactly as a SELECT over crsql_changes returns it (same values,
// same order), with its author. Pull answers a PullRequest whose since is >= floor with the same
// rows, order, limits and truncation as SqliteStore::PullChanges (both use PullBatcher), or
// returns nullopt when the request reaches below the floor (the caller pulls from SQLite).
//
// How it stays exact: after every COMMIT the room calls Refresh, which reads the newly committed
// range (head, crsql_db_version()] from SQLite once (never from the inbound messages: a merge
// may keep a newer value, affinity may convert it). A crsql_changes row only ever moves for a
// write to the same (table, pk) (an update moves the cell's clock row to the new db_version; a
// delete removes cell rows; the cl of every cell row follows the sentinel): so when a newly
// committed row shares (table, pk) with a cached older row, the floor is raised past that older
// row's db_version, and everything at or below the floor is dropped. Rows of other primary keys
// are untouched by such a write. Any other write to the database (schema steps, migrations) must
// call Reset. Memory is bounded: the oldest db_versions are evicted past max_rows / max_bytes.
//
// Encoded once and compact: each row is kept as its protocol::EncodeChange record as the server
// sends it (site_id NULL on the wire, the reference's behaviour) plus its author, so a pull
// without include_site_ids answers with records (PullResult::records) and a fan-out to N
// sessions encodes each change once instead of N times; a pull with include_site_ids decodes
// the records back (same bytes on the wire either way).
//
// Threading: the room's strand only, like the room's store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "sync/sqlite_store.h"

namespace crsync::server {

struct ChangeCacheLimits {
  size_t max_rows = 200'000;
  size_t max_bytes = 64 << 20;  // estimated encoded size of the cached rows
};

class RoomChangeCache {
 public:
  explicit RoomChangeCache(ChangeCacheLimits limits = {}) : limits_(limits) {}

  // Empties the cache and makes it cover nothing below the store's current db_version.
  // Errors: the database failed (the cache is then disabled until the next Reset/Refresh).
  Status Reset(sync::SqliteStore& store);

  // Reads the rows committed since the last Refresh/Reset (a disabled cache is Reset instead).
  // Errors: the database failed (the cache is then disabled until the next call).
  Status Refresh(sync::SqliteStore& store);

  // The batch SqliteStore::PullChanges(request) would return, or nullopt when request.since is
  // below the covered range (or the cache is disabled).
  std::optional<sync::PullResult> Pull(const sync::PullRequest& request,
                                       const SiteId& local_site) const;

  // For tests and metrics.
  int64_t floor() const { return floor_; }
  int64_t head() const { return head_; }
  size_t rows() const { return rows_.size(); }
  bool enabled() const { return enabled_; }

 private:
  struct Row {
    std::vector<uint8_t> record;  // EncodeChange(change) with site_id not set
    std::optional<SiteId> site;   // the author (crsql_changes.site_id; nullopt when NULL)
    int64_t db_version;
    uint32_t estimate;  // EstimateEncodedSize(change) with site_id not set
    uint32_t key_size;  // the record starts with (table, pk): its first key_size bytes

    std::string_view key() const {
      return {reinterpret_cast<const char*>(record.data()), key_size};
    }
    // What the row counts against max_bytes: its record and bookkeeping.
    size_t bytes() const { return sizeof(Row) + record.capacity() + 32; }
  };
  static Row MakeRow(const sync::StoredChange& stored);
  // Drops every row with db_version <= floor.
  void RaiseFloor(int64_t floor);
  void Evict();

  const ChangeCacheLimits limits_;
  bool enabled_ = false;
  int64_t floor_ = 0;
  int64_t head_ = 0;
  std::deque<Row> rows_;  // ascending (db_version, seq), all in (floor_, head_]
  size_t bytes_ = 0;
  // (table, pk) -> the newest cached db_version holding a row of that key.
  std::unordered_map<std::string, int64_t> newest_;
};

}  // namespace crsync::server
