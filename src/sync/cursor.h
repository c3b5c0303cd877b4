// Cursor arithmetic of the sync session (sync-protocol.md §4.2).
//
// A cursor is the pair [db_version, seq] of protocol::Cursor, ordered lexicographically. The
// contiguity rule of every receiver is "a Changes message from X is accepted when
// msg.since <= last_seen[X]"; these helpers keep that comparison in one place. Pure functions.
#pragma once

#include <compare>

#include "protocol/message.h"

namespace crsync::sync {

// Lexicographic order on (db_version, seq).
inline std::strong_ordering CompareCursors(const protocol::Cursor& a, const protocol::Cursor& b) {
  if (auto c = a.db_version <=> b.db_version; c != 0) return c;
  return a.seq <=> b.seq;
}

inline bool CursorLess(const protocol::Cursor& a, const protocol::Cursor& b) {
  return CompareCursors(a, b) < 0;
}

inline const protocol::Cursor& MaxCursor(const protocol::Cursor& a, const protocol::Cursor& b) {
  return CursorLess(a, b) ? b : a;
}

}  // namespace crsync::sync
