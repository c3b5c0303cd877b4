// SqliteStore (see sqlite_store.h): the reference sync layers' SQL over one connection.
#include "sync/sqlite_store.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace crsync::sync {
namespace {

constexpr const char* kPullSql =
    "SELECT \"table\",\"pk\",\"cid\",\"val\",\"col_version\",\"db_version\",\"site_id\",\"cl\","
    "\"seq\" FROM crsql_changes WHERE \"db_version\" > ?1 AND \"site_id\" IS NOT ?2 "
    "ORDER BY \"db_version\",\"seq\"";
constexpr const char* kPullBoundedSql =
    "SELECT \"table\",\"pk\",\"cid\",\"val\",\"col_version\",\"db_version\",\"site_id\",\"cl\","
    "\"seq\" FROM crsql_changes WHERE \"db_version\" > ?1 AND \"site_id\" IS NOT ?2 "
    "AND \"db_version\" <= ?3 ORDER BY \"db_version\",\"seq\"";
constexpr const char* kRangeSql =
    "SELECT \"table\",\"pk\",\"cid\",\"val\",\"col_version\",\"db_version\",\"site_id\",\"cl\","
    "\"seq\" FROM crsql_changes WHERE \"db_version\" > ?1 AND \"db_version\" <= ?2 "
    "ORDER BY \"db_version\",\"seq\"";
constexpr const char* kInsertChangeSql =
    "INSERT INTO crsql_changes (\"table\",\"pk\",\"cid\",\"val\",\"col_version\",\"db_version\","
    "\"site_id\",\"cl\",\"seq\") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)";
constexpr const char* kUpsertPeerSql =
    "INSERT INTO crsql_tracked_peers (\"site_id\",\"tag\",\"event\",\"version\",\"seq\") "
    "VALUES (?1,0,0,?2,?3) ON CONFLICT (\"site_id\",\"tag\",\"event\") DO UPDATE SET "
    "\"version\" = MAX(\"version\", excluded.\"version\"), "
    "\"seq\" = CASE \"version\" > excluded.\"version\" WHEN 1 THEN \"seq\" ELSE excluded.\"seq\" "
    "END";
constexpr const char* kLastSeenSql =
    "SELECT \"version\",\"seq\" FROM crsql_tracked_peers "
    "WHERE \"site_id\" = ?1 AND \"tag\" = 0 AND \"event\" = 0";
constexpr const char* kAllLastSeensSql =
    "SELECT \"site_id\",\"version\",\"seq\" FROM crsql_tracked_peers";
constexpr const char* kSchemaSql =
    "SELECT \"key\",\"value\" FROM crsql_master WHERE \"key\" IN ('schema_name','schema_version')";
constexpr const char* kDbVersionSql = "SELECT crsql_db_version()";

// Resets and unbinds a cached statement when it goes out of scope.
class StmtUse {
 public:
  explicit StmtUse(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StmtUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

size_t VarUintSize(uint64_t n) {
  size_t size = 1;
  while (n >= 0x80) n >>= 7, ++size;
  return size;
}

std::string ColumnText(sqlite3_stmt* stmt, int col) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
  return text == nullptr ? std::string() : std::string(text, sqlite3_column_bytes(stmt, col));
}

protocol::Bytes ColumnBlob(sqlite3_stmt* stmt, int col) {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, col));
  const int size = sqlite3_column_bytes(stmt, col);
  return data == nullptr ? protocol::Bytes() : protocol::Bytes(data, data + size);
}

protocol::Value ColumnValue(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return protocol::Value(static_cast<int64_t>(sqlite3_column_int64(stmt, col)));
    case SQLITE_FLOAT:
      return protocol::Value(sqlite3_column_double(stmt, col));
    case SQLITE_TEXT:
      return protocol::Value(ColumnText(stmt, col));
    case SQLITE_BLOB:
      return protocol::Value(ColumnBlob(stmt, col));
    default:
      return protocol::Value(protocol::Null{});
  }
}

// Binds bytes as a BLOB; an empty span is a zero-length BLOB, not NULL.
int BindBytes(sqlite3_stmt* stmt, int index, std::span<const uint8_t> bytes) {
  if (bytes.empty()) return sqlite3_bind_zeroblob(stmt, index, 0);
  return sqlite3_bind_blob64(stmt, index, bytes.data(), bytes.size(), SQLITE_STATIC);
}

int BindText(sqlite3_stmt* stmt, int index, const std::string& text) {
  return sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

// Binds a received value with its wire type's storage class (§7.1 recommendations).
int BindValue(sqlite3_stmt* stmt, int index, const protocol::Value& value) {
  switch (protocol::TypeOf(value)) {
    case protocol::ValueType::kNull:
      return sqlite3_bind_null(stmt, index);
    case protocol::ValueType::kBigInt:
      return sqlite3_bind_int64(stmt, index, std::get<int64_t>(value));
    case protocol::ValueType::kNumber:
      return sqlite3_bind_double(stmt, index, std::get<double>(value));
    case protocol::ValueType::kString:
      return BindText(stmt, index, std::get<std::string>(value));
    case protocol::ValueType::kBool:
      return sqlite3_bind_int64(stmt, index, std::get<bool>(value) ? 1 : 0);
    case protocol::ValueType::kBlob:
      return BindBytes(stmt, index, std::get<protocol::Bytes>(value));
  }
  return SQLITE_MISUSE;
}

bool SiteIn(const SiteId& site, std::span<const SiteId> sites) {
  return std::find(sites.begin(), sites.end(), site) != sites.end();
}

bool IsBusy(int rc) {
  rc &= 0xff;
  return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

}  // namespace

size_t EstimateEncodedSize(const protocol::Change& change) {
  size_t size = VarUintSize(change.table.size()) + change.table.size() +
                VarUintSize(change.pk.size()) + change.pk.size() + VarUintSize(change.cid.size()) +
                change.cid.size() + 1 /* value type */ + 3 * 8 /* versions, cl */ +
                1 /* site presence */ + 2 /* typical seq */;
  if (change.site_id) size += kSiteIdSize;
  switch (protocol::TypeOf(change.val)) {
    case protocol::ValueType::kNull:
      break;
    case protocol::ValueType::kBigInt:
    case protocol::ValueType::kNumber:
      size += 8;
      break;
    case protocol::ValueType::kString: {
      const size_t n = std::get<std::string>(change.val).size();
      size += VarUintSize(n) + n;
      break;
    }
    case protocol::ValueType::kBool:
      size += 1;
      break;
    case protocol::ValueType::kBlob: {
      const size_t n = std::get<protocol::Bytes>(change.val).size();
      size += VarUintSize(n) + n;
      break;
    }
  }
  return size;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(sqlite3* db) {
  if (db == nullptr) return Status::InvalidArgument("SqliteStore: null connection");
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT crsql_site_id()", -1, &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    return Status::FailedPrecondition(std::string("SqliteStore: crsqlite engine not loaded: ") +
                                      sqlite3_errmsg(db));
  }
  Stmt stmt(raw);
  if (sqlite3_step(stmt.get()) != SQLITE_ROW || sqlite3_column_type(stmt.get(), 0) != SQLITE_BLOB ||
      sqlite3_column_bytes(stmt.get(), 0) != static_cast<int>(kSiteIdSize)) {
    return Status::FailedPrecondition("SqliteStore: crsql_site_id() is not a 16-byte blob");
  }
  const auto* bytes = static_cast<const uint8_t*>(sqlite3_column_blob(stmt.get(), 0));
  std::copy(bytes, bytes + kSiteIdSize, store->site_id_.begin());
  return store;
}

SqliteStore::~SqliteStore() = default;

Status SqliteStore::SqlError(std::string_view what) {
  const int rc = sqlite3_extended_errcode(db_);
  std::string message = std::string(what) + ": " + sqlite3_errmsg(db_);
  if (IsBusy(rc)) return Status::Unavailable(std::move(message));
  return Status::Internal(std::move(message));
}

Result<sqlite3_stmt*> SqliteStore::Cached(Stmt& slot, const char* sql) {
  if (!slot) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
      sqlite3_finalize(raw);
      return SqlError("prepare");
    }
    slot.reset(raw);
  }
  return slot.get();
}

Status SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status();
  std::string message = std::string(sql) + ": " + (err != nullptr ? err : sqlite3_errstr(rc));
  sqlite3_free(err);
  if (IsBusy(rc)) return Status::Unavailable(std::move(message));
  return Status::Internal(std::move(message));
}

Result<int64_t> SqliteStore::DbVersion() {
  CRSYNC_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Cached(db_version_, kDbVersionSql));
  StmtUse use(stmt);
  if (sqlite3_step(stmt) != SQLITE_ROW) return SqlError("crsql_db_version()");
  return static_cast<int64_t>(sqlite3_column_int64(stmt, 0));
}

Result<SchemaInfo> SqliteStore::Schema() {
  CRSYNC_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Cached(schema_, kSchemaSql));
  StmtUse use(stmt);
  SchemaInfo info;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const std::string key = ColumnText(stmt, 0);
    if (sqlite3_column_type(stmt, 1) == SQLITE_NULL) continue;
    if (key == "schema_name") info.name = ColumnText(stmt, 1);
    if (key == "schema_version") info.version = sqlite3_column_int64(stmt, 1);
  }
  if (rc != SQLITE_DONE) return SqlError("read schema");
  return info;
}

Status SqliteStore::SetSchema(const SchemaInfo& schema) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "INSERT OR REPLACE INTO crsql_master (\"key\",\"value\") VALUES "
                         "('schema_name', ?1), ('schema_version', ?2)",
                         -1, &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    return SqlError("record schema");
  }
  Stmt stmt(raw);
  BindText(stmt.get(), 1, schema.name);
  sqlite3_bind_int64(stmt.get(), 2, schema.version);
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return SqlError("record schema");
  return Status();
}

PullBatcher::PullBatcher(const PullRequest& request, const SiteId& local_site)
    : request_(request), local_site_(local_site) {}

PullBatcher::Verdict PullBatcher::Check(int64_t db_version, const std::optional<SiteId>& site) {
  // `site_id IS NOT ?2`: ?2 is the first excluded site, or NULL (local_only, no exclusion).
  if (!request_.local_only && !request_.exclude_sites.empty()) {
    if (site == request_.exclude_sites.front()) return Verdict::kSkip;
  } else if (!site) {
    return Verdict::kSkip;
  }
  const bool at_limit = out_.size() >= request_.max_changes || bytes_ >= request_.max_bytes;
  if (at_limit && !out_.empty() && out_.last_db_version != db_version) {
    out_.truncated = true;
    return Verdict::kStop;
  }
  if (request_.local_only && site != local_site_) return Verdict::kSkip;
  if (site && request_.exclude_sites.size() > 1 &&
      SiteIn(*site, std::span<const SiteId>(request_.exclude_sites).subspan(1))) {
    return Verdict::kSkip;
  }
  return Verdict::kTake;
}

void PullBatcher::Take(protocol::Change change) {
  bytes_ += EstimateEncodedSize(change);
  out_.last_db_version = change.db_version;
  out_.changes.push_back(std::move(change));
}

void PullBatcher::TakeRecord(std::span<const uint8_t> record, size_t estimated_size,
                             int64_t db_version) {
  bytes_ += estimated_size;
  out_.last_db_version = db_version;
  out_.records.push_back(record);
}

namespace {

// Columns 0..8 of a pull row: the change (site_id left empty) and its author.
Result<StoredChange> ReadPullRow(sqlite3_stmt* stmt) {
  StoredChange row;
  if (sqlite3_column_type(stmt, 6) != SQLITE_NULL) {
    if (sqlite3_column_type(stmt, 6) != SQLITE_BLOB ||
        sqlite3_column_bytes(stmt, 6) != static_cast<int>(kSiteIdSize)) {
      return Status::FailedPrecondition("crsql_changes: site_id is not a 16-byte blob");
    }
    const auto* b = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, 6));
    row.site.emplace();
    std::copy(b, b + kSiteIdSize, row.site->begin());
  }
  protocol::Change& change = row.change;
  change.table = ColumnText(stmt, 0);
  change.pk = ColumnBlob(stmt, 1);
  change.cid = ColumnText(stmt, 2);
  change.val = ColumnValue(stmt, 3);
  change.col_version = sqlite3_column_int64(stmt, 4);
  change.db_version = sqlite3_column_int64(stmt, 5);
  change.cl = sqlite3_column_int64(stmt, 7);
  change.seq = sqlite3_column_int64(stmt, 8);
  return row;
}

}  // namespace

Result<bool> SqliteStore::PullWindow(int64_t lo, std::optional<int64_t> hi,
                                     PullBatcher& batcher) {
  CRSYNC_ASSIGN_OR_RETURN(sqlite3_stmt * stmt,
                          hi ? Cached(pull_bounded_, kPullBoundedSql) : Cached(pull_, kPullSql));
  StmtUse use(stmt);
  const PullRequest& request = batcher.request();
  sqlite3_bind_int64(stmt, 1, lo);
  if (!request.local_only && !request.exclude_sites.empty()) {
    BindBytes(stmt, 2, request.exclude_sites.front());
  } else {
    sqlite3_bind_null(stmt, 2);
  }
  if (hi) sqlite3_bind_int64(stmt, 3, *hi);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::optional<SiteId> site;
    if (sqlite3_column_type(stmt, 6) == SQLITE_BLOB &&
        sqlite3_column_bytes(stmt, 6) == static_cast<int>(kSiteIdSize)) {
      const auto* b = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, 6));
      site.emplace();
      std::copy(b, b + kSiteIdSize, site->begin());
    }
    const PullBatcher::Verdict verdict = batcher.Check(sqlite3_column_int64(stmt, 5), site);
    if (verdict == PullBatcher::Verdict::kStop) return false;
    if (verdict == PullBatcher::Verdict::kSkip) continue;
    Result<StoredChange> row = ReadPullRow(stmt);
    if (!row.ok()) return row.status();
    if (request.include_site_ids) row->change.site_id = row->site;
    batcher.Take(std::move(row->change));
  }
  if (rc != SQLITE_DONE) return SqlError("pull changes");
  return true;
}

Result<PullResult> SqliteStore::PullChanges(const PullRequest& request) {
  PullBatcher batcher(request, site_id_);
  CRSYNC_ASSIGN_OR_RETURN(const int64_t head, DbVersion());
  // Walk (since, head] in growing db_version windows, then finish unbounded (which also covers
  // any row above head). The window starts at the batch size, a good guess for one local change
  // per version, and doubles while windows come back under the limits.
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  // db_versions are never negative (the engine refuses them), so any negative cursor means
  // "everything"; clamping keeps the window arithmetic below free of overflow.
  int64_t lo = std::max<int64_t>(request.since_db_version, -1);
  int64_t width = static_cast<int64_t>(std::clamp<size_t>(request.max_changes, 16, 1 << 20));
  for (int windows = 0; windows < 64; ++windows) {
    const bool last = lo >= head || width >= head - lo || lo > kMax - width;
    CRSYNC_ASSIGN_OR_RETURN(
        const bool go_on,
        PullWindow(lo, last ? std::nullopt : std::optional<int64_t>(lo + width), batcher));
    if (last || !go_on) return std::move(batcher.result());
    lo += width;
    width = width > kMax / 2 ? kMax : width * 2;
  }
  // Unreachable in practice (64 doublings cover int64); finish unbounded to stay correct.
  CRSYNC_RETURN_IF_ERROR(PullWindow(lo, std::nullopt, batcher).status());
  return std::move(batcher.result());
}

Result<std::vector<StoredChange>> SqliteStore::ChangesInRange(int64_t lo, int64_t hi) {
  CRSYNC_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Cached(range_, kRangeSql));
  StmtUse use(stmt);
  sqlite3_bind_int64(stmt, 1, lo);
  sqlite3_bind_int64(stmt, 2, hi);
  std::vector<StoredChange> rows;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    CRSYNC_ASSIGN_OR_RETURN(StoredChange row, ReadPullRow(stmt));
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return SqlError("read changes");
  return rows;
}

Status SqliteStore::InsertChanges(const SiteId& sender,
                                  std::span<const protocol::Change> changes) {
  CRSYNC_ASSIGN_OR_RETURN(sqlite3_stmt * insert, Cached(insert_change_, kInsertChangeSql));
  for (size_t i = 0; i < changes.size(); ++i) {
    const protocol::Change& c = changes[i];
    StmtUse use(insert);
    BindText(insert, 1, c.table);
    BindBytes(insert, 2, c.pk);
    BindText(insert, 3, c.cid);
    BindValue(insert, 4, c.val);
    sqlite3_bind_int64(insert, 5, c.col_version);
    sqlite3_bind_int64(insert, 6, c.db_version);
    BindBytes(insert, 7, sender);
    sqlite3_bind_int64(insert, 8, c.cl);
    sqlite3_bind_int64(insert, 9, c.seq);
    const int rc = sqlite3_step(insert);
    if (rc != SQLITE_DONE) {
      std::string message = "change " + std::to_string(i) + " (table " + c.table + ", cid " +
                            c.cid + "): " + sqlite3_errmsg(db_);
      if (IsBusy(rc)) return Status::Unavailable(std::move(message));
      const int primary = rc & 0xff;
      if (primary == SQLITE_NOMEM || primary == SQLITE_IOERR || primary == SQLITE_FULL ||
          primary == SQLITE_CORRUPT) {
        return Status::Internal(std::move(message));
      }
      return Status::InvalidArgument(std::move(message));
    }
  }
  return Status();
}

Status SqliteStore::RecordLastSeen(const SiteId& peer, const protocol::Cursor& cursor) {
  CRSYNC_ASSIGN_OR_RETURN(sqlite3_stmt * upsert, Cached(upsert_peer_, kUpsertPeerSql));
  StmtUse use(upsert);
  BindBytes(upsert, 1, peer);
  sqlite3_bind_int64(upsert, 2, cursor.db_version);
  sqlite3_bind_int64(upsert, 3, cursor.seq);
  if (sqlite3_step(upsert) != SQLITE_DONE) return SqlError("record last seen");
  return Status();
}

Status SqliteStore::ApplyInTransaction(const SiteId& sender,
                                       std::span<const protocol::Change> changes,
                                       const protocol::Cursor& last_seen) {
  CRSYNC_RETURN_IF_ERROR(InsertChanges(sender, changes));
  return RecordLastSeen(sender, last_seen);
}

Status SqliteStore::ApplyChanges(const SiteId& sender, std::span<const protocol::Change> changes,
                                 const protocol::Cursor& last_seen) {
  if (sqlite3_get_autocommit(db_) == 0) return ApplyInSavepoint(sender, changes, last_seen);
  CRSYNC_ASSIGN_OR_RETURN(const int64_t before, DbVersion());
  CRSYNC_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status status = ApplyInTransaction(sender, changes, last_seen);
  if (status.ok()) status = Exec("COMMIT");
  if (!status.ok()) {
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return status;
  }
  Result<int64_t> after = DbVersion();
  if (!after.ok() || *after != before) {
    notified_version_ = after.ok() ? *after : notified_version_;
    notifier_.Notify();
  }
  return Status();
}

Status SqliteStore::ApplyInOpenTransaction(const SiteId& sender,
                                           std::span<const protocol::Change> changes) {
  if (sqlite3_get_autocommit(db_) != 0) {
    return Status::FailedPrecondition("ApplyInOpenTransaction needs an open transaction");
  }
  return InsertChanges(sender, changes);
}

Status SqliteStore::ApplyInSavepoint(const SiteId& sender,
                                     std::span<const protocol::Change> changes,
                                     const protocol::Cursor& last_seen) {
  // The owner's transaction stays open and the owner notifies after its COMMIT (group commit).
  CRSYNC_RETURN_IF_ERROR(Exec("SAVEPOINT crsync_apply"));
  Status status = ApplyInTransaction(sender, changes, last_seen);
  if (status.ok()) status = Exec("RELEASE crsync_apply");
  if (!status.ok()) {
    sqlite3_exec(db_, "ROLLBACK TO crsync_apply; RELEASE crsync_apply", nullptr, nullptr,
                 nullptr);
  }
  return status;
}

Result<std::optional<protocol::Cursor>> SqliteStore::LastSeen(const SiteId& peer) {
  CRSYNC_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Cached(last_seen_, kLastSeenSql));
  StmtUse use(stmt);
  BindBytes(stmt, 1, peer);
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return std::optional<protocol::Cursor>();
  if (rc != SQLITE_ROW) return SqlError("read last seen");
  return std::optional<protocol::Cursor>(
      protocol::Cursor{sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 1)});
}

Result<std::vector<protocol::LastSeen>> SqliteStore::AllLastSeens() {
  CRSYNC_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Cached(all_last_seens_, kAllLastSeensSql));
  StmtUse use(stmt);
  std::vector<protocol::LastSeen> out;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (sqlite3_column_type(stmt, 0) != SQLITE_BLOB ||
        sqlite3_column_bytes(stmt, 0) != static_cast<int>(kSiteIdSize)) {
      continue;  // not a site id we could announce
    }
    protocol::LastSeen entry;
    const auto* b = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, 0));
    std::copy(b, b + kSiteIdSize, entry.site_id.begin());
    entry.cursor = {sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2)};
    out.push_back(entry);
  }
  if (rc != SQLITE_DONE) return SqlError("read tracked peers");
  return out;
}

void SqliteStore::NotifyChanged() {
  Result<int64_t> version = DbVersion();
  if (version.ok()) notified_version_ = *version;
  notifier_.Notify();
}

bool SqliteStore::PollForChanges() {
  Result<int64_t> version = DbVersion();
  if (!version.ok() || *version == notified_version_) return false;
  notified_version_ = *version;
  notifier_.Notify();
  return true;
}

}  // namespace crsync::sync
