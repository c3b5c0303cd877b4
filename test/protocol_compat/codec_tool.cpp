// protocol-codec-tool: a line-oriented bridge from the Node round-trip test (roundtrip.test.mjs)
// to our sync codec (src/protocol/codec.h), so the real @vlcn.io/ws-common can be checked
// against it message by message.
//
// Reads commands from stdin, one per line, and writes one JSON line per command to stdout:
//   decode <hex>   -> {"ok":true,"message":<json>,"hex":"<Encode(Decode(bytes))>","trailing":N}
//   encode <json>  -> {"ok":true,"hex":"<Encode(message)>","valid":true|false}
//   (any failure)  -> {"ok":false,"code":"<status code>","error":"<message>"}
// <json> is a message in the value-typing convention of sync-protocol-vectors.json
// (see message_json.h). Blank lines are skipped. Exit status 0 unless stdin/stdout fail.
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/hex.h"
#include "protocol/codec.h"
#include "protocol_compat/message_json.h"

namespace {

using nlohmann::json;

json Failure(const crsync::Status& status) {
  return {{"ok", false},
          {"code", std::string(crsync::StatusCodeName(status.code()))},
          {"error", status.message()}};
}

json DecodeCommand(const std::string& hex) {
  auto bytes = crsync::HexDecode(hex);
  if (!bytes.ok()) return Failure(bytes.status());
  crsync::protocol::DecodeInfo info;
  auto message = crsync::protocol::Decode(*bytes, {}, &info);
  if (!message.ok()) return Failure(message.status());
  return {{"ok", true},
          {"message", crsync::protocol_json::MessageToJson(*message)},
          {"hex", crsync::HexEncode(crsync::protocol::Encode(*message))},
          {"trailing", info.trailing_bytes}};
}

json EncodeCommand(const std::string& text) {
  const json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Failure(crsync::Status::InvalidArgument("unparsable JSON"));
  }
  auto message = crsync::protocol_json::MessageFromJson(parsed);
  if (!message.ok()) return Failure(message.status());
  return {{"ok", true},
          {"hex", crsync::HexEncode(crsync::protocol::Encode(*message))},
          {"valid", crsync::protocol::Validate(*message).ok()}};
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const size_t space = line.find(' ');
    const std::string command = line.substr(0, space);
    const std::string argument = space == std::string::npos ? "" : line.substr(space + 1);
    json reply;
    if (command == "decode") {
      reply = DecodeCommand(argument);
    } else if (command == "encode") {
      reply = EncodeCommand(argument);
    } else {
      reply = Failure(crsync::Status::InvalidArgument("unknown command \"" + command + "\""));
    }
    std::cout << reply.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  std::cout.flush();
  return std::cout.good() ? 0 : 1;
}
