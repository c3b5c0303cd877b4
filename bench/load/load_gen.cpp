// crsync-loadgen: the load benchmark's protocol-level clients in C++ (bench/load/load_bench.mjs
// runs it against crsync-server and the real @vlcn.io/ws-server alike; LOAD_GEN=node uses the
// Node clients of load_client.mjs instead). Same workload as load_client.mjs:
//   N clients join one room (subprotocol "room=<room>" as ws-client sends it), announce with
//   the todo schema, wait for StartStreaming; then (saturated) every client sends M single-row
//   transactions back to back (one Changes message each: 3 cells of `todo`, packed text pk,
//   col_version/cl 1, site_id NULL, `since` chained); then (paced) P more rows per client, one
//   every ~100 ms at a random phase. Receiving reads each Changes header's count; observers also
//   decode every message and take, per received row, the delay since its send time (carried in
//   the row's text). Prints one JSON line with the timings; asserts nothing about time.
// Runs its network on one event-loop thread so that it takes as little of a small machine as
// possible from the server under test.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/site_id.h"
#include "net/event_loop.h"
#include "net/ws_client.h"
#include "net/ws_subprotocol.h"
#include "protocol/codec.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using crsync::SiteId;
namespace protocol = crsync::protocol;
namespace net = crsync::net;

const Clock::time_point kEpoch = Clock::now();
double NowMs() { return std::chrono::duration<double, std::milli>(Clock::now() - kEpoch).count(); }

struct Options {
  std::string url;
  std::string room = "load";
  std::string schema_name = "todo.sql";
  int64_t schema_version = 0;
  int clients = 50;
  int rows = 1000;
  int paced = 10;
  int observers = 2;
  int timeout_s = 300;
};

// Packed primary key of one TEXT column (crsqlite-0.16-behaviour.md §11).
std::vector<uint8_t> PackTextPk(const std::string& text) {
  int length_bytes = 0;
  for (size_t n = text.size(); n > 0; n /= 256) ++length_bytes;
  std::vector<uint8_t> out;
  out.reserve(2 + length_bytes + text.size());
  out.push_back(1);
  out.push_back(static_cast<uint8_t>((length_bytes << 3) | 3));
  for (int i = length_bytes - 1; i >= 0; --i) out.push_back((text.size() >> (8 * i)) & 0xff);
  for (char c : text) out.push_back(static_cast<uint8_t>(c));
  return out;
}

// Change count of a Changes frame without decoding it: tag, sender, BigInt64, varint seq, count.
int64_t ChangesCount(std::span<const uint8_t> bytes) {
  size_t at = 1 + 16 + 8;
  while (at < bytes.size() && (bytes[at] & 0x80)) ++at;
  ++at;
  int64_t count = 0;
  for (int shift = 0; at < bytes.size() && shift < 56; shift += 7) {
    const uint8_t b = bytes[at++];
    count |= static_cast<int64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return count;
}

class Client {
 public:
  Client(const Options& options, int index, bool observer, std::mt19937_64& random)
      : options_(options), index_(index), observer_(observer) {
    for (auto& byte : site_) byte = static_cast<uint8_t>(random());
  }

  void Connect(net::EventLoop& loop, const std::string& subprotocol) {
    net::WsClientOptions ws;
    ws.url = options_.url;
    ws.subprotocol = subprotocol;
    net::ConnectWebSocket(
        loop, ws,
        [this](const std::shared_ptr<net::WsConnection>& connection) {
          connection_ = connection;
          protocol::AnnouncePresence announce{site_, {}, options_.schema_name,
                                              options_.schema_version};
          Send(protocol::Encode(announce));
          net::WsHandlers handlers;
          handlers.on_message = [this](std::span<const uint8_t> data, bool) { OnMessage(data); };
          handlers.on_close = [this](const net::WsCloseInfo& info) {
            closed_code_ = info.code == 0 ? 1 : info.code;
          };
          return handlers;
        },
        [this](const crsync::Status& error) {
          std::fprintf(stderr, "client %d: %s\n", index_, error.ToString().c_str());
          closed_code_ = 1;
        });
  }

  // Driver thread only.
  void SendRow(int row) {
    const protocol::Cursor since{db_version_, 0};
    ++db_version_;
    const std::vector<uint8_t> pk =
        PackTextPk("c" + std::to_string(index_) + "-r" + std::to_string(row));
    char text[96];
    std::snprintf(text, sizeof text, "%.3f row %d of client %d", NowMs(), row, index_);
    protocol::Changes changes{site_, since, {}};
    auto cell = [&](const char* cid, protocol::Value value, int64_t seq) {
      changes.changes.push_back(
          protocol::Change{"todo", pk, cid, std::move(value), 1, db_version_, std::nullopt, 1, seq});
    };
    cell("completed", static_cast<double>(row % 2), 0);  // a JS number: Float64 on the wire
    cell("list", std::string("list-") + std::to_string(index_ % 8), 1);
    cell("text", std::string(text), 2);
    Send(protocol::Encode(changes));
  }

  bool streaming() const { return streaming_.load(); }
  int closed_code() const { return closed_code_.load(); }
  int64_t rows_received() const { return cells_received_.load() / 3; }
  int rejects() const { return rejects_.load(); }
  std::vector<double> TakeLatencies() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(latencies_ms_, {});
  }

 private:
  void Send(std::vector<uint8_t> bytes) {
    if (connection_) {
      connection_->Send(std::make_shared<const std::vector<uint8_t>>(std::move(bytes)));
    }
  }

  void OnMessage(std::span<const uint8_t> data) {
    if (data.empty()) return;
    const auto tag = static_cast<protocol::Tag>(data[0]);
    if (tag == protocol::Tag::kStartStreaming) {
      streaming_ = true;
    } else if (tag == protocol::Tag::kRejectChanges) {
      ++rejects_;
    } else if (tag == protocol::Tag::kChanges) {
      if (observer_) Observe(data);
      cells_received_ += ChangesCount(data);
    }
  }

  void Observe(std::span<const uint8_t> data) {
    crsync::Result<protocol::Message> message = protocol::Decode(data);
    if (!message.ok()) return;
    const double now = NowMs();
    std::lock_guard<std::mutex> lock(mutex_);
    for (const protocol::Change& change : std::get<protocol::Changes>(*message).changes) {
      const auto* text = std::get_if<std::string>(&change.val);
      if (change.cid == "text" && text != nullptr) {
        latencies_ms_.push_back(now - std::strtod(text->c_str(), nullptr));
      }
    }
  }

  const Options& options_;
  const int index_;
  const bool observer_;
  SiteId site_{};
  int64_t db_version_ = 0;
  std::shared_ptr<net::WsConnection> connection_;  // set on the loop thread before any message
  std::atomic<bool> streaming_{false};
  std::atomic<int> closed_code_{0};
  std::atomic<int64_t> cells_received_{0};
  std::atomic<int> rejects_{0};
  std::mutex mutex_;
  std::vector<double> latencies_ms_;
};

bool WaitUntil(const std::function<bool()>& done, Clock::time_point deadline) {
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p / 100 * values.size()))];
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--url") o->url = v;
    else if (flag == "--room") o->room = v;
    else if (flag == "--schema-name") o->schema_name = v;
    else if (flag == "--schema-version") o->schema_version = std::strtoll(v, nullptr, 10);
    else if (flag == "--clients") o->clients = std::atoi(v);
    else if (flag == "--rows") o->rows = std::atoi(v);
    else if (flag == "--paced") o->paced = std::atoi(v);
    else if (flag == "--observers") o->observers = std::atoi(v);
    else if (flag == "--timeout") o->timeout_s = std::atoi(v);
    else return false;
  }
  return !o->url.empty() && o->clients >= 2 && o->rows >= 0 && o->paced >= 0 &&
         o->timeout_s > 0 && (argc % 2) == 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseArgs(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: crsync-loadgen --url ws://127.0.0.1:PORT/sync --schema-version V "
                 "[--room load] [--schema-name todo.sql] [--clients 50] [--rows 1000] "
                 "[--paced 10] [--observers 2] [--timeout 300]\n");
    return 2;
  }
  auto subprotocol = net::EncodeSyncSubprotocol(options.room, std::nullopt);
  if (!subprotocol.ok()) {
    std::fprintf(stderr, "bad room: %s\n", subprotocol.status().ToString().c_str());
    return 2;
  }
  std::mt19937_64 random(std::random_device{}());
  net::EventLoop loop(1);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < options.clients; ++i) {
    clients.push_back(std::make_unique<Client>(options, i, i < options.observers, random));
  }
  const auto timeout = std::chrono::seconds(options.timeout_s);
  for (auto& client : clients) client->Connect(loop, *subprotocol);
  const bool all_streaming = WaitUntil(
      [&] {
        return std::all_of(clients.begin(), clients.end(),
                           [](const auto& c) { return c->streaming() || c->closed_code() != 0; });
      },
      Clock::now() + 60s);
  if (!all_streaming || std::any_of(clients.begin(), clients.end(),
                                    [](const auto& c) { return !c->streaming(); })) {
    std::fprintf(stderr, "not every client reached StartStreaming\n");
    loop.Stop();
    return 1;
  }
  auto received_all = [&](int64_t rows_each) {
    return [&, rows_each] {
      return std::all_of(clients.begin(), clients.end(),
                         [&](const auto& c) { return c->rows_received() >= rows_each; });
    };
  };

  // Saturated.
  const double cpu0 = CpuSeconds();
  const auto t0 = Clock::now();
  for (int k = 0; k < options.rows; ++k) {
    for (auto& client : clients) client->SendRow(k);
  }
  const int64_t others = options.clients - 1;
  const bool complete = WaitUntil(received_all(others * options.rows), t0 + timeout);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> saturated;
  for (auto& client : clients) {
    std::vector<double> l = client->TakeLatencies();
    saturated.insert(saturated.end(), l.begin(), l.end());
  }

  // Paced: each client writes one row every ~100 ms at a random phase.
  bool paced_complete = false;
  std::vector<double> paced;
  if (complete) {
    std::uniform_real_distribution<double> phase(0, 100);
    for (int k = 0; k < options.paced; ++k) {
      std::vector<std::pair<double, Client*>> round;
      for (auto& client : clients) round.emplace_back(phase(random), client.get());
      std::sort(round.begin(), round.end());
      const auto start = Clock::now();
      for (auto& [at, client] : round) {
        std::this_thread::sleep_until(start + std::chrono::duration<double, std::milli>(at));
        client->SendRow(options.rows + k);
      }
      std::this_thread::sleep_until(start + 100ms);
    }
    paced_complete =
        WaitUntil(received_all(others * (options.rows + options.paced)), Clock::now() + timeout);
    for (auto& client : clients) {
      std::vector<double> l = client->TakeLatencies();
      paced.insert(paced.end(), l.begin(), l.end());
    }
  }
  int rejects = 0;
  for (auto& client : clients) rejects += client->rejects();
  const double gen_cpu = CpuSeconds() - cpu0;
  std::printf(
      "{\"complete\":%s,\"seconds\":%.6f,\"satP50\":%.3f,\"satP99\":%.3f,\"pacedComplete\":%s,"
      "\"pacedP50\":%.3f,\"pacedP99\":%.3f,\"pacedSamples\":%zu,\"rejects\":%d,"
      "\"genCpuSeconds\":%.3f}\n",
      complete ? "true" : "false", seconds, Percentile(saturated, 50), Percentile(saturated, 99),
      paced_complete ? "true" : "false", Percentile(paced, 50), Percentile(paced, 99),
      paced.size(), rejects, gen_cpu);
  std::fflush(stdout);
  loop.Stop();
  return complete && (options.paced == 0 || paced_complete) ? 0 : 1;
}
