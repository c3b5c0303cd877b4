// Runs server_smoke.sh against the built crsync-server binary (port 0, /healthz, /metrics,
// SIGTERM -> exit 0). Skipped only when the binary is not part of this build.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

TEST(ServerBinary, StartsServesHealthAndStopsCleanlyOnSigterm) {
#ifndef CRSYNC_SERVER_BINARY
  GTEST_SKIP() << "crsync-server is not built in this configuration";
#else
  const std::string command = std::string("bash ") + CRSYNC_SERVER_SMOKE_SCRIPT + " " +
                              CRSYNC_SERVER_BINARY + " " + CRSYNC_DEMO_SCHEMAS + " 2>&1";
  EXPECT_EQ(0, std::system(command.c_str())) << command;
#endif
}

}  // namespace
