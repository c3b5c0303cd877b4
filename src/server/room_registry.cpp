// RoomRegistry (see room_registry.h): reference-counted rooms by name.
#include "server/room_registry.h"

#include "server/room.h"

namespace crsync::server {

RoomRegistry::RoomRegistry(net::EventLoop& loop, const RoomServices& services)
    : loop_(loop), services_(services) {}

RoomRegistry::~RoomRegistry() = default;

std::shared_ptr<Room> RoomRegistry::Acquire(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  Entry& entry = rooms_[name];
  if (!entry.room) entry.room = std::make_shared<Room>(name, loop_.MakeStrand(), services_, *this);
  ++entry.references;
  return entry.room;
}

bool RoomRegistry::Release(const Room& room) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = rooms_.find(room.name());
  if (it == rooms_.end() || it->second.room.get() != &room) return false;
  if (--it->second.references > 0) return false;
  rooms_.erase(it);
  return true;
}

std::size_t RoomRegistry::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rooms_.size();
}

std::vector<std::shared_ptr<Room>> RoomRegistry::TakeAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::shared_ptr<Room>> rooms;
  for (auto& [name, entry] : rooms_) rooms.push_back(std::move(entry.room));
  rooms_.clear();
  return rooms;
}

}  // namespace crsync::server
