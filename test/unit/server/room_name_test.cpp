// ValidateRoomName: plain names pass, anything that could escape or alias a file is refused.
#include "server/room_name.h"

#include <gtest/gtest.h>

namespace crsync::server {
namespace {

TEST(RoomName, AcceptsPlainNamesAndTheReferenceMemoryRoom) {
  for (const char* room : {"a", "room-1", "team_a.todo", "é", ">>~", ":memory:", "a.b"}) {
    EXPECT_TRUE(ValidateRoomName(room).ok()) << room;
  }
  EXPECT_TRUE(ValidateRoomName(std::string(kMaxRoomNameBytes, 'x')).ok());
}

TEST(RoomName, RefusesPathsControlCharactersAndSideFileNames) {
  for (const std::string room :
       {std::string(""), std::string("."), std::string(".."), std::string("../x"),
        std::string("a/b"), std::string("a\\b"), std::string(".env"), std::string("a..b"),
        std::string("c:x"), std::string("a\nb"), std::string("a\0b", 3), std::string("\x7f"),
        std::string("\xc2\x85"), std::string("\xff"), std::string("x-wal"), std::string("x-shm"),
        std::string("x-journal"), std::string(kMaxRoomNameBytes + 1, 'x')}) {
    const Status status = ValidateRoomName(room);
    EXPECT_EQ(StatusCode::kInvalidArgument, status.code()) << room;
    EXPECT_EQ(0u, status.message().rfind("invalid room name: ", 0)) << status.message();
  }
}

}  // namespace
}  // namespace crsync::server
