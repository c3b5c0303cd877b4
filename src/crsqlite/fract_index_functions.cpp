// SQL surface of fractional indexing (spec §14): crsql_fract_key_between(a, b), and
// crsql_fract_as_ordered(T, order_col, list_col...), which turns `order_col` of table T into a
// fractional index kept by ordinary triggers, plus crsql_fract_fix_conflict_return_old_key, the
// helper those triggers call when several rows of a list share a key.
//
// Objects created by crsql_fract_as_ordered (names as in cr-sqlite 0.16, TV-64):
// * __crsql_<T>_fractindex_pend_trig (AFTER INSERT) and __crsql_<T>_fractindex_ezmove (AFTER
//   UPDATE OF order_col): a row whose order value is -1 / 1 (as an integer) is moved to the front
//   / back of its list, i.e. of the rows with the same list column values.
// * view <T>_fractindex = T plus one NULL column "after_<pk>" per PK column, with INSTEAD OF
//   INSERT / UPDATE triggers <T>_fractindex_insert_trig / _update_trig placing the row right after
//   the row whose PK is given in after_<pk> (see Placement).
// Only rows whose order value is a text key other than -1/1 count as placed in a list. They are
// ordinary user triggers: they also fire while changes are merged, and the order column
// replicates as a plain text cell. The resulting keys match cr-sqlite 0.16 (checked against it on
// random operation sequences), with three deliberate differences: list columns compare NULL-safe
// (IS), so rows with a NULL list value form a list instead of all getting "a "; WITHOUT ROWID
// tables (the triggers address rows by rowid) and tables without a PRIMARY KEY are rejected
// instead of yielding broken triggers; and a failure rolls back to the function's own savepoint,
// not the caller's transaction.
#include <algorithm>
#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crsqlite/fract_key.h"
#include "crsqlite/registration.h"
#include "crsqlite/sql_util.h"

namespace crsync::crsqlite {

namespace {

constexpr const char* kTooFewArgs =
    "Must provide at least 2 arguments -- the table name and the column to order by";
constexpr const char* kMissingColumns = "all columns are not present in the base table";
constexpr const char* kFixConflictArgs =
    "crsql_fract_fix_conflict_return_old_key - expected (table, order column, list columns..., "
    "-1, pk columns..., pk values...)";

void ResultError(sqlite3_context* ctx, const std::string& message) {
  sqlite3_result_error(ctx, message.data(), static_cast<int>(message.size()));
}

// Runs body, turning any exception (in practice std::bad_alloc) into an SQL error so that none
// crosses into SQLite.
template <typename Body>
void Guarded(sqlite3_context* ctx, Body&& body) {
  try {
    body();
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (...) {
    sqlite3_result_error(ctx, "crsql_fract - internal error", -1);
  }
}

// Text of a value; nullopt for NULL. Other types are converted as SQLite's text() would.
// Throws std::bad_alloc when SQLite runs out of memory converting (caught by Guarded).
std::optional<std::string_view> ArgText(sqlite3_value* value) {
  if (sqlite3_value_type(value) == SQLITE_NULL) return std::nullopt;
  const unsigned char* text = sqlite3_value_text(value);
  if (!text) {
    if (sqlite3_value_bytes(value) == 0) return std::string_view();
    throw std::bad_alloc();
  }
  return std::string_view(reinterpret_cast<const char*>(text),
                          static_cast<size_t>(sqlite3_value_bytes(value)));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

// ---- crsql_fract_key_between ----------------------------------------------------------------

void KeyBetweenFunc(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  Guarded(ctx, [&] {
    FractKeyResult key = KeyBetween(ArgText(argv[0]), ArgText(argv[1]));
    if (!key.ok) return ResultError(ctx, key.value);
    sqlite3_result_text(ctx, key.value.data(), static_cast<int>(key.value.size()),
                        SQLITE_TRANSIENT);
  });
}

// ---- crsql_fract_as_ordered -----------------------------------------------------------------

struct Column {
  std::string name;
  int pk = 0;           // 1-based position in the PRIMARY KEY, 0 if not part of it.
  bool hidden = false;  // Generated or hidden: not insertable.
};

// Columns of table (all of them, hidden and generated ones included), in declaration order.
int LoadColumns(sqlite3* db, std::string_view table, std::vector<Column>* out, std::string* err) {
  int rc = SQLITE_OK;
  Stmt stmt = Prepare(db, "SELECT name, pk, hidden FROM pragma_table_xinfo(?1)", &rc, err);
  if (!stmt) return rc;
  sqlite3_bind_text(stmt.get(), 1, table.data(), static_cast<int>(table.size()), SQLITE_TRANSIENT);
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    Column col;
    const unsigned char* name = sqlite3_column_text(stmt.get(), 0);
    col.name.assign(name ? reinterpret_cast<const char*>(name) : "",
                    static_cast<size_t>(sqlite3_column_bytes(stmt.get(), 0)));
    col.pk = sqlite3_column_int(stmt.get(), 1);
    col.hidden = sqlite3_column_int(stmt.get(), 2) != 0;
    out->push_back(std::move(col));
  }
  if (rc != SQLITE_DONE) {
    *err = sqlite3_errmsg(db);
    return rc;
  }
  return SQLITE_OK;
}

const Column* FindColumn(const std::vector<Column>& columns, std::string_view name) {
  for (const Column& col : columns) {
    if (EqualsIgnoreCase(col.name, name)) return &col;
  }
  return nullptr;
}

// Everything the generated SQL needs, with identifiers already quoted.
struct OrderedTable {
  std::string table;                  // Raw table name (for object names and literals).
  std::string quoted_table;           // "T"
  std::string order;                  // Raw order column name.
  std::string quoted_order;           // "o"
  std::string qualified_order;        // "T"."o"
  std::vector<std::string> list;      // Raw list column names.
  std::vector<std::string> pks;       // Raw PK column names, in PRIMARY KEY order.
  std::vector<std::string> writable;  // Raw names of the insertable columns, except order.
  std::string rowid;                  // A rowid alias no column shadows.
};

// "T"."col". Column references are always qualified: an unknown (e.g. later dropped) column is
// then an error instead of silently becoming a string literal (SQLite's double-quote fallback).
std::string Qualified(const OrderedTable& t, const std::string& col) {
  return t.quoted_table + "." + QuoteIdent(col);
}

// `"T"."l1" IS <row>."l1" AND ...`, or 1 without list columns: "in the same list as <row>".
std::string SameList(const OrderedTable& t, std::string_view row) {
  std::vector<std::string> terms;
  for (const std::string& col : t.list) {
    terms.push_back(Qualified(t, col) + " IS " + std::string(row) + "." + QuoteIdent(col));
  }
  return terms.empty() ? "1" : Join(terms, " AND ");
}

// True for a row whose order value is a placed key (not NULL, not a number, not -1/1 pending).
std::string IsPlaced(const OrderedTable& t) {
  return "typeof(" + t.qualified_order + ") = 'text' AND CAST(" + t.qualified_order +
         " AS INTEGER) NOT IN (-1, 1)";
}

// Statement of the two AFTER triggers: moves row NEW to the front (-1) or back (1) of its list.
std::string MoveToEndStatement(const OrderedTable& t) {
  const std::string& o = t.qualified_order;
  std::string list =
      " FROM " + t.quoted_table + " WHERE " + SameList(t, "NEW") + " AND " + IsPlaced(t) + ")";
  return "UPDATE " + t.quoted_table + " SET " + t.quoted_order + " = CASE CAST(NEW." +
         t.quoted_order + " AS INTEGER) WHEN -1 THEN crsql_fract_key_between(NULL, (SELECT min(" +
         o + " COLLATE BINARY)" + list + ") ELSE crsql_fract_key_between((SELECT max(" + o +
         " COLLATE BINARY)" + list + ", NULL) END WHERE " + t.quoted_table + "." + t.rowid +
         " = NEW." + t.rowid + ";";
}

std::string EndTrigger(const OrderedTable& t, std::string_view name, std::string_view event) {
  return "CREATE TRIGGER " + QuoteIdent("__crsql_" + t.table + std::string(name)) + " AFTER " +
         std::string(event) + " ON " + t.quoted_table + " WHEN CAST(NEW." + t.quoted_order +
         " AS INTEGER) IN (-1, 1) BEGIN " + MoveToEndStatement(t) + " END";
}

std::string ViewName(const OrderedTable& t) { return t.table + "_fractindex"; }
std::string AfterColumn(const std::string& pk) { return "after_" + pk; }

std::string CreateView(const OrderedTable& t) {
  std::vector<std::string> after;
  for (const std::string& pk : t.pks) after.push_back("NULL AS " + QuoteIdent(AfterColumn(pk)));
  return "CREATE VIEW " + QuoteIdent(ViewName(t)) + " AS SELECT *, " + Join(after, ", ") +
         " FROM " + t.quoted_table;
}

// The order key of the row to place after: the row whose PK is NEW.after_<pk>.
std::string AfterKey(const OrderedTable& t) {
  std::vector<std::string> terms;
  for (const std::string& pk : t.pks) {
    terms.push_back(Qualified(t, pk) + " = NEW." + QuoteIdent(AfterColumn(pk)));
  }
  return "(SELECT " + t.qualified_order + " FROM " + t.quoted_table + " WHERE " +
         Join(terms, " AND ") + ")";
}

// Order value for NEW placed after the row R whose PK is NEW.after_<pk>, counting the rows of
// NEW's list that have R's key: none (no R, e.g. after_<pk> NULL) → -1, which the AFTER triggers
// turn into "prepend"; one → between R's key and the next key of the list; several →
// crsql_fract_fix_conflict_return_old_key makes room. As in cr-sqlite 0.16 the order column
// written through the view is ignored, and so is R's own list.
std::string Placement(const OrderedTable& t) {
  const std::string& o = t.qualified_order;
  const std::string after = AfterKey(t);
  const std::string in_list = " FROM " + t.quoted_table + " WHERE " + SameList(t, "NEW");
  std::vector<std::string> fix_args = {QuoteLiteral(t.table), QuoteLiteral(t.order)};
  for (const std::string& col : t.list) fix_args.push_back(QuoteLiteral(col));
  fix_args.push_back("-1");
  for (const std::string& pk : t.pks) fix_args.push_back(QuoteLiteral(pk));
  for (const std::string& pk : t.pks) fix_args.push_back("NEW." + QuoteIdent(AfterColumn(pk)));
  return "CASE (SELECT count(*)" + in_list + " AND " + o + " COLLATE BINARY = " + after +
         ") WHEN 0 THEN -1 WHEN 1 THEN crsql_fract_key_between(" + after + ", (SELECT min(" + o +
         " COLLATE BINARY)" + in_list + " AND " + IsPlaced(t) + " AND " + o + " COLLATE BINARY > " +
         after + ")) ELSE crsql_fract_fix_conflict_return_old_key(" + Join(fix_args, ", ") +
         ") END";
}

std::string InsertTrigger(const OrderedTable& t) {
  std::vector<std::string> cols;
  std::vector<std::string> values;
  for (const std::string& col : t.writable) {
    cols.push_back(QuoteIdent(col));
    values.push_back("NEW." + QuoteIdent(col));
  }
  cols.push_back(t.quoted_order);
  values.push_back(Placement(t));
  return "CREATE TRIGGER " + QuoteIdent(ViewName(t) + "_insert_trig") + " INSTEAD OF INSERT ON " +
         QuoteIdent(ViewName(t)) + " BEGIN INSERT INTO " + t.quoted_table + " (" +
         Join(cols, ", ") + ") VALUES (" + Join(values, ", ") + "); END";
}

std::string UpdateTrigger(const OrderedTable& t) {
  std::vector<std::string> sets;
  for (const std::string& col : t.writable) {
    sets.push_back(QuoteIdent(col) + " = NEW." + QuoteIdent(col));
  }
  // Every UPDATE through the view places the row again: without after_<pk> it moves to the front
  // of its list (as in cr-sqlite 0.16); plain edits belong on the table itself.
  sets.push_back(t.quoted_order + " = " + Placement(t));
  std::vector<std::string> where;
  for (const std::string& pk : t.pks) {
    where.push_back(Qualified(t, pk) + " IS OLD." + QuoteIdent(pk));
  }
  return "CREATE TRIGGER " + QuoteIdent(ViewName(t) + "_update_trig") + " INSTEAD OF UPDATE ON " +
         QuoteIdent(ViewName(t)) + " BEGIN UPDATE " + t.quoted_table + " SET " + Join(sets, ", ") +
         " WHERE " + Join(where, " AND ") + "; END";
}

// Checks the arguments against the table and fills *t. Returns SQLITE_OK or an error with *err.
int DescribeTable(sqlite3* db, int argc, sqlite3_value** argv, OrderedTable* t, std::string* err) {
  std::optional<std::string_view> table = ArgText(argv[0]);
  std::vector<Column> columns;
  if (table) {
    int rc = LoadColumns(db, *table, &columns, err);
    if (rc != SQLITE_OK) return rc;
  }
  // Every named column must exist (a missing table has no columns).
  std::vector<std::string> named;
  for (int i = 1; i < argc; ++i) {
    std::optional<std::string_view> name = ArgText(argv[i]);
    const Column* col = name ? FindColumn(columns, *name) : nullptr;
    // The order column is written by the triggers, so it cannot be a generated column.
    if (!col || (i == 1 && col->hidden)) {
      *err = kMissingColumns;
      return SQLITE_ERROR;
    }
    named.push_back(col->name);
  }
  t->table = std::string(*table);
  t->quoted_table = QuoteIdent(t->table);
  t->order = named[0];
  t->quoted_order = QuoteIdent(t->order);
  t->qualified_order = Qualified(*t, t->order);
  t->list.assign(named.begin() + 1, named.end());

  std::vector<const Column*> pks;
  for (const Column& col : columns) {
    if (col.pk > 0) pks.push_back(&col);
    if (!col.hidden && !EqualsIgnoreCase(col.name, t->order)) t->writable.push_back(col.name);
  }
  std::sort(pks.begin(), pks.end(), [](const Column* x, const Column* y) { return x->pk < y->pk; });
  for (const Column* col : pks) t->pks.push_back(col->name);
  if (t->pks.empty()) {
    *err = "crsql_fract_as_ordered - table " + t->table + " has no PRIMARY KEY, which the " +
           ViewName(*t) + " view needs";
    return SQLITE_ERROR;
  }

  // The triggers address rows by rowid: pick an alias no column shadows, and check there is one.
  for (const char* alias : {"_rowid_", "rowid", "oid"}) {
    if (!FindColumn(columns, alias)) {
      t->rowid = alias;
      break;
    }
  }
  if (t->rowid.empty() ||
      !Prepare(db, "SELECT " + t->rowid + " FROM " + t->quoted_table + " LIMIT 0")) {
    *err = "crsql_fract_as_ordered - table " + t->table +
           " has no rowid (WITHOUT ROWID tables are not supported)";
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

// Drops the objects of a previous call and creates them again.
int CreateOrderedObjects(sqlite3* db, const OrderedTable& t, std::string* err) {
  const std::string pend = "__crsql_" + t.table + "_fractindex_pend_trig";
  const std::string ezmove = "__crsql_" + t.table + "_fractindex_ezmove";
  const std::vector<std::string> statements = {
      "DROP TRIGGER IF EXISTS " + QuoteIdent(pend),
      "DROP TRIGGER IF EXISTS " + QuoteIdent(ezmove),
      // Dropping the view drops its INSTEAD OF triggers.
      "DROP VIEW IF EXISTS " + QuoteIdent(ViewName(t)),
      EndTrigger(t, "_fractindex_pend_trig", "INSERT"),
      EndTrigger(t, "_fractindex_ezmove", "UPDATE OF " + t.quoted_order),
      CreateView(t),
      InsertTrigger(t),
      UpdateTrigger(t),
  };
  for (const std::string& sql : statements) {
    int rc = Exec(db, sql, err);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

void AsOrderedFunc(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  Guarded(ctx, [&] {
    if (argc < 2) return ResultError(ctx, kTooFewArgs);
    sqlite3* db = sqlite3_context_db_handle(ctx);
    std::string err;
    int rc = Exec(db, "SAVEPOINT as_ordered", &err);
    if (rc != SQLITE_OK) return ResultError(ctx, err);
    OrderedTable table;
    rc = DescribeTable(db, argc, argv, &table, &err);
    if (rc == SQLITE_OK) rc = CreateOrderedObjects(db, table, &err);
    if (rc == SQLITE_OK) rc = Exec(db, "RELEASE as_ordered", &err);
    if (rc != SQLITE_OK) {
      // Undo our own work only; the caller's transaction (if any) stays open.
      Exec(db, "ROLLBACK TO as_ordered; RELEASE as_ordered");
      ResultError(ctx, err);
      return sqlite3_result_error_code(ctx, rc);
    }
    sqlite3_result_null(ctx);
  });
}

// ---- crsql_fract_fix_conflict_return_old_key ------------------------------------------------

// Arguments: (table, order_col, list_col..., -1, pk_col..., pk_value...), naming the row R to
// place after. Several rows of R's list share R's key K: R moves down to a key between K's
// predecessor in the list and K, and the result is a key between R's new key and K, for the row
// being placed. Afterwards: predecessor < R < result < the other rows at K.
struct FixConflictArgs {
  std::string table;
  std::string order;
  std::vector<std::string> list;
  std::vector<std::string> pks;
  std::vector<sqlite3_value*> pk_values;
};

bool ParseFixConflictArgs(int argc, sqlite3_value** argv, FixConflictArgs* out) {
  int separator = -1;
  for (int i = 2; i < argc; ++i) {
    if (sqlite3_value_type(argv[i]) == SQLITE_INTEGER && sqlite3_value_int64(argv[i]) == -1) {
      separator = i;
      break;
    }
  }
  if (separator < 0) return false;
  int rest = argc - separator - 1;
  if (rest <= 0 || rest % 2 != 0) return false;
  auto text = [&](int i, std::string* s) {
    if (sqlite3_value_type(argv[i]) != SQLITE_TEXT) return false;
    std::optional<std::string_view> v = ArgText(argv[i]);
    if (!v) return false;
    *s = std::string(*v);
    return true;
  };
  if (!text(0, &out->table) || !text(1, &out->order)) return false;
  for (int i = 2; i < separator; ++i) {
    if (!text(i, &out->list.emplace_back())) return false;
  }
  int pk_count = rest / 2;
  for (int i = 0; i < pk_count; ++i) {
    if (!text(separator + 1 + i, &out->pks.emplace_back())) return false;
    out->pk_values.push_back(argv[separator + 1 + pk_count + i]);
  }
  return true;
}

// `<alias>."pk1" = ?1 AND ...`
std::string PkMatch(const FixConflictArgs& a, std::string_view alias) {
  std::vector<std::string> terms;
  for (size_t i = 0; i < a.pks.size(); ++i) {
    terms.push_back(std::string(alias) + QuoteIdent(a.pks[i]) + " = ?" + std::to_string(i + 1));
  }
  return Join(terms, " AND ");
}

// Column i of the current row as text; nullopt for NULL.
std::optional<std::string> ColumnText(const Stmt& stmt, int i) {
  if (sqlite3_column_type(stmt.get(), i) == SQLITE_NULL) return std::nullopt;
  const unsigned char* text = sqlite3_column_text(stmt.get(), i);
  if (!text) throw std::bad_alloc();  // Conversion failed for lack of memory.
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt.get(), i)));
}

void BindPks(const Stmt& stmt, const FixConflictArgs& a) {
  for (size_t i = 0; i < a.pk_values.size(); ++i) {
    sqlite3_bind_value(stmt.get(), static_cast<int>(i + 1), a.pk_values[i]);
  }
}

void FixConflictFunc(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  Guarded(ctx, [&] {
    FixConflictArgs a;
    if (!ParseFixConflictArgs(argc, argv, &a)) return ResultError(ctx, kFixConflictArgs);
    sqlite3* db = sqlite3_context_db_handle(ctx);
    const std::string table = QuoteIdent(a.table);
    const std::string o = QuoteIdent(a.order);
    const size_t target_slot = a.pks.size() + 1;
    std::string err;
    int rc = SQLITE_OK;
    auto fail = [&] {
      if (err.empty()) err = sqlite3_errmsg(db);
      ResultError(ctx, err);
    };

    // 1. The key K of the row to place after.
    Stmt select = Prepare(
        db, "SELECT t." + o + " FROM " + table + " AS t WHERE " + PkMatch(a, "t."), &rc, &err);
    if (!select) return fail();
    BindPks(select, a);
    rc = sqlite3_step(select.get());
    if (rc == SQLITE_DONE) {
      return ResultError(ctx, "crsql_fract_fix_conflict_return_old_key - no row to place after");
    }
    if (rc != SQLITE_ROW) return fail();
    std::optional<std::string> key = ColumnText(select, 0);
    select = Stmt();
    if (!key) {
      return ResultError(ctx, "crsql_fract_fix_conflict_return_old_key - the row has no key");
    }

    // 2. The greatest placed key of the same list below K.
    std::vector<std::string> same_list;
    for (const std::string& col : a.list) {
      same_list.push_back("t." + QuoteIdent(col) + " IS r." + QuoteIdent(col));
    }
    Stmt prev_stmt =
        Prepare(db,
                "SELECT max(t." + o + " COLLATE BINARY) FROM " + table + " AS t JOIN " + table +
                    " AS r ON " + (same_list.empty() ? "1" : Join(same_list, " AND ")) + " WHERE " +
                    PkMatch(a, "r.") + " AND typeof(t." + o + ") = 'text' AND CAST(t." + o +
                    " AS INTEGER) NOT IN (-1, 1) AND t." + o + " COLLATE BINARY < ?" +
                    std::to_string(target_slot),
                &rc, &err);
    if (!prev_stmt) return fail();
    BindPks(prev_stmt, a);
    sqlite3_bind_text(prev_stmt.get(), static_cast<int>(target_slot), key->data(),
                      static_cast<int>(key->size()), SQLITE_TRANSIENT);
    rc = sqlite3_step(prev_stmt.get());
    if (rc != SQLITE_ROW) return fail();
    std::optional<std::string> prev = ColumnText(prev_stmt, 0);
    prev_stmt = Stmt();

    // 3. Move the row down, then hand out the gap it left above itself.
    FractKeyResult moved = KeyBetween(prev, *key);
    if (!moved.ok) return ResultError(ctx, moved.value);
    FractKeyResult result = KeyBetween(moved.value, *key);
    if (!result.ok) return ResultError(ctx, result.value);
    Stmt update = Prepare(db,
                          "UPDATE " + table + " SET " + o + " = ?" + std::to_string(target_slot) +
                              " WHERE " + PkMatch(a, table + "."),
                          &rc, &err);
    if (!update) return fail();
    BindPks(update, a);
    sqlite3_bind_text(update.get(), static_cast<int>(target_slot), moved.value.data(),
                      static_cast<int>(moved.value.size()), SQLITE_TRANSIENT);
    rc = sqlite3_step(update.get());
    if (rc != SQLITE_DONE) return fail();
    sqlite3_result_text(ctx, result.value.data(), static_cast<int>(result.value.size()),
                        SQLITE_TRANSIENT);
  });
}

}  // namespace

int RegisterFractIndexFunctions(sqlite3* db) {
  int rc = sqlite3_create_function_v2(db, "crsql_fract_key_between", 2,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                      nullptr, KeyBetweenFunc, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function_v2(db, "crsql_fract_as_ordered", -1,
                                    SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr, AsOrderedFunc,
                                    nullptr, nullptr, nullptr);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function_v2(db, "crsql_fract_fix_conflict_return_old_key", -1,
                                    SQLITE_UTF8 | SQLITE_INNOCUOUS, nullptr, FixConflictFunc,
                                    nullptr, nullptr, nullptr);
  }
  return rc;
}

}  // namespace crsync::crsqlite
