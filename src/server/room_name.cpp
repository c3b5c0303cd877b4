// ValidateRoomName (see room_name.h): the rules that keep a room name a plain file name.
#include "server/room_name.h"

#include "common/utf8.h"

namespace crsync::server {
namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// C0 controls, DEL and the C1 controls (U+0080..U+009F, encoded c2 80..c2 9f).
bool HasControlCharacter(std::string_view room) {
  for (size_t i = 0; i < room.size(); ++i) {
    const auto byte = static_cast<unsigned char>(room[i]);
    if (byte < 0x20 || byte == 0x7f) return true;
    if (byte == 0xc2 && i + 1 < room.size()) {
      const auto next = static_cast<unsigned char>(room[i + 1]);
      if (next >= 0x80 && next <= 0x9f) return true;
    }
  }
  return false;
}

}  // namespace

Status ValidateRoomName(std::string_view room) {
  if (room.empty()) return Status::InvalidArgument("invalid room name: empty");
  if (room.size() > kMaxRoomNameBytes) {
    return Status::InvalidArgument("invalid room name: longer than " +
                                   std::to_string(kMaxRoomNameBytes) + " bytes");
  }
  if (room == kMemoryRoomName) return Status();
  if (!IsValidUtf8(room)) return Status::InvalidArgument("invalid room name: not valid UTF-8");
  if (HasControlCharacter(room)) {
    return Status::InvalidArgument("invalid room name: control characters are not allowed");
  }
  if (room.find_first_of("/\\:") != std::string_view::npos) {
    return Status::InvalidArgument("invalid room name: '/', '\\' and ':' are not allowed");
  }
  if (room.front() == '.' || room.find("..") != std::string_view::npos) {
    return Status::InvalidArgument("invalid room name: leading '.' and '..' are not allowed");
  }
  for (std::string_view suffix : {"-wal", "-shm", "-journal"}) {
    if (EndsWith(room, suffix)) {
      return Status::InvalidArgument("invalid room name: must not end with " +
                                     std::string(suffix));
    }
  }
  return Status();
}

}  // namespace crsync::server
