// Scan specs of crsql_changes: which constraints and orders xBestIndex pushes down, and their
// idxStr text. The text reproduces the original's (EXPLAIN QUERY PLAN shows it; a test pins it)
// and is parsed back by xFilter, so it is the only channel between the two callbacks.
#include <string>

#include "crsqlite/changes_merge.h"
#include "crsqlite/changes_read_internal.h"
#include "crsqlite/sql_util.h"

namespace crsync::crsqlite {

namespace {

constexpr std::string_view kDefaultOrder = "ORDER BY db_vrsn, seq ASC";

// Column names of the original's inner query.
const char* const kInnerNames[kChangesColumnCount] = {
    "tbl", "pks", "cid", "val", "col_vrsn", "db_vrsn", "site_id", "cl", "seq"};

struct OperatorName {
  int op;
  const char* sql;
};
const OperatorName kOperators[] = {
    {SQLITE_INDEX_CONSTRAINT_EQ, "="},         {SQLITE_INDEX_CONSTRAINT_GT, ">"},
    {SQLITE_INDEX_CONSTRAINT_LE, "<="},        {SQLITE_INDEX_CONSTRAINT_LT, "<"},
    {SQLITE_INDEX_CONSTRAINT_GE, ">="},        {SQLITE_INDEX_CONSTRAINT_NE, "!="},
    {SQLITE_INDEX_CONSTRAINT_ISNOT, "IS NOT"}, {SQLITE_INDEX_CONSTRAINT_IS, "IS"},
    {SQLITE_INDEX_CONSTRAINT_LIKE, "LIKE"},    {SQLITE_INDEX_CONSTRAINT_GLOB, "GLOB"},
};

int ColumnByInnerName(std::string_view name) {
  for (int k = 0; k < kChangesColumnCount; ++k) {
    if (name == kInnerNames[k]) return k;
  }
  return -1;
}

// Splits the next item off `s` at `sep` (the whole rest when absent).
std::string_view NextItem(std::string_view* s, std::string_view sep) {
  size_t end = s->find(sep);
  std::string_view item = s->substr(0, end);
  *s = end == std::string_view::npos ? std::string_view() : s->substr(end + sep.size());
  return item;
}

bool ParseConstraint(std::string_view item, ChangesConstraint* c) {
  size_t space = item.find(' ');
  if (space == std::string_view::npos) return false;
  c->column = ColumnByInnerName(item.substr(0, space));
  std::string_view rest = item.substr(space + 1);
  c->has_arg = false;
  if (rest == "IS NULL") {
    c->op = SQLITE_INDEX_CONSTRAINT_ISNULL;
  } else if (rest == "IS NOT NULL") {
    c->op = SQLITE_INDEX_CONSTRAINT_ISNOTNULL;
  } else {
    if (rest.size() < 3 || rest.substr(rest.size() - 2) != " ?") return false;
    rest.remove_suffix(2);
    c->op = -1;
    for (const auto& o : kOperators) {
      if (rest == o.sql) c->op = o.op;
    }
    c->has_arg = true;
  }
  return IsPushableConstraint(c->column, c->op);
}

}  // namespace

const char* ConstraintOperatorSql(int op) {
  for (const auto& o : kOperators) {
    if (o.op == op) return o.sql;
  }
  return nullptr;
}

bool IsPushableConstraint(int column, int op) {
  switch (column) {
    case kChangesCid:
    case kChangesColVersion:
    case kChangesDbVersion:
    case kChangesSiteId:
    case kChangesCl:
    case kChangesSeq:
      break;
    default:
      return false;
  }
  return op == SQLITE_INDEX_CONSTRAINT_ISNULL || op == SQLITE_INDEX_CONSTRAINT_ISNOTNULL ||
         ConstraintOperatorSql(op) != nullptr;
}

bool IsConsumableOrder(const std::vector<std::pair<int, bool>>& terms) {
  std::vector<std::pair<int, bool>> distinct;
  for (const auto& t : terms) {
    bool seen = false;
    for (const auto& d : distinct) seen = seen || d.first == t.first;
    if (!seen) distinct.push_back(t);
  }
  if (distinct.empty() || distinct.size() > 2 || distinct[0].first != kChangesDbVersion) {
    return false;
  }
  return distinct.size() == 1 ||
         (distinct[1].first == kChangesSeq && distinct[1].second == distinct[0].second);
}

std::string FormatScanSpec(const ChangesScanSpec& spec) {
  std::vector<std::string> where;
  for (const auto& c : spec.constraints) {
    std::string item = kInnerNames[c.column];
    if (c.op == SQLITE_INDEX_CONSTRAINT_ISNULL) {
      item += " IS NULL";
    } else if (c.op == SQLITE_INDEX_CONSTRAINT_ISNOTNULL) {
      item += " IS NOT NULL";
    } else {
      item += std::string(" ") + ConstraintOperatorSql(c.op) + " ?";
    }
    where.push_back(std::move(item));
  }
  std::string out = where.empty() ? "" : "WHERE " + Join(where, " AND ") + " ";
  if (spec.order.empty()) return out + std::string(kDefaultOrder);
  std::vector<std::string> terms;
  for (const auto& [col, desc] : spec.order) {
    terms.push_back(std::string(kInnerNames[col]) + (desc ? " DESC" : " ASC"));
  }
  return out + "ORDER BY " + Join(terms, ", ");
}

bool ParseScanSpec(std::string_view s, ChangesScanSpec* spec) {
  spec->constraints.clear();
  spec->order.clear();
  size_t order_at = s.find("ORDER BY ");
  if (order_at == std::string_view::npos) return false;
  std::string_view order = s.substr(order_at);
  std::string_view where = s.substr(0, order_at);
  if (!where.empty()) {
    constexpr std::string_view kWhere = "WHERE ";
    if (where.substr(0, kWhere.size()) != kWhere || where.back() != ' ') return false;
    where = where.substr(kWhere.size(), where.size() - kWhere.size() - 1);
    while (!where.empty()) {
      ChangesConstraint c;
      if (!ParseConstraint(NextItem(&where, " AND "), &c)) return false;
      spec->constraints.push_back(c);
    }
  }
  if (order == kDefaultOrder) return true;
  order.remove_prefix(9);  // "ORDER BY "
  while (!order.empty()) {
    std::string_view term = NextItem(&order, ", ");
    size_t space = term.find(' ');
    if (space == std::string_view::npos) return false;
    int col = ColumnByInnerName(term.substr(0, space));
    std::string_view dir = term.substr(space + 1);
    if (col < 0 || (dir != "ASC" && dir != "DESC")) return false;
    spec->order.emplace_back(col, dir == "DESC");
  }
  return IsConsumableOrder(spec->order);
}

}  // namespace crsync::crsqlite
