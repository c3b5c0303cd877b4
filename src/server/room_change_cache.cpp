// RoomChangeCache (see room_change_cache.h): recent crsql_changes rows, answering pulls exactly
// like SqliteStore::PullChanges.
#include "server/room_change_cache.h"

#include "common/byte_reader.h"
#include "protocol/codec.h"

#include <algorithm>
#include <utility>

namespace crsync::server {

RoomChangeCache::Row RoomChangeCache::MakeRow(const sync::StoredChange& stored) {
  Row row{protocol::EncodeChange(stored.change), stored.site, stored.change.db_version,
          static_cast<uint32_t>(sync::EstimateEncodedSize(stored.change)), 0};
  // The record begins with varstring table, varbytes pk (protocol::EncodeChange).
  ByteReader reader(row.record);
  for (int field = 0; field < 2; ++field) {
    Result<uint64_t> length = reader.ReadVarUint();
    if (length.ok()) (void)reader.ReadBytes(*length);
  }
  row.key_size = static_cast<uint32_t>(reader.position());
  return row;
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
  if (!head.ok()) {
    enabled_ = false;
    return head.status();
  }
  int64_t moved_floor = floor_;
  // In windows of db_versions, so that a large group is never all materialized at once.
  constexpr int64_t kWindow = 256;
  for (int64_t lo = head_; lo < *head; lo += kWindow) {
    Result<std::vector<sync::StoredChange>> fresh =
        store.ChangesInRange(lo, std::min(*head, lo + kWindow));
    if (!fresh.ok()) {
      enabled_ = false;
      return fresh.status();
    }
    for (const sync::StoredChange& stored : *fresh) {
      Row row = MakeRow(stored);
      auto [it, inserted] = newest_.try_emplace(std::string(row.key()), row.db_version);
      if (!inserted) {
        // A write to a cached (table, pk): its older rows may have moved or changed.
        if (it->second <= head_) moved_floor = std::max(moved_floor, it->second);
        it->second = row.db_version;
      }
      bytes_ += row.bytes();
      rows_.push_back(std::move(row));
    }
  }
  head_ = *head;
  RaiseFloor(moved_floor);
  Evict();
  return Status();
}

void RoomChangeCache::RaiseFloor(int64_t floor) {
  floor_ = std::max(floor_, floor);
  while (!rows_.empty() && rows_.front().db_version <= floor_) {
    const Row& row = rows_.front();
    auto it = newest_.find(std::string(row.key()));
    if (it != newest_.end() && it->second == row.db_version) newest_.erase(it);
    bytes_ -= row.bytes();
    rows_.pop_front();
  }
}

void RoomChangeCache::Evict() {
  // Whole db_versions only: the floor is a db_version boundary.
  while (!rows_.empty() && (rows_.size() > limits_.max_rows || bytes_ > limits_.max_bytes)) {
    RaiseFloor(rows_.front().db_version);
  }
}

namespace {

// The change a record was encoded from (ill-formed UTF-8 repaired, as on the wire).
std::optional<protocol::Change> DecodeRecord(std::span<const uint8_t> record) {
  const std::span<const uint8_t> one[] = {record};
  Result<protocol::Message> message = protocol::Decode(protocol::EncodeChanges(SiteId{}, {}, one));
  if (!message.ok()) return std::nullopt;
  auto* changes = std::get_if<protocol::Changes>(&*message);
  if (changes == nullptr || changes->changes.size() != 1) return std::nullopt;
  return std::move(changes->changes.front());
}

}  // namespace

std::optional<sync::PullResult> RoomChangeCache::Pull(const sync::PullRequest& request,
                                                      const SiteId& local_site) const {
  if (!enabled_ || request.since_db_version < floor_) return std::nullopt;
  sync::PullBatcher batcher(request, local_site);
  auto first = std::partition_point(rows_.begin(), rows_.end(), [&](const Row& row) {
    return row.db_version <= request.since_db_version;
  });
  for (auto it = first; it != rows_.end(); ++it) {
    const sync::PullBatcher::Verdict verdict = batcher.Check(it->db_version, it->site);
    if (verdict == sync::PullBatcher::Verdict::kStop) break;
    if (verdict == sync::PullBatcher::Verdict::kSkip) continue;
    if (!request.include_site_ids) {
      batcher.TakeRecord(it->record, it->estimate, it->db_version);
      continue;
    }
    std::optional<protocol::Change> change = DecodeRecord(it->record);
    if (!change) return std::nullopt;  // cannot happen (our own encoding); SQL answers instead
    change->site_id = it->site;
    batcher.Take(std::move(*change));
  }
  return std::move(batcher.result());
}

}  // namespace crsync::server
