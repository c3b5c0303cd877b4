// `crsync`: the command-line sync client (docs/client.md). Parses flags with CLI11 and runs one
// of the subcommands in commands.h; everything else lives in src/client.
#include <CLI/CLI.hpp>
#include <string>

#include "commands.h"
#include "exit_codes.h"

namespace {

constexpr const char* kExitCodesHelp =
    "Exit codes: 0 ok (up to date with --once, or stopped by SIGINT/SIGTERM), 1 other failure,\n"
    "2 usage, 3 auth refused (HTTP 401/403), 4 refused by the server (schema mismatch, close\n"
    "1008, HTTP 400/404), 5 local database or schema file error, 6 --once timed out.";

}  // namespace

int main(int argc, char** argv) {
  using crsync::cli::SyncCommand;
  CLI::App app{
      "crsync: keep a local SQLite file (cr-sqlite compatible) in sync with a vlcn "
      "WebSocket sync server"};
  app.footer(kExitCodesHelp);
  app.require_subcommand(1);

  SyncCommand sync;
  CLI::App* sync_app = app.add_subcommand(
      "sync", "Sync --db with --room at --url both ways until SIGINT/SIGTERM (or --once)");
  sync_app->add_option("--db", sync.db, "Local database file (created if missing)")->required();
  sync_app->add_option("--url", sync.url, "Server URL, e.g. ws://127.0.0.1:8080/sync")->required();
  sync_app->add_option("--room", sync.room, "Room name")->required();
  sync_app->add_option("--token", sync.token, "Auth token sent in the subprotocol header");
  sync_app
      ->add_option("--schema", sync.schema_file,
                   "Schema file to apply/migrate first (its file name is the schema name)")
      ->check(CLI::ExistingFile);
  sync_app->add_flag("--once", sync.once, "Exit 0 as soon as both sides are up to date");
  sync_app
      ->add_option("--timeout", sync.timeout_seconds,
                   "With --once: give up (exit 6) after this many seconds (0: never)")
      ->check(CLI::NonNegativeNumber);
  sync_app
      ->add_option("--quiet-ms", sync.quiet_ms,
                   "Up to date needs this long without incoming changes")
      ->check(CLI::Range(0, 600'000));
  sync_app->add_option("--reconnect-min-ms", sync.reconnect_min_ms, "First reconnect delay")
      ->check(CLI::Range(1, 3'600'000));
  sync_app->add_option("--reconnect-max-ms", sync.reconnect_max_ms, "Largest reconnect delay")
      ->check(CLI::Range(1, 3'600'000));
  sync_app->add_flag("-q,--quiet", sync.quiet_output, "Print errors only");
  sync_app->footer(kExitCodesHelp);

  std::string info_db;
  CLI::App* info_app = app.add_subcommand(
      "info", "Show site id, db_version, CRR tables, tracked peers and schema of --db");
  info_app->add_option("--db", info_db, "Local database file")
      ->required()
      ->check(CLI::ExistingFile);

  std::string exec_db;
  std::string exec_sql;
  CLI::App* exec_app = app.add_subcommand(
      "exec", "Run SQL on --db with the crsqlite engine loaded and print the rows");
  exec_app->add_option("--db", exec_db, "Local database file (created if missing)")->required();
  exec_app->add_option("sql", exec_sql, "SQL (one or more statements)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return crsync::cli::kExitUsage;
  }
  if (sync_app->parsed()) return crsync::cli::RunSync(sync);
  if (info_app->parsed()) return crsync::cli::RunInfo(info_db);
  if (exec_app->parsed()) return crsync::cli::RunExec(exec_db, exec_sql);
  return crsync::cli::kExitUsage;
}
