// RoomChangeCache (see room_change_cache.h): recent crsql_changes rows, answering pulls exactly
// like SqliteStore::PullChanges.
#include "server/room_change_cache.h"

#include <algorithm>
#include <utility>

namespace crsync::server {

std::string RoomChangeCache::KeyOf(const protocol::Change& change) {
  std::string key = change.table;
  key.push_back('\0');
  key.append(change.pk.begin(), change.pk.end());
  return key;
}

Status RoomChangeCache::Reset(sync::SqliteStore& store) {
  rows_.clear();
  newest_.clear();
  bytes_ = 0;
  enabled_ = false;
  Result<int64_t> head = store.DbVersion();
  if (!head.ok()) return head.status();
  floor_ = head_ = *head;
  enabled_ = true;
  return Status();
}

Status RoomChangeCache::Refresh(sync::SqliteStore& store) {
  if (!enabled_) return Reset(store);  // after a failure: start afresh from the head
  Result<int64_t> head = store.DbVersion();
  if (head.ok() && *head < head_) return Reset(store);  // cannot happen; stay exact anyway
  Result<std::vector<sync::StoredChange>> fresh =
      head.ok() ? store.ChangesInRange(head_, *head) : head.status();
  if (!fresh.ok()) {
    enabled_ = false;
    return fresh.status();
  }
  int64_t moved_floor = floor_;
  for (sync::StoredChange& stored : *fresh) {
    auto [it, inserted] = newest_.try_emplace(KeyOf(stored.change), stored.change.db_version);
    if (!inserted) {
      // A write to a cached (table, pk): its older rows may have moved or changed.
      if (it->second <= head_) moved_floor = std::max(moved_floor, it->second);
      it->second = stored.change.db_version;
    }
    const size_t bytes = sync::EstimateEncodedSize(stored.change) + kSiteIdSize;
    bytes_ += bytes;
    rows_.push_back(Row{std::move(stored), bytes});
  }
  head_ = *head;
  RaiseFloor(moved_floor);
  Evict();
  return Status();
}

void RoomChangeCache::RaiseFloor(int64_t floor) {
  floor_ = std::max(floor_, floor);
  while (!rows_.empty() && rows_.front().stored.change.db_version <= floor_) {
    const protocol::Change& change = rows_.front().stored.change;
    auto it = newest_.find(KeyOf(change));
    if (it != newest_.end() && it->second == change.db_version) newest_.erase(it);
    bytes_ -= rows_.front().bytes;
    rows_.pop_front();
  }
}

void RoomChangeCache::Evict() {
  // Whole db_versions only: the floor is a db_version boundary.
  while (!rows_.empty() && (rows_.size() > limits_.max_rows || bytes_ > limits_.max_bytes)) {
    RaiseFloor(rows_.front().stored.change.db_version);
  }
}

std::optional<sync::PullResult> RoomChangeCache::Pull(const sync::PullRequest& request,
                                                      const SiteId& local_site) const {
  if (!enabled_ || request.since_db_version < floor_) return std::nullopt;
  sync::PullBatcher batcher(request, local_site);
  auto first = std::partition_point(rows_.begin(), rows_.end(), [&](const Row& row) {
    return row.stored.change.db_version <= request.since_db_version;
  });
  for (auto it = first; it != rows_.end(); ++it) {
    const sync::StoredChange& stored = it->stored;
    const sync::PullBatcher::Verdict verdict = batcher.Check(stored.change.db_version, stored.site);
    if (verdict == sync::PullBatcher::Verdict::kStop) break;
    if (verdict == sync::PullBatcher::Verdict::kSkip) continue;
    protocol::Change change = stored.change;
    if (request.include_site_ids) change.site_id = stored.site;
    batcher.Take(std::move(change));
  }
  return std::move(batcher.result());
}

}  // namespace crsync::server
