// Loads /work/shared/spec/sync-protocol-vectors.json (the golden vectors of the sync protocol,
// encoded by the real @vlcn.io/ws-common 0.2.0) for the protocol tests. Header-only test support.
#pragma once

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/hex.h"

#ifndef CRSYNC_SHARED_SPEC_DIR
#error "CRSYNC_SHARED_SPEC_DIR must name the shared spec folder"
#endif

namespace crsync::testing {

struct GoldenVector {
  std::string name;
  nlohmann::json message;  // value-typed JSON, see test/protocol_compat/message_json.h
  std::vector<uint8_t> bytes;
  nlohmann::json raw;  // the whole entry (length, layout, ...)
};

inline std::string GoldenVectorsPath() {
  return std::string(CRSYNC_SHARED_SPEC_DIR) + "/sync-protocol-vectors.json";
}

// All vectors in file order; empty when the file is missing or unreadable (tests then fail on
// the count).
inline const std::vector<GoldenVector>& GoldenVectors() {
  static const std::vector<GoldenVector>* vectors = [] {
    auto* out = new std::vector<GoldenVector>();
    std::ifstream in(GoldenVectorsPath());
    if (!in) return out;
    const nlohmann::json all = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!all.is_array()) return out;
    for (const nlohmann::json& entry : all) {
      auto bytes = HexDecode(entry.value("hex", ""));
      out->push_back({entry.value("name", ""), entry.value("message", nlohmann::json()),
                      bytes.ok() ? *bytes : std::vector<uint8_t>{}, entry});
    }
    return out;
  }();
  return *vectors;
}

// Test-name-safe form of a vector name ("val-bigint-above-2^53" -> "val_bigint_above_2_53").
inline std::string SafeTestName(const std::string& name) {
  std::string out;
  for (char c : name) {
    out += ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) ? c : '_';
  }
  return out;
}

}  // namespace crsync::testing
