// libFuzzer target for protocol::Decode (src/protocol/codec.h), the parser of every byte a sync
// peer sends us.
//
// Input: one WebSocket message, as is (the seed corpus in corpus/protocol_decode/ holds the
// golden vectors of sync-protocol-vectors.json). Checks, beyond "no crash, no sanitizer report,
// no unbounded allocation": when Decode accepts the bytes, the message is canonical-encodable
// (Validate is OK), Encode(message) decodes to the same message and is a fixed point of
// Decode+Encode, and it is never longer than the input minus its trailing bytes (re-encoding
// only ever shortens non-minimal varints). Refusal must not depend on the trailing-bytes option
// except through trailing bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "protocol/codec.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crsync::protocol;
  const std::span<const uint8_t> input(data, size);
  DecodeInfo info;
  auto message = Decode(input, {}, &info);

  DecodeOptions strict;
  strict.allow_trailing_bytes = false;
  auto strict_message = Decode(input, strict);
  Check(strict_message.ok() == (message.ok() && info.trailing_bytes == 0));
  if (!message.ok()) return 0;

  Check(Validate(*message).ok());
  const std::vector<uint8_t> encoded = Encode(*message);
  Check(encoded.size() <= size - info.trailing_bytes);
  Check(!encoded.empty() && encoded[0] == data[0]);

  DecodeInfo again_info;
  auto again = Decode(encoded, strict, &again_info);
  Check(again.ok());
  Check(again_info.trailing_bytes == 0);
  Check(*again == *message);
  Check(Encode(*again) == encoded);
  return 0;
}
