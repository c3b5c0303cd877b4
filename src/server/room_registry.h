// RoomRegistry: the open rooms of a server, by name, with one reference per connection.
//
// Acquire (on any thread, from the WebSocket open handler) returns the room for a name,
// creating it with its own strand when none is open, and counts one reference. Release (from the
// room's strand, once a connection has left the room) drops it; the call that drops the last
// reference also removes the room from the map and returns true, and the caller then closes the
// room's database. A later Acquire of the same name creates a new Room (a new incarnation: for
// in-memory rooms, a new database and site id, as in the reference, D17).
//
// Threading: all methods are thread-safe (one mutex, held only for map operations).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/event_loop.h"

namespace crsync::server {

class Room;
struct RoomServices;

class RoomRegistry {
 public:
  // loop and services must outlive the registry and every room.
  RoomRegistry(net::EventLoop& loop, const RoomServices& services);
  ~RoomRegistry();
  RoomRegistry(const RoomRegistry&) = delete;
  RoomRegistry& operator=(const RoomRegistry&) = delete;

  // The open room called name (created if needed), with one more reference.
  std::shared_ptr<Room> Acquire(const std::string& name);
  // Drops one reference of room; true when it was the last (room is no longer registered).
  bool Release(const Room& room);

  // Number of rooms registered.
  std::size_t size() const;
  // Forgets every room (after the loop stopped; the rooms close as their last owner goes).
  std::vector<std::shared_ptr<Room>> TakeAll();

 private:
  struct Entry {
    std::shared_ptr<Room> room;
    std::size_t references = 0;
  };
  net::EventLoop& loop_;
  const RoomServices& services_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> rooms_;  // guarded by mutex_
};

}  // namespace crsync::server
