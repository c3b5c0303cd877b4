// crsqlite-bench: runs the same workloads on crsync's CRR engine and on plain SQLite tables in
// one process and prints times, throughputs and CRR/plain ratios next to the numbers measured on
// the real cr-sqlite 0.16.3 (native) and the targets. Workloads (see workloads.h):
//   1 bulk insert of N rows in one transaction      2 M single-row autocommit inserts
//   3 pull the whole change feed                     4 merge that feed into a fresh peer
//   5 metadata size per row (after VACUUM; dbstat breakdown where available)
// Each timed figure is the best of --reps runs on fresh databases. The program is bounded by
// its sizes (defaults: N = 100,000, M = 10,000, 3 reps) and never asserts on time; a failing
// workload prints its error in place of the number and the program exits 1 at the end.
#include <sqlite3.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "bench_db.h"
#include "report.h"
#include "workloads.h"

namespace crsync::bench {
namespace {

// Measured on the real cr-sqlite 0.16.3 native build on this machine (from the issue).
constexpr double kRefBulkRatio = 16.0;
constexpr double kRefPullPerSec = 490000;
constexpr double kRefMergePerSec = 117000;
// Targets for crsync.
constexpr double kTargetBulkRatio = 3.0;
constexpr double kTargetPullPerSec = 2000000;
constexpr double kTargetMergePerSec = 1000000;

struct Options {
  int64_t rows = 100000;
  int64_t single = 10000;
  int reps = 3;
  std::vector<Storage> storages = {Storage::kFile, Storage::kMemory};
  std::string extension;
  std::string summary_path;
  std::string temp_dir;
};

void Usage() {
  std::fprintf(stderr,
               "usage: crsqlite-bench [--rows N] [--single N] [--reps N] "
               "[--storage file|memory|both] [--extension PATH] [--summary FILE] "
               "[--temp-dir DIR]\n"
               "  --extension PATH  load a crsqlite extension file instead of the linked engine\n"
               "  --summary FILE    append key=value results (used by bench/run.sh)\n");
}

bool ParseOptions(int argc, char** argv, Options* opt) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (arg == "--rows" && (v = next())) {
      opt->rows = std::atoll(v);
    } else if (arg == "--single" && (v = next())) {
      opt->single = std::atoll(v);
    } else if (arg == "--reps" && (v = next())) {
      opt->reps = std::atoi(v);
    } else if (arg == "--storage" && (v = next())) {
      std::string s = v;
      if (s == "file") {
        opt->storages = {Storage::kFile};
      } else if (s == "memory") {
        opt->storages = {Storage::kMemory};
      } else if (s == "both") {
        opt->storages = {Storage::kFile, Storage::kMemory};
      } else {
        return false;
      }
    } else if (arg == "--extension" && (v = next())) {
      opt->extension = v;
    } else if (arg == "--summary" && (v = next())) {
      opt->summary_path = v;
    } else if (arg == "--temp-dir" && (v = next())) {
      opt->temp_dir = v;
    } else {
      return false;
    }
  }
  return opt->rows > 0 && opt->single > 0 && opt->reps > 0;
}

// Best (minimum) of several timings; NaN until one is taken.
struct Best {
  double seconds = std::numeric_limits<double>::quiet_NaN();
  void Take(double s) {
    if (std::isnan(seconds) || s < seconds) seconds = s;
  }
  bool ok() const { return !std::isnan(seconds); }
};

// Runs all workloads on one kind of storage, prints its table, records the summary.
// Returns false when any workload failed.
bool RunStorage(const Options& opt, const BenchEnv& env, Storage storage, Summary* summary) {
  const std::string key =
      std::string("ours.") + (storage == Storage::kFile ? "file" : "memory") + ".";
  const double rows = static_cast<double>(opt.rows);
  std::vector<std::string> errors;
  auto fail = [&](const char* workload, const std::exception& e) {
    errors.push_back(std::string(workload) + ": " + e.what());
    return "error (see below)";
  };

  Table table(
      {"workload", "plain SQLite", "CRR (crsync)", "CRR/plain", "real 0.16.3 native", "target"});

  // 1: bulk insert in one transaction. The last repetition's databases feed workloads 3-5.
  std::unique_ptr<Db> plain_db, crr_db;
  Best plain_bulk, crr_bulk;
  std::string crr_cell;
  for (int rep = 0; rep < opt.reps; ++rep) {
    plain_db.reset();  // close before OpenFresh deletes its files
    plain_db = std::make_unique<Db>(OpenFresh(env, storage, "bulk_plain", false));
    plain_bulk.Take(InsertRows(*plain_db, opt.rows, true));
    try {
      crr_db.reset();
      crr_db = std::make_unique<Db>(OpenFresh(env, storage, "bulk_crr", true));
      crr_bulk.Take(InsertRows(*crr_db, opt.rows, true));
    } catch (const BenchError& e) {
      crr_cell = fail("1 bulk insert", e);
      crr_db.reset();
      break;
    }
  }
  {
    std::string plain_cell = FormatSeconds(plain_bulk.seconds) + " (" +
                             FormatRate(rows, plain_bulk.seconds, "rows") + ")";
    std::string ratio = "-";
    if (crr_bulk.ok()) {
      crr_cell =
          FormatSeconds(crr_bulk.seconds) + " (" + FormatRate(rows, crr_bulk.seconds, "rows") + ")";
      ratio = FormatRatio(crr_bulk.seconds / plain_bulk.seconds);
      summary->Add(key + "bulk_crr_s", crr_bulk.seconds);
      summary->Add(key + "bulk_ratio", crr_bulk.seconds / plain_bulk.seconds);
    }
    summary->Add(key + "bulk_plain_s", plain_bulk.seconds);
    table.AddRow({"1 bulk insert " + FormatCount(opt.rows) + " rows, 1 tx", plain_cell, crr_cell,
                  ratio, std::to_string(static_cast<int>(kRefBulkRatio)) + "x slower",
                  "<= " + FormatRatio(kTargetBulkRatio)});
  }

  // 2: single-row autocommit transactions.
  {
    Best plain_single, crr_single;
    std::string crr_cell2;
    for (int rep = 0; rep < opt.reps; ++rep) {
      Db plain = OpenFresh(env, storage, "single_plain", false);
      plain_single.Take(InsertRows(plain, opt.single, false));
      try {
        Db crr = OpenFresh(env, storage, "single_crr", true);
        crr_single.Take(InsertRows(crr, opt.single, false));
      } catch (const BenchError& e) {
        crr_cell2 = fail("2 single-row tx", e);
        break;
      }
    }
    const double n = static_cast<double>(opt.single);
    std::string ratio = "-";
    if (crr_single.ok()) {
      crr_cell2 =
          FormatSeconds(crr_single.seconds) + " (" + FormatRate(n, crr_single.seconds, "tx") + ")";
      ratio = FormatRatio(crr_single.seconds / plain_single.seconds);
      summary->Add(key + "single_crr_s", crr_single.seconds);
      summary->Add(key + "single_ratio", crr_single.seconds / plain_single.seconds);
    }
    summary->Add(key + "single_plain_s", plain_single.seconds);
    table.AddRow({"2 " + FormatCount(opt.single) + " single-row autocommit tx",
                  FormatSeconds(plain_single.seconds) + " (" +
                      FormatRate(n, plain_single.seconds, "tx") + ")",
                  crr_cell2, ratio, "-", "-"});
  }

  // 3: pull the change feed (needs the CRR database of workload 1).
  std::string pull_note;
  if (crr_db) {
    Best pull;
    int64_t changes = 0;
    std::string cell;
    try {
      for (int rep = 0; rep < opt.reps; ++rep) {
        PullResult r = PullChanges(*crr_db);
        pull.Take(r.seconds);
        changes = r.changes;
      }
      cell = FormatSeconds(pull.seconds) + " (" +
             FormatRate(static_cast<double>(changes), pull.seconds, "changes") + ")";
      summary->Add(key + "pull_changes_per_s", changes / pull.seconds);
      if (changes != opt.rows * kValueColumns) {
        pull_note = "  note: pulled " + FormatCount(changes) + " changes, expected " +
                    FormatCount(opt.rows * kValueColumns) + "\n";
      }
    } catch (const BenchError& e) {
      cell = fail("3 pull", e);
    }
    table.AddRow({"3 pull crsql_changes (" + FormatCount(changes) + " changes)", "-", cell, "-",
                  FormatRate(kRefPullPerSec, 1.0, "changes"),
                  ">= " + FormatRate(kTargetPullPerSec, 1.0, "changes")});
  }

  // 4: merge the whole feed into a fresh CRR peer in one transaction.
  std::string merge_note;
  if (crr_db) {
    std::string cell;
    try {
      ChangeSet changes;
      changes.Collect(*crr_db);
      Best merge;
      std::string peer_check;
      for (int rep = 0; rep < opt.reps; ++rep) {
        Db peer = OpenFresh(env, storage, "merge_peer", true);
        merge.Take(MergeChanges(peer, changes));
        if (rep == 0) {
          const std::string digest =
              std::string(
                  "SELECT count(*) * 1000003 + sum(a) + sum(length(b)) + CAST(total(c) "
                  "AS INTEGER) FROM ") +
              kTableName;
          if (peer.QueryInt(digest) != crr_db->QueryInt(digest)) {
            merge_note = "  WARNING: the merged peer's rows differ from the source's\n";
          }
        }
      }
      const double n = static_cast<double>(changes.size());
      cell = FormatSeconds(merge.seconds) + " (" + FormatRate(n, merge.seconds, "changes") + ")";
      summary->Add(key + "merge_changes_per_s", n / merge.seconds);
    } catch (const BenchError& e) {
      cell = fail("4 merge", e);
    }
    table.AddRow({"4 merge into fresh peer, 1 tx", "-", cell, "-",
                  FormatRate(kRefMergePerSec, 1.0, "changes"),
                  ">= " + FormatRate(kTargetMergePerSec, 1.0, "changes")});
  }

  // 5: metadata size (after VACUUM) relative to the plain table with the same rows.
  if (crr_db) {
    try {
      SpaceUsage plain = MeasureSpace(*plain_db);
      SpaceUsage crr = MeasureSpace(*crr_db);
      const double per_row = static_cast<double>(crr.total_bytes - plain.total_bytes) / rows;
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.1f B/row", per_row);
      table.AddRow({"5 db size after VACUUM (page_count*page_size)",
                    FormatCount(plain.total_bytes) + " B", FormatCount(crr.total_bytes) + " B",
                    FormatRatio(static_cast<double>(crr.total_bytes) / plain.total_bytes), "-",
                    "-"});
      table.AddRow({"  metadata bytes/row = size delta / rows", "-", buf, "-", "wasm ref: run.sh",
                    "<= real"});
      summary->Add(key + "meta_bytes_per_row_pages", per_row);
      summary->Add(key + "crr_db_bytes", static_cast<double>(crr.total_bytes));
      summary->Add(key + "plain_db_bytes", static_cast<double>(plain.total_bytes));
      if (crr.has_dbstat) {
        const double dbstat_per_row =
            static_cast<double>(crr.metadata_bytes - plain.metadata_bytes) / rows;
        const double fraction = static_cast<double>(crr.metadata_bytes - plain.metadata_bytes) /
                                static_cast<double>(crr.table_bytes);
        std::snprintf(buf, sizeof buf, "%.1f B/row (%.0f%% of data)", dbstat_per_row,
                      fraction * 100);
        table.AddRow({"  dbstat: bytes outside the items b-tree",
                      FormatCount(plain.metadata_bytes) + " B",
                      FormatCount(crr.metadata_bytes) + " B", "-", "-", "-"});
        table.AddRow({"  metadata bytes/row by dbstat", "-", buf, "-", "-", "-"});
        summary->Add(key + "meta_bytes_per_row_dbstat", dbstat_per_row);
        summary->Add(key + "meta_fraction_of_data", fraction);
      }
    } catch (const BenchError& e) {
      table.AddRow({"5 metadata size", "-", fail("5 metadata", e), "-", "-", "-"});
    }
  }

  std::printf("\n== storage: %s ==\n", StorageName(storage));
  table.Print(stdout);
  std::printf("%s%s", pull_note.c_str(), merge_note.c_str());
  for (const std::string& e : errors) std::printf("  error in %s\n", e.c_str());
  std::fflush(stdout);
  return errors.empty();
}

int Main(int argc, char** argv) {
  Options opt;
  if (!ParseOptions(argc, argv, &opt)) {
    Usage();
    return 2;
  }
  BenchEnv env;
  env.engine.extension_path = opt.extension;
  bool own_temp = opt.temp_dir.empty();
  if (own_temp) {
    char tmpl[] = "/tmp/crsqlite-bench-XXXXXX";
    if (!mkdtemp(tmpl)) {
      std::perror("mkdtemp");
      return 1;
    }
    env.temp_dir = tmpl;
  } else {
    env.temp_dir = opt.temp_dir;
    std::filesystem::create_directories(env.temp_dir);
  }

  std::printf("crsqlite-bench: crsync CRR engine vs plain SQLite tables\n");
  std::printf("  SQLite %s; engine: %s\n", sqlite3_libversion(),
              opt.extension.empty() ? "crsqlite_core (statically linked)" : opt.extension.c_str());
  std::printf(
      "  table: items(id INTEGER PRIMARY KEY NOT NULL, a INTEGER, b TEXT[20 chars], c REAL)"
      "\n  rows=%s single-row tx=%s; each time is the best of %d runs on fresh databases\n",
      FormatCount(opt.rows).c_str(), FormatCount(opt.single).c_str(), opt.reps);
  std::printf("  file databases in %s use PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL\n",
              env.temp_dir.c_str());
  std::printf(
      "  'real 0.16.3 native' = cr-sqlite 0.16.3 measured natively on this machine "
      "(issue figures)\n");

  Summary summary;
  bool ok = true;
  for (Storage storage : opt.storages) {
    try {
      ok = RunStorage(opt, env, storage, &summary) && ok;
    } catch (const BenchError& e) {
      std::printf("\n== storage: %s ==\n  fatal: %s\n", StorageName(storage), e.what());
      ok = false;
    }
  }
  summary.Write(opt.summary_path);
  if (own_temp) std::filesystem::remove_all(env.temp_dir);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace crsync::bench

int main(int argc, char** argv) { return crsync::bench::Main(argc, argv); }
