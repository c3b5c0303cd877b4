// The crsql_changes scan (see changes_read.h): the statements of each way to read a table, the
// choice between them, the site-id read, the sort and the column values.
#include "crsqlite/changes_read.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "crsqlite/changes_merge.h"
#include "crsqlite/changes_read_internal.h"
#include "crsqlite/ext_data.h"

namespace crsync::crsqlite {

namespace {

// Filters matching fewer clock entries than this read the table filtered without further ado.
constexpr int64_t kSmallResult = 1024;
// Per change kept, a filtered read costs about three times what a full scan costs per clock
// entry (callgrind), so a filter keeping at least a third of a table scans it in full.
constexpr int64_t kFullScanDivisor = 3;

// A constraint with the number of the SQL parameter holding its value: xFilter's argv[k] is
// always bound to ?(k + 2); ?1 is the collector (or a LIMIT).
struct BoundConstraint {
  ChangesConstraint c;
  int param;
};

std::vector<BoundConstraint> BindParams(const ChangesScanSpec& spec) {
  std::vector<BoundConstraint> out;
  int next = 2;
  for (const auto& c : spec.constraints) out.push_back({c, c.has_arg ? next++ : 0});
  return out;
}

int ArgCount(const ChangesScanSpec& spec) {
  int n = 0;
  for (const auto& c : spec.constraints) n += c.has_arg ? 1 : 0;
  return n;
}

bool HasConstraintOn(const ChangesScanSpec& spec, int column) {
  for (const auto& c : spec.constraints) {
    if (c.column == column) return true;
  }
  return false;
}

// `expr op ?param` or `expr IS [NOT] NULL`.
std::string ConstraintSql(const std::string& expr, const BoundConstraint& b) {
  if (b.c.op == SQLITE_INDEX_CONSTRAINT_ISNULL) return expr + " IS NULL";
  if (b.c.op == SQLITE_INDEX_CONSTRAINT_ISNOTNULL) return expr + " IS NOT NULL";
  return expr + " " + ConstraintOperatorSql(b.c.op) + " ?" + std::to_string(b.param);
}

// The original's expression for a constrained column, in the per-table statements.
std::string ClockExpression(int column) {
  switch (column) {
    case kChangesCid:
      return "c.col_name";
    case kChangesColVersion:
      return "c.col_version";
    case kChangesDbVersion:
      return "c.db_version";
    case kChangesSeq:
      return "c.seq";
    case kChangesCl:
      return "COALESCE(t2.col_version, 1)";
    default:
      return "";
  }
}

bool UsesDbVersionIndex(const ChangesConstraint& c) {
  if (c.column != kChangesDbVersion) return false;
  switch (c.op) {
    case SQLITE_INDEX_CONSTRAINT_EQ:
    case SQLITE_INDEX_CONSTRAINT_GT:
    case SQLITE_INDEX_CONSTRAINT_LE:
    case SQLITE_INDEX_CONSTRAINT_LT:
    case SQLITE_INDEX_CONSTRAINT_GE:
    case SQLITE_INDEX_CONSTRAINT_IS:
      return true;
    default:
      return false;
  }
}

enum class Conditions { kClock, kClockAndCl, kDbVersionIndex };

// The constraints evaluated in the per-table statements, joined with AND ("" when none).
// site_id is never among them (LoadSites).
std::string ConditionsSql(const ChangesScanSpec& spec, Conditions which) {
  std::vector<std::string> parts;
  for (const auto& b : BindParams(spec)) {
    if (b.c.column == kChangesSiteId) continue;
    if (b.c.column == kChangesCl && which != Conditions::kClockAndCl) continue;
    if (which == Conditions::kDbVersionIndex && !UsesDbVersionIndex(b.c)) continue;
    parts.push_back(ConstraintSql(ClockExpression(b.c.column), b));
  }
  return Join(parts, " AND ");
}

std::string PkColumns(const TableInfo& t, const char* alias) {
  std::string out;
  for (const auto& c : t.pks) out += std::string(", ") + alias + "." + QuoteIdent(c.name);
  return out;
}

std::string BaseJoin(const TableInfo& t) {
  std::vector<std::string> on;
  for (const auto& c : t.pks) {
    on.push_back("b." + QuoteIdent(c.name) + " = p." + QuoteIdent(c.name));
  }
  return " LEFT JOIN " + QuoteIdent(t.name) + " AS b ON " + Join(on, " AND ");
}

// Full scan, first pass: every lookaside row in key order with its base row's values.
std::string KeysSql(const TableInfo& t) {
  std::string values;
  for (const auto& c : t.non_pks) values += ", b." + QuoteIdent(c.name);
  return std::string("SELECT ") + kCollectFunction + "(?1, p.__crsql_key" + values +
         PkColumns(t, "p") + ") FROM " + QuoteIdent(t.name + kPksSuffix) + " AS p NOT INDEXED" +
         BaseJoin(t);
}

// Full scan, second pass: the clock table in primary-key order; keep = the constraints.
std::string ClockSql(const TableInfo& t, const std::string& pk_index, const std::string& keep) {
  return std::string("SELECT ") + kCollectFunction +
         "(?1, c.key, c.col_name, c.col_version, c.db_version, c.site_id, c.seq, " +
         (keep.empty() ? "1" : "(" + keep + ")") + ") FROM " + QuoteIdent(t.name + kClockSuffix) +
         " AS c INDEXED BY " + QuoteIdent(pk_index);
}

// Filtered: the original's join with the constraints in WHERE.
std::string FilteredSql(const TableInfo& t, const std::string& where) {
  std::string val = "NULL";
  if (!t.non_pks.empty()) {
    val = "CASE c.col_name";
    for (const auto& c : t.non_pks) {
      val += " WHEN " + QuoteLiteral(c.name) + " THEN b." + QuoteIdent(c.name);
    }
    val += " END";
  }
  const std::string clock = QuoteIdent(t.name + kClockSuffix);
  return std::string("SELECT ") + kCollectFunction +
         "(?1, c.key, c.col_name, c.col_version, c.db_version, c.site_id, c.seq, "
         "COALESCE(t2.col_version, 1), " +
         val + PkColumns(t, "p") + ") FROM " + clock + " AS c JOIN " +
         QuoteIdent(t.name + kPksSuffix) + " AS p ON c.key = p.__crsql_key" + BaseJoin(t) +
         " LEFT JOIN " + clock + " AS t2 ON t2.key = c.key AND t2.col_name = '-1'" +
         (where.empty() ? "" : " WHERE " + where);
}

// One use of a statement of the connection's crsql_changes cache (ExtData::changes_read_cache,
// cleared on schema changes and by crsql_finalize). Taken out while in use and given back
// afterwards, reset, unless the cache was reset meanwhile.
class CachedStmt {
 public:
  CachedStmt(ExtData* ext, std::string key)
      : ext_(ext), key_(std::move(key)), schema_(ext->changes_read_schema) {
    auto it = ext_->changes_read_cache.find(key_);
    if (it != ext_->changes_read_cache.end()) stmt_ = std::move(it->second);
  }
  ~CachedStmt() {
    if (!stmt_) return;
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
    if (ext_->changes_read_schema != schema_) return;
    Stmt& slot = ext_->changes_read_cache[key_];
    if (!slot) slot = std::move(stmt_);
  }
  CachedStmt(const CachedStmt&) = delete;
  CachedStmt& operator=(const CachedStmt&) = delete;

  bool ready() const { return static_cast<bool>(stmt_); }
  sqlite3_stmt* get() const { return stmt_.get(); }
  int Prepare(const std::string& sql, std::string* err) {
    int rc = SQLITE_OK;
    stmt_ = crsqlite::Prepare(ext_->db, sql, &rc, err);
    return stmt_ ? SQLITE_OK : rc;
  }
  // Binds argv[k] to ?(k + 2), for the parameters the statement has.
  void BindArgs(sqlite3_value** argv, int argc) {
    const int n = sqlite3_bind_parameter_count(stmt_.get());
    for (int k = 0; k < argc && k + 2 <= n; ++k) sqlite3_bind_value(stmt_.get(), k + 2, argv[k]);
  }
  // Steps once; SQLITE_OK when a row is there, else the error (err set).
  int StepRow(std::string* err) {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return SQLITE_OK;
    *err = sqlite3_errmsg(ext_->db);
    return rc == SQLITE_DONE ? SQLITE_ERROR : rc;
  }

 private:
  ExtData* ext_;
  std::string key_;
  int64_t schema_;
  Stmt stmt_;
};

// Runs a statement of the collector to its single (aggregate) row.
int RunCollect(CachedStmt& s, ChangeCollector* collector, sqlite3_value** argv, int argc,
               std::string* err) {
  sqlite3_bind_pointer(s.get(), 1, collector, kCollectorPointerType, nullptr);
  s.BindArgs(argv, argc);
  int rc = s.StepRow(err);
  sqlite3_reset(s.get());
  return rc;
}

}  // namespace

// ---- site ids --------------------------------------------------------------------------------

const ChangeScan::Site* ChangeScan::FindSite(int64_t ordinal) const {
  if (ordinal >= 0 && static_cast<uint64_t>(ordinal) < sites_.size()) {
    const Site& s = sites_[static_cast<size_t>(ordinal)];
    return s.known ? &s : nullptr;
  }
  auto it =
      std::lower_bound(sparse_sites_.begin(), sparse_sites_.end(), ordinal,
                       [](const std::pair<int64_t, Site>& e, int64_t o) { return e.first < o; });
  return it != sparse_sites_.end() && it->first == ordinal ? &it->second : nullptr;
}

bool ChangeScan::SitePasses(int64_t ordinal) const {
  const Site* s = FindSite(ordinal);
  return s ? s->passes : missing_site_passes_;
}

// Reads crsql_site_id once: every ordinal's site_id, and whether the site_id constraints hold
// for it, evaluated by SQLite on s.site_id exactly as in the original's join; plus the same for
// a NULL site_id (the LEFT JOIN's value for a clock entry whose ordinal has no row).
int ChangeScan::LoadSites(ExtData* ext, const ChangesScanSpec& spec, sqlite3_value** argv,
                          std::string* err) {
  std::vector<std::string> on_site, on_null;
  for (const auto& b : BindParams(spec)) {
    if (b.c.column != kChangesSiteId) continue;
    on_site.push_back(ConstraintSql("s.site_id", b));
    on_null.push_back(ConstraintSql("NULL", b));
  }
  const std::string conditions = Join(on_site, " AND ");
  CachedStmt s(ext, "sites:" + conditions);
  if (!s.ready()) {
    std::string sql = "SELECT ordinal, site_id, 1 FROM crsql_site_id AS s";
    if (!on_site.empty()) {
      sql = "SELECT ordinal, site_id, (" + conditions +
            ") FROM crsql_site_id AS s UNION ALL SELECT NULL, NULL, (" + Join(on_null, " AND ") +
            ")";
    }
    int rc = s.Prepare(sql, err);
    if (rc != SQLITE_OK) return rc;
  }
  s.BindArgs(argv, ArgCount(spec));
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    sqlite3_stmt* q = s.get();
    const bool passes = sqlite3_column_int(q, 2) != 0;  // NULL (unknown) does not pass
    if (sqlite3_column_type(q, 0) == SQLITE_NULL) {
      missing_site_passes_ = passes;
      continue;
    }
    const int64_t ordinal = sqlite3_column_int64(q, 0);
    Site site;
    site.known = true;
    site.passes = passes;
    site.id.type = static_cast<uint8_t>(sqlite3_column_type(q, 1));
    if (site.id.type == SQLITE_INTEGER) {
      site.id.bits = sqlite3_column_int64(q, 1);
    } else if (site.id.type == SQLITE_FLOAT) {
      const double d = sqlite3_column_double(q, 1);
      std::memcpy(&site.id.bits, &d, sizeof d);
    } else if (site.id.type != SQLITE_NULL) {
      const void* p = site.id.type == SQLITE_TEXT
                          ? static_cast<const void*>(sqlite3_column_text(q, 1))
                          : sqlite3_column_blob(q, 1);
      site.id.size = static_cast<uint32_t>(sqlite3_column_bytes(q, 1));
      site.id.bits = static_cast<int64_t>(bytes_.size());
      if (site.id.size > 0) bytes_.append(static_cast<const char*>(p), site.id.size);
    }
    if (ordinal >= 0 && ordinal < 4096) {
      if (sites_.size() <= static_cast<size_t>(ordinal)) sites_.resize(ordinal + 1);
      sites_[static_cast<size_t>(ordinal)] = site;
    } else {
      sparse_sites_.emplace_back(ordinal, site);
    }
  }
  if (rc != SQLITE_DONE) {
    *err = sqlite3_errmsg(ext->db);
    return rc;
  }
  std::sort(sparse_sites_.begin(), sparse_sites_.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return SQLITE_OK;
}

// ---- reading the tables ----------------------------------------------------------------------

// Full scan unless the causal length is constrained (that needs the sentinel join) or the
// db_version constraints select a small part of the table. Matches are counted on the
// db_version index (LIMIT 1 OFFSET n - 1: is there an n-th?), never past the threshold; the
// table's size is estimated in O(log n) as lookaside keys x non-PK columns (exact for rows
// written in full and never deleted).
int ChangeScan::ShouldScanFully(ExtData* ext, size_t table, const ChangesScanSpec& spec,
                                sqlite3_value** argv, bool* full, std::string* err) {
  const TableInfo& t = *ext->tables[table];
  *full = !HasConstraintOn(spec, kChangesCl);
  const std::string where = ConditionsSql(spec, Conditions::kDbVersionIndex);
  if (!*full || where.empty()) return SQLITE_OK;
  const std::string tidx = std::to_string(t.index);
  CachedStmt nth(ext, "nth:" + tidx + ":" + where);
  if (!nth.ready()) {
    int rc = nth.Prepare("SELECT 1 FROM " + QuoteIdent(t.name + kClockSuffix) + " AS c WHERE " +
                             where + " LIMIT 1 OFFSET ?1",
                         err);
    if (rc != SQLITE_OK) return rc;
  }
  nth.BindArgs(argv, ArgCount(spec));
  auto at_least = [&](int64_t n, bool* yes) {
    sqlite3_bind_int64(nth.get(), 1, n - 1);
    int rc = sqlite3_step(nth.get());
    sqlite3_reset(nth.get());
    *yes = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) return SQLITE_OK;
    *err = sqlite3_errmsg(ext->db);
    return rc;
  };
  int rc = at_least(kSmallResult, full);
  if (rc != SQLITE_OK || !*full) return rc;
  CachedStmt keys(ext, "max-key:" + tidx);
  if (!keys.ready()) {
    rc = keys.Prepare("SELECT max(__crsql_key) FROM " + QuoteIdent(t.name + kPksSuffix), err);
    if (rc != SQLITE_OK) return rc;
  }
  rc = keys.StepRow(err);
  if (rc != SQLITE_OK) return rc;
  const int64_t max_key = sqlite3_column_int64(keys.get(), 0);
  const int64_t columns = std::max<int64_t>(1, static_cast<int64_t>(t.non_pks.size()));
  const int64_t cap =
      max_key > INT64_MAX / columns ? INT64_MAX : max_key * columns / kFullScanDivisor;
  if (cap <= kSmallResult) return SQLITE_OK;
  return at_least(cap, full);
}

int ChangeScan::ReadTable(ExtData* ext, size_t table, const ChangesScanSpec& spec,
                          sqlite3_value** argv, bool utf8, std::string* err) {
  const TableInfo& t = *ext->tables[table];
  const std::string tidx = std::to_string(t.index);
  const int argc = ArgCount(spec);
  bool full = false;
  int rc = ShouldScanFully(ext, table, spec, argv, &full, err);
  if (rc != SQLITE_OK) return rc;

  const auto slot = static_cast<uint32_t>(table);
  const size_t first_row = rows_.size();
  const size_t bytes_mark = bytes_.size();
  if (full) {
    ChangeCollector collector(this, slot, t.non_pks.size(), utf8);
    CachedStmt keys(ext, "keys:" + tidx);
    if (!keys.ready()) {
      rc = keys.Prepare(KeysSql(t), err);
      if (rc != SQLITE_OK) return rc;
    }
    collector.Start(ChangeCollector::Mode::kKeys);
    rc = RunCollect(keys, &collector, argv, argc, err);
    if (rc != SQLITE_OK) return rc;

    const std::string keep = ConditionsSql(spec, Conditions::kClock);
    CachedStmt clock(ext, "clock:" + tidx + ":" + keep);
    if (!clock.ready()) {
      // The clock's primary-key index, which SQLite names sqlite_autoindex_<clock>_1.
      CachedStmt pk_index(ext, "pk-index");
      if (!pk_index.ready()) {
        rc = pk_index.Prepare("SELECT name FROM pragma_index_list(?1) WHERE origin = 'pk'", err);
        if (rc != SQLITE_OK) return rc;
      }
      const std::string clock_name = t.name + kClockSuffix;
      sqlite3_bind_text(pk_index.get(), 1, clock_name.data(), static_cast<int>(clock_name.size()),
                        SQLITE_TRANSIENT);
      if (pk_index.StepRow(err) == SQLITE_OK) {
        const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(pk_index.get(), 0));
        rc = clock.Prepare(ClockSql(t, name ? name : "", keep), err);
        if (rc != SQLITE_OK) return rc;
      }
    }
    if (clock.ready() && !collector.out_of_order()) {
      // Room for a sentinel and every column of every key up front: growing the vector while
      // collecting would copy it log(n) times. Unused room is never touched.
      rows_.reserve(rows_.size() + collector.key_count() * (t.non_pks.size() + 1));
      collector.Start(ChangeCollector::Mode::kClock);
      rc = RunCollect(clock, &collector, argv, argc, err);
      if (rc != SQLITE_OK) return rc;
      collector.Finish();
      if (!collector.out_of_order()) return SQLITE_OK;
    }
    // Not in key order after all (or no primary-key index): read the table filtered.
    rows_.resize(first_row);
    bytes_.resize(bytes_mark);
  }
  ChangeCollector collector(this, slot, t.non_pks.size(), utf8);
  const std::string where = ConditionsSql(spec, Conditions::kClockAndCl);
  CachedStmt filtered(ext, "filtered:" + tidx + ":" + where);
  if (!filtered.ready()) {
    rc = filtered.Prepare(FilteredSql(t, where), err);
    if (rc != SQLITE_OK) return rc;
  }
  collector.Start(ChangeCollector::Mode::kFiltered);
  return RunCollect(filtered, &collector, argv, argc, err);
}

int ChangeScan::Run(ExtData* ext, const ChangesScanSpec& spec, sqlite3_value** argv, bool utf8,
                    std::string* err) {
  Clear();
  descending_ = spec.descending();
  if (ext->tables.empty()) return SQLITE_OK;
  int rc = LoadSites(ext, spec, argv, err);
  for (size_t k = 0; rc == SQLITE_OK && k < ext->tables.size(); ++k) {
    const TableInfo& t = *ext->tables[k];
    Table table;
    table.name = t.name;
    table.index = t.index;
    for (const auto& c : t.non_pks) table.cids.push_back(c.name);
    table.cids.push_back(kSentinel);
    tables_.push_back(std::move(table));
    rc = ReadTable(ext, k, spec, argv, utf8, err);
  }
  if (rc != SQLITE_OK) {
    Clear();
    return rc;
  }
  Sort();
  return SQLITE_OK;
}

void ChangeScan::Clear() {
  tables_.clear();
  rows_.clear();
  bytes_.clear();
  sites_.clear();
  sparse_sites_.clear();
  missing_site_passes_ = true;
  order_.clear();
  pos_ = 0;
  descending_ = false;
}

// ---- order -----------------------------------------------------------------------------------

// Output order: (db_version, seq), ties in reading order (table by table, then the order its
// statement produced), so equal databases give equal outputs. Versions are usually dense, so a
// counting sort by db_version does most of the work; the changes of one version usually arrive
// in seq order already (one transaction, written in key order), which is checked first.
void ChangeScan::Sort() {
  const size_t n = rows_.size();
  order_.resize(n);
  if (n == 0) return;
  int64_t lo = rows_[0].db_version;
  int64_t hi = lo;
  for (const Row& r : rows_) {
    lo = std::min(lo, r.db_version);
    hi = std::max(hi, r.db_version);
  }
  auto by_seq = [this](size_t a, size_t b) {
    const int64_t sa = rows_[a].seq, sb = rows_[b].seq;
    return sa != sb ? sa < sb : a < b;
  };
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (range > 4 * static_cast<uint64_t>(n) + 1024) {
    auto by_version = [this, &by_seq](size_t a, size_t b) {
      const int64_t va = rows_[a].db_version, vb = rows_[b].db_version;
      return va != vb ? va < vb : by_seq(a, b);
    };
    for (size_t k = 0; k < n; ++k) order_[k] = k;
    if (!std::is_sorted(order_.begin(), order_.end(), by_version)) {
      std::sort(order_.begin(), order_.end(), by_version);
    }
    return;
  }
  std::vector<size_t> next(static_cast<size_t>(range) + 1, 0);
  for (const Row& r : rows_) ++next[static_cast<size_t>(r.db_version - lo)];
  size_t sum = 0;
  for (size_t& c : next) {
    const size_t count = c;
    c = sum;
    sum += count;
  }
  for (size_t k = 0; k < n; ++k) order_[next[static_cast<size_t>(rows_[k].db_version - lo)]++] = k;
  for (size_t begin = 0; begin < n;) {
    const int64_t version = rows_[order_[begin]].db_version;
    size_t end = begin + 1;
    while (end < n && rows_[order_[end]].db_version == version) ++end;
    if (!std::is_sorted(order_.begin() + begin, order_.begin() + end, by_seq)) {
      std::sort(order_.begin() + begin, order_.begin() + end, by_seq);
    }
    begin = end;
  }
}

// ---- values ----------------------------------------------------------------------------------

const ChangeScan::Row& ChangeScan::Current() const {
  assert(!Eof());  // SQLite asks for values only between xFilter/xNext and EOF
  return rows_[order_[descending_ ? order_.size() - 1 - pos_ : pos_]];
}

void ChangeScan::SetValue(sqlite3_context* ctx, const Value& v) const {
  switch (v.type) {
    case SQLITE_INTEGER:
      sqlite3_result_int64(ctx, v.bits);
      break;
    case SQLITE_FLOAT: {
      double d;
      std::memcpy(&d, &v.bits, sizeof d);
      sqlite3_result_double(ctx, d);
      break;
    }
    case SQLITE_TEXT:
      // Length -1 makes SQLite mark its copy NUL-terminated, which spares the caller's
      // sqlite3_column_text another copy.
      sqlite3_result_text(ctx, bytes_.data() + v.bits, v.terminated ? -1 : static_cast<int>(v.size),
                          SQLITE_TRANSIENT);
      break;
    case SQLITE_BLOB:
      sqlite3_result_blob(ctx, bytes_.data() + (v.size ? v.bits : 0), static_cast<int>(v.size),
                          SQLITE_TRANSIENT);
      break;
    default:
      sqlite3_result_null(ctx);
  }
}

void ChangeScan::Column(sqlite3_context* ctx, int col) const {
  const Row& r = Current();
  switch (col) {
    case kChangesTable:
      // Names hold no NUL: see SetValue.
      sqlite3_result_text(ctx, tables_[r.table].name.c_str(), -1, SQLITE_TRANSIENT);
      break;
    case kChangesPk:
      sqlite3_result_blob(ctx, bytes_.data() + r.pk, static_cast<int>(r.pk_size), SQLITE_TRANSIENT);
      break;
    case kChangesCid: {
      const std::string& cid = tables_[r.table].cids[r.cid];
      const bool has_nul = std::memchr(cid.data(), 0, cid.size()) != nullptr;
      sqlite3_result_text(ctx, cid.c_str(), has_nul ? static_cast<int>(cid.size()) : -1,
                          SQLITE_TRANSIENT);
      break;
    }
    case kChangesVal:
      SetValue(ctx, r.val);
      break;
    case kChangesColVersion:
      sqlite3_result_int64(ctx, r.col_version);
      break;
    case kChangesDbVersion:
      sqlite3_result_int64(ctx, r.db_version);
      break;
    case kChangesSiteId: {
      const Site* s = FindSite(r.site);
      if (s) {
        SetValue(ctx, s->id);
      } else {
        sqlite3_result_null(ctx);
      }
      break;
    }
    case kChangesCl:
      sqlite3_result_int64(ctx, r.cl);
      break;
    case kChangesSeq:
      sqlite3_result_int64(ctx, r.seq);
      break;
    default:
      break;
  }
}

int64_t ChangeScan::Rowid() const {
  constexpr int64_t kSlab = 10000000000000LL;  // 10^13
  const Row& r = Current();
  return static_cast<int64_t>(tables_[r.table].index) * kSlab + r.key % kSlab;
}

}  // namespace crsync::crsqlite
