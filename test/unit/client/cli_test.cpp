// Smoke tests of the `crsync` binary (built next to the test binary): exec, info, sync --once
// against TestSyncServer, exit codes for auth failure and bad flags, and a clean stop on
// SIGTERM. Every run is bounded (--timeout, or a kill after a deadline).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "client_test_util.h"
#include "test_sync_server.h"

extern char** environ;

namespace crsync::client::testing {
namespace {

std::string CliPath() {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "crsync").string();
}

// Quotes s for /bin/sh.
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// Runs crsync with args (already quoted) through the shell; `timeout` bounds it in any case.
RunResult RunCli(const std::string& args) {
  const std::string command = "timeout -s KILL 60 " + Quote(CliPath()) + " " + args + " 2>&1";
  RunResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS todo (id INTEGER PRIMARY KEY NOT NULL, title TEXT);"
    "SELECT crsql_as_crr('todo');";

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(CliPath())) << CliPath() << " was not built";
    ASSERT_EQ(server_.Exec(kSchema), "");
    ASSERT_TRUE(server_.Start().ok());
  }
  std::string SyncArgs(const std::string& db) {
    return "sync --db " + Quote(db) + " --url " + Quote(server_.url()) +
           " --room demo --quiet-ms 100 --reconnect-min-ms 20";
  }
  TempDir dir_;
  TestSyncServer server_;
};

TEST_F(CliTest, ExecAndInfoShowTheDatabase) {
  const std::string db = dir_.File("cli.db");
  RunResult created =
      RunCli("exec --db " + Quote(db) + " " +
             Quote(std::string(kSchema) + "INSERT INTO todo VALUES (1, 'a'), (2, NULL);"));
  ASSERT_EQ(created.exit_code, 0) << created.out;
  RunResult rows = RunCli("exec --db " + Quote(db) + " 'SELECT id, title FROM todo ORDER BY id'");
  EXPECT_EQ(rows.exit_code, 0);
  EXPECT_EQ(rows.out, "1|a\n2|NULL\n");
  RunResult info = RunCli("info --db " + Quote(db));
  EXPECT_EQ(info.exit_code, 0);
  EXPECT_NE(info.out.find("crr_tables: todo\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("db_version: 1\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("tracked_peers: 0\n"), std::string::npos) << info.out;
  RunResult bad_sql = RunCli("exec --db " + Quote(db) + " 'SELEKT 1'");
  EXPECT_EQ(bad_sql.exit_code, 5);
  EXPECT_NE(bad_sql.out.find("syntax error"), std::string::npos) << bad_sql.out;
  EXPECT_EQ(RunCli("info --db " + Quote(dir_.File("missing.db"))).exit_code, 2);
}

TEST_F(CliTest, SyncOnceExitsZeroWhenUpToDate) {
  ASSERT_EQ(server_.Exec("INSERT INTO todo VALUES (1, 'from server')"), "");
  const std::string db = dir_.File("once.db");
  ASSERT_EQ(RunCli("exec --db " + Quote(db) + " " +
                   Quote(std::string(kSchema) + "INSERT INTO todo VALUES (2, 'from cli');"))
                .exit_code,
            0);
  RunResult synced = RunCli(SyncArgs(db) + " --once --timeout 30");
  ASSERT_EQ(synced.exit_code, 0) << synced.out;
  EXPECT_NE(synced.out.find("up to date"), std::string::npos) << synced.out;
  EXPECT_EQ(server_.Query("SELECT count(*) FROM todo"), std::vector<std::string>{"(2)"});
  RunResult rows = RunCli("exec --db " + Quote(db) + " 'SELECT id, title FROM todo ORDER BY id'");
  EXPECT_EQ(rows.out, "1|from server\n2|from cli\n");
  RunResult info = RunCli("info --db " + Quote(db));
  EXPECT_NE(info.out.find("tracked_peers: 1\n  " + server_.SiteIdHex()), std::string::npos)
      << info.out;
}

TEST_F(CliTest, ExitCodesForBadFlagsAuthAndHelp) {
  EXPECT_EQ(RunCli("sync --db x.db --url nope --room r").exit_code, 2);
  EXPECT_EQ(RunCli("sync --db x.db").exit_code, 2);
  EXPECT_EQ(RunCli("frobnicate").exit_code, 2);
  RunResult help = RunCli("sync --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--once"), std::string::npos);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);

  TestSyncServer::Options options;
  options.required_token = "secret";
  TestSyncServer guarded(options);
  ASSERT_TRUE(guarded.Start().ok());
  RunResult refused = RunCli("sync --db " + Quote(dir_.File("auth.db")) + " --url " +
                             Quote(guarded.url()) + " --room r --token nope --once --timeout 30");
  EXPECT_EQ(refused.exit_code, 3) << refused.out;
  EXPECT_NE(refused.out.find("401"), std::string::npos) << refused.out;
  EXPECT_EQ(guarded.upgrade_requests(), 1);
}

TEST_F(CliTest, OnceGivesUpAfterTimeoutWhenTheServerIsDown) {
  const std::string url = server_.url();
  server_.Stop();
  RunResult result = RunCli("sync --db " + Quote(dir_.File("down.db")) + " --url " + Quote(url) +
                            " --room r --once --timeout 0.5 --reconnect-min-ms 20");
  EXPECT_EQ(result.exit_code, 6) << result.out;
  EXPECT_NE(result.out.find("offline"), std::string::npos) << result.out;
}

TEST_F(CliTest, SigtermStopsAContinuousSyncCleanly) {
  const std::string db = dir_.File("daemon.db");
  const std::string cli = CliPath();
  const std::string url = server_.url();
  std::vector<std::string> args = {cli, "sync", "--db", db, "--url", url, "--room", "demo", "-q"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, cli.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  const bool connected = WaitFor([&] { return server_.open_sessions() == 1; });
  ::kill(pid, SIGTERM);
  int status = 0;
  const bool exited = WaitFor([&] { return ::waitpid(pid, &status, WNOHANG) == pid; });
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  EXPECT_TRUE(connected);
  ASSERT_TRUE(exited);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(WaitFor([&] { return server_.open_sessions() == 0; }));
}

}  // namespace
}  // namespace crsync::client::testing
