// The collector of crsql_changes scans (see changes_read_internal.h) and the SQL function that
// feeds it. The function is an aggregate so that one sqlite3_step runs a whole statement; every
// row arrives as sqlite3_value arguments, read without the per-call locking of sqlite3_column_*.
#include <cstring>
#include <new>

#include "crsqlite/changes_read_internal.h"
#include "crsqlite/pack_columns.h"

namespace crsync::crsqlite {

namespace {

bool IsSentinel(const char* name, size_t size) {
  return size == 2 && name[0] == '-' && name[1] == '1';
}

}  // namespace

bool ChangeCollector::Add(int argc, sqlite3_value** argv, int* rc, const char** err) {
  switch (mode_) {
    case Mode::kKeys:
      return AddKey(argc, argv, rc, err);
    case Mode::kClock:
      if (argc < 7) break;
      AddClock(argv);
      return true;
    case Mode::kFiltered:
      return AddFiltered(argc, argv, rc, err);
  }
  *rc = SQLITE_MISUSE;
  *err = "crsql_internal_changes_collect: wrong number of arguments";
  return false;
}

bool ChangeCollector::AddKey(int argc, sqlite3_value** argv, int* rc, const char** err) {
  if (argc < 1 + static_cast<int>(value_columns_)) {
    *rc = SQLITE_MISUSE;
    *err = "crsql_internal_changes_collect: wrong number of arguments";
    return false;
  }
  const int64_t key = sqlite3_value_int64(argv[0]);
  if (!keys_.empty() && key <= keys_.back().key) out_of_order_ = true;
  Key k;
  k.key = key;
  k.values = values_.size();
  for (size_t c = 0; c < value_columns_; ++c) values_.push_back(Store(argv[1 + c]));
  const int first_pk = 1 + static_cast<int>(value_columns_);
  if (!PackPk(key, argc - first_pk, argv + first_pk, rc, err)) return false;
  k.pk = pk_offset_;
  k.pk_size = pk_size_;
  keys_.push_back(k);
  return true;
}

void ChangeCollector::AddClock(sqlite3_value** argv) {
  const int64_t key = sqlite3_value_int64(argv[0]);
  const int64_t col_version = sqlite3_value_int64(argv[2]);
  size_t name_size = 0;
  const char* name = TextBytes(argv[1], &name_size);
  if (!in_group_ || key != group_key_) {
    if (in_group_ && key < group_key_) out_of_order_ = true;
    CloseGroup();
    in_group_ = true;
    group_key_ = key;
    group_start_ = scan_->rows_.size();
    group_cl_ = 1;
  }
  // cl = the sentinel's col_version, or 1 without one: what COALESCE(t2.col_version, 1) gives.
  if (IsSentinel(name, name_size)) group_cl_ = col_version;
  if (sqlite3_value_int64(argv[6]) == 0) return;  // a constraint is false or NULL
  const int64_t site = sqlite3_value_int64(argv[4]);
  if (!scan_->SitePasses(site)) return;
  // Inner join with the lookaside: entries of keys without a lookaside row are not changes.
  while (key_pos_ < keys_.size() && keys_[key_pos_].key < key) ++key_pos_;
  if (key_pos_ == keys_.size() || keys_[key_pos_].key != key) return;
  const Key& k = keys_[key_pos_];

  ChangeScan::Row row;
  row.key = key;
  row.col_version = col_version;
  row.db_version = sqlite3_value_int64(argv[3]);
  row.seq = sqlite3_value_int64(argv[5]);
  row.cl = 1;  // set by CloseGroup
  row.site = site;
  row.pk = k.pk;
  row.pk_size = k.pk_size;
  row.table = table_;
  row.cid = Intern(name, name_size);
  // The original's CASE col_name WHEN <column> THEN b.<column> END; cids start with the
  // table's non-PK columns in order, so the index selects the value.
  if (row.cid < value_columns_) row.val = values_[k.values + row.cid];
  scan_->rows_.push_back(row);
}

bool ChangeCollector::AddFiltered(int argc, sqlite3_value** argv, int* rc, const char** err) {
  if (argc < 8) {
    *rc = SQLITE_MISUSE;
    *err = "crsql_internal_changes_collect: wrong number of arguments";
    return false;
  }
  const int64_t site = sqlite3_value_int64(argv[4]);
  if (!scan_->SitePasses(site)) return true;
  const int64_t key = sqlite3_value_int64(argv[0]);
  size_t name_size = 0;
  const char* name = TextBytes(argv[1], &name_size);
  ChangeScan::Row row;
  row.key = key;
  row.col_version = sqlite3_value_int64(argv[2]);
  row.db_version = sqlite3_value_int64(argv[3]);
  row.seq = sqlite3_value_int64(argv[5]);
  row.cl = sqlite3_value_int64(argv[6]);
  row.site = site;
  row.table = table_;
  row.cid = Intern(name, name_size);
  row.val = Store(argv[7]);
  if (!PackPk(key, argc - 8, argv + 8, rc, err)) return false;
  row.pk = pk_offset_;
  row.pk_size = pk_size_;
  scan_->rows_.push_back(row);
  return true;
}

void ChangeCollector::CloseGroup() {
  if (!in_group_) return;
  auto& rows = scan_->rows_;
  for (size_t k = group_start_; k < rows.size(); ++k) rows[k].cl = group_cl_;
  in_group_ = false;
}

// Packs the PK of `key` into the scan's bytes unless it is the last one packed (every entry of
// a key has the same lookaside row). Same bytes as crsql_pack_columns.
bool ChangeCollector::PackPk(int64_t key, int argc, sqlite3_value** argv, int* rc,
                             const char** err) {
  if (have_pk_ && key == pk_key_) return true;
  std::string& bytes = scan_->bytes_;
  const size_t start = bytes.size();
  if (!PackSqliteValues(argc, argv, &bytes)) {
    bytes.resize(start);
    *rc = SQLITE_ABORT;
    *err = "Failed to pack columns";
    return false;
  }
  pk_offset_ = start;
  pk_size_ = static_cast<uint32_t>(bytes.size() - start);
  pk_key_ = key;
  have_pk_ = true;
  return true;
}

ChangeScan::Value ChangeCollector::Store(sqlite3_value* v) {
  ChangeScan::Value out;
  out.type = static_cast<uint8_t>(sqlite3_value_type(v));
  std::string& bytes = scan_->bytes_;
  switch (out.type) {
    case SQLITE_INTEGER:
      out.bits = sqlite3_value_int64(v);
      break;
    case SQLITE_FLOAT: {
      double d = sqlite3_value_double(v);
      std::memcpy(&out.bits, &d, sizeof d);
      break;
    }
    case SQLITE_TEXT: {
      size_t size = 0;
      const char* p = TextBytes(v, &size);
      out.bits = static_cast<int64_t>(bytes.size());
      out.size = static_cast<uint32_t>(size);
      bytes.append(p, size);
      bytes.push_back('\0');
      out.terminated = std::memchr(p, 0, size) == nullptr;
      break;
    }
    case SQLITE_BLOB: {
      const void* p = sqlite3_value_blob(v);
      out.bits = static_cast<int64_t>(bytes.size());
      out.size = static_cast<uint32_t>(sqlite3_value_bytes(v));
      if (out.size > 0) bytes.append(static_cast<const char*>(p), out.size);
      break;
    }
    default:
      out.type = SQLITE_NULL;
  }
  return out;
}

// UTF-8 bytes of a TEXT value ("" for NULL). In a UTF-8 database they are read in place:
// sqlite3_value_text would first copy them to add a terminator.
const char* ChangeCollector::TextBytes(sqlite3_value* v, size_t* size) const {
  const void* p = utf8_ && sqlite3_value_type(v) == SQLITE_TEXT
                      ? sqlite3_value_blob(v)
                      : static_cast<const void*>(sqlite3_value_text(v));
  *size = static_cast<size_t>(sqlite3_value_bytes(v));
  return p ? static_cast<const char*>(p) : "";
}

// Index of a column name in the table's cid list, appended when new. Entries arrive cycling
// through the columns, so the search starts after the last match.
uint32_t ChangeCollector::Intern(const char* name, size_t size) {
  auto& cids = scan_->tables_[table_].cids;
  const size_t n = cids.size();
  for (size_t k = 0; k < n; ++k) {
    size_t at = last_cid_ + 1 + k;
    if (at >= n) at -= n;
    if (cids[at].size() == size && std::memcmp(cids[at].data(), name, size) == 0) {
      last_cid_ = at;
      return static_cast<uint32_t>(at);
    }
  }
  cids.emplace_back(name, size);
  last_cid_ = n;
  return static_cast<uint32_t>(n);
}

namespace {

void CollectStep(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* collector =
      argc > 0
          ? static_cast<ChangeCollector*>(sqlite3_value_pointer(argv[0], kCollectorPointerType))
          : nullptr;
  if (!collector) {
    sqlite3_result_error(ctx, "crsql_internal_changes_collect is internal to crsql_changes", -1);
    return;
  }
  int rc = SQLITE_OK;
  const char* err = nullptr;
  try {
    if (!collector->Add(argc - 1, argv + 1, &rc, &err)) {
      sqlite3_result_error(ctx, err, -1);
      sqlite3_result_error_code(ctx, rc);
    }
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  }
}

void CollectFinal(sqlite3_context* ctx) { sqlite3_result_null(ctx); }

}  // namespace

int RegisterChangesCollector(sqlite3* db) {
  return sqlite3_create_function_v2(db, kCollectFunction, -1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                    nullptr, nullptr, CollectStep, CollectFinal, nullptr);
}

}  // namespace crsync::crsqlite
