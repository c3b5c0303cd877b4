// LoadServerConfig: flags > environment > config file > defaults, and clear errors.
#include "server/server_config.h"

#include <gtest/gtest.h>

#include <map>

#include "unit/net/net_test_util.h"

namespace crsync::server {
namespace {

using Env = std::map<std::string, std::string, std::less<>>;

Result<ServerConfig> Load(std::vector<std::string> args, Env env = {}) {
  return LoadServerConfig(args, [env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
}

TEST(ServerConfig, Defaults) {
  auto config = Load({});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(8080, config->server.port);
  EXPECT_EQ("127.0.0.1", config->server.host);
  EXPECT_EQ("/sync", config->server.sync_path);
  EXPECT_EQ("", config->server.db_folder);
  EXPECT_FALSE(config->help);
  EXPECT_EQ(size_t{512} << 10, config->server.send_queue_bytes);
}

TEST(ServerConfig, SendQueueBytes) {
  auto config = Load({"--send-queue-bytes", "65536"});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(65536u, config->server.send_queue_bytes);
  auto env = Load({}, {{"CRSYNC_SEND_QUEUE_BYTES", "1048576"}});
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(1048576u, env->server.send_queue_bytes);
  EXPECT_NE(std::string::npos,
            Load({"--send-queue-bytes", "100"}).status().message().find("send-queue-bytes"));
}

TEST(ServerConfig, FlagsBeatEnvironmentWhichBeatsTheFile) {
  net::testing::TempDir dir;
  dir.Write("c.json", R"({"port": 9000, "host": "0.0.0.0", "db_folder": "/from/file",
                          "schema-folder": "/schemas", "ping-interval-ms": 1000})");
  const std::string file = (dir.path() / "c.json").string();
  auto config = Load({"--config", file, "--port=0", "--threads", "3"},
                     {{"CRSYNC_PORT", "7000"}, {"CRSYNC_DB_FOLDER", "/from/env"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(0, config->server.port);                  // flag
  EXPECT_EQ("/from/env", config->server.db_folder);   // env over file
  EXPECT_EQ("0.0.0.0", config->server.host);          // file
  EXPECT_EQ("/schemas", config->server.schema_folder);
  EXPECT_EQ(std::chrono::milliseconds(1000), config->server.ping_interval);
  EXPECT_EQ(3u, config->server.threads);
  // CRSYNC_CONFIG names the file when --config does not.
  auto from_env = Load({}, {{"CRSYNC_CONFIG", file}});
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(9000, from_env->server.port);
}

TEST(ServerConfig, ErrorsNameTheSetting) {
  EXPECT_NE(std::string::npos, Load({"--bogus", "1"}).status().message().find("--bogus"));
  EXPECT_NE(std::string::npos, Load({"--port", "70000"}).status().message().find("port"));
  EXPECT_NE(std::string::npos, Load({"--port"}).status().message().find("needs a value"));
  EXPECT_NE(std::string::npos, Load({"--log-level", "loud"}).status().message().find("loud"));
  EXPECT_NE(std::string::npos,
            Load({"--config", "/nonexistent/c.json"}).status().message().find("cannot read"));
  net::testing::TempDir dir;
  dir.Write("bad.json", R"({"prot": 1})");
  EXPECT_NE(std::string::npos, Load({"--config", (dir.path() / "bad.json").string()})
                                   .status()
                                   .message()
                                   .find("unknown key 'prot'"));
  // An empty secret or key file must not silently turn auth off.
  EXPECT_NE(std::string::npos,
            Load({"--jwt-secret", ""}).status().message().find("secret is empty"));
  EXPECT_FALSE(Load({}, {{"CRSYNC_JWT_SECRET", ""}}).ok());
  dir.Write("empty.pem", "");
  EXPECT_NE(std::string::npos, Load({"--jwt-public-key", (dir.path() / "empty.pem").string()})
                                   .status()
                                   .message()
                                   .find("is empty"));
  EXPECT_TRUE(Load({"--help"})->help);
  EXPECT_NE(std::string::npos, ServerUsage().find("--db-folder DIR"));
}

}  // namespace
}  // namespace crsync::server
