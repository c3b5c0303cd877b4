// The merge's cache of the previously merged row and site (see merge_cache.h).
#include "crsqlite/merge_cache.h"

#include <cstring>

namespace crsync::crsqlite {

void MergeCache::Revalidate(sqlite3* db, uint64_t tables_generation) {
  if (!valid_) return;
  if (tables_generation != tables_generation_) {
    Invalidate();
    return;
  }
  // Legitimate growth: the INSERT statements of earlier merges ending (one change per merged
  // row). Anything beyond is a write the cache did not see.
  int64_t grown = sqlite3_total_changes64(db) - total_changes_;
  if (grown < 0 || grown > unaccounted_) {
    Invalidate();
    return;
  }
  unaccounted_ -= grown;
}

void MergeCache::MergeSucceeded(sqlite3* db, uint64_t tables_generation) {
  if (!valid_) {
    valid_ = true;
    unaccounted_ = 0;
  }
  tables_generation_ = tables_generation;
  total_changes_ = sqlite3_total_changes64(db);
  unaccounted_ += 1;
}

void MergeCache::Invalidate() {
  valid_ = false;
  row_valid_ = false;
  site_valid_ = false;
  table_ = nullptr;
}

void MergeCache::StartRow(TableInfo* t, std::string_view pk_blob, std::vector<Value> pks,
                          int64_t key, bool has_sentinel, int64_t sentinel, bool any_entry,
                          size_t columns) {
  row_valid_ = true;
  table_ = t;
  pk_blob_.assign(pk_blob.data(), pk_blob.size());
  pks_ = std::move(pks);
  key_ = key;
  has_sentinel_ = has_sentinel;
  sentinel_ = sentinel;
  any_entry_ = any_entry;
  // No entry at all: no cell entry either.
  cells_complete_ = !any_entry;
  cells_.assign(columns, CachedCellClock{});
}

bool MergeCache::NoCells() const {
  if (!cells_complete_) return false;
  for (const auto& c : cells_) {
    if (c.present) return false;
  }
  return true;
}

CachedCellClock MergeCache::Cell(int col) const {
  CachedCellClock c = cells_[col];
  if (!c.known && cells_complete_) c.known = true;  // complete: unrecorded means absent
  return c;
}

void MergeCache::CellRead(int col, bool present, int64_t version, int64_t ordinal) {
  cells_[col] = CachedCellClock{true, present, version, ordinal};
}

void MergeCache::CellWritten(int col, int64_t version, int64_t ordinal) {
  cells_[col] = CachedCellClock{true, true, version, ordinal};
  any_entry_ = true;
}

void MergeCache::SentinelWritten(int64_t version) {
  has_sentinel_ = true;
  sentinel_ = version;
  any_entry_ = true;
}

void MergeCache::CellsZeroed() {
  for (auto& c : cells_) {
    if (c.known && c.present) c.version = 0;
  }
}

void MergeCache::CellsDropped() {
  for (auto& c : cells_) c = CachedCellClock{true, false, 0, 0};
  cells_complete_ = true;
}

bool MergeCache::FindSite(const void* site, int len, int64_t* ordinal) const {
  if (!site_valid_ || static_cast<size_t>(len) != site_.size()) return false;
  if (len > 0 && std::memcmp(site, site_.data(), static_cast<size_t>(len)) != 0) return false;
  *ordinal = site_ordinal_;
  return true;
}

void MergeCache::RememberSite(const void* site, int len, int64_t ordinal) {
  site_valid_ = true;
  site_.assign(static_cast<const char*>(site), static_cast<size_t>(len));
  site_ordinal_ = ordinal;
}

}  // namespace crsync::crsqlite
