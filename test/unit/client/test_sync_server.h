// TestSyncServer: a tiny in-process sync server for the client tests, built from the same layers
// a real server uses (net::HttpServer + upgrade handler, wslink::WsTransport, sync::Session in
// the server role, sync::SqliteStore) over one in-memory database with the engine loaded.
// Deliberately minimal: one room (the room name is not checked), an optional required token
// (HTTP 401 otherwise), an optional recorded schema (sessions refuse other schemas with 1008),
// a counter of upgrade requests, and Stop()/Start() on the same port with the database (and so
// the server's site id) kept, to simulate a server going away and coming back.
//
// Threading: all database and session work runs on the server's strand; the test thread talks
// to it through Exec/Query/Rows, which post and wait (bounded).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/cryb64.h"
#include "net/event_loop.h"
#include "net/http_server.h"
#include "net/ws_subprotocol.h"
#include "support/test_db.h"
#include "sync/session.h"
#include "sync/sqlite_store.h"
#include "wslink/ws_transport.h"

namespace crsync::client::testing {

class TestSyncServer {
 public:
  struct Options {
    std::optional<std::string> required_token;  // set: other tokens get HTTP 401
    std::string schema_name;                    // set: recorded with cryb64(schema_text)
    std::string schema_text;                    // run on the server database first
  };

  explicit TestSyncServer(Options options = {}) : options_(std::move(options)) {
    RunOnStrand([this] {
      if (!options_.schema_name.empty()) {
        db_.Exec(options_.schema_text);
      }
      store_ = std::move(sync::SqliteStore::Open(db_.db()).value());
      if (!options_.schema_name.empty()) {
        store_->SetSchema({options_.schema_name, Cryb64(std::string_view(options_.schema_text))});
      }
      store_->notifier().Add([this] {
        for (auto& [id, peer] : peers_) peer->session->OnLocalChange();
      });
    });
  }

  ~TestSyncServer() {
    Stop();
    RunOnStrand([this] { store_.reset(); });
    loop_.Stop();
  }

  // Starts listening on port (0: an ephemeral one; a previous port() to come back on it).
  Status Start(uint16_t port = 0) {
    net::HttpServerOptions options;
    options.port = port;
    options.ws_path_pattern = "/sync";
    http_ = std::make_unique<net::HttpServer>(loop_, options);
    http_->SetUpgradeHandler(
        [this](const net::UpgradeRequest& request) { return Upgrade(request); });
    Status started = http_->Start();
    if (started.ok()) port_ = http_->port();
    return started;
  }

  // Closes every client (1001) and stops listening; the database stays.
  void Stop() {
    if (!http_) return;
    http_->Stop(std::chrono::milliseconds(2'000));
    http_.reset();
    RunOnStrand([this] {
      for (auto& [id, peer] : peers_) peer->transport->set_listener(nullptr);
      peers_.clear();
    });
  }

  uint16_t port() const { return port_; }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/sync"; }
  int upgrade_requests() const { return upgrade_requests_.load(); }

  // Runs SQL on the server database (then notifies the sessions); "" or the error message.
  std::string Exec(const std::string& sql) {
    std::string error;
    RunOnStrand([&] {
      error = db_.Exec(sql);
      store_->NotifyChanged();
    });
    return error;
  }
  std::vector<std::string> Query(const std::string& sql) {
    std::vector<std::string> rows;
    RunOnStrand([&] { rows = db_.Query(sql); });
    return rows;
  }
  std::string SiteIdHex() {
    std::string hex;
    RunOnStrand([&] { hex = db_.One("SELECT hex(crsql_site_id())"); });
    return hex.size() >= 2 ? hex.substr(1, hex.size() - 2) : hex;  // One() quotes text
  }
  size_t open_sessions() {
    size_t count = 0;
    RunOnStrand([&] { count = peers_.size(); });
    return count;
  }

 private:
  struct Peer final : sync::SessionObserver {
    std::shared_ptr<wslink::WsTransport> transport;
    std::unique_ptr<sync::Session> session;
    std::function<void()> on_closed;
    void OnClosed(const Status&) override { on_closed(); }
  };

  void RunOnStrand(std::function<void()> task) {
    std::promise<void> done;
    strand_->Post([&] {
      task();
      done.set_value();
    });
    done.get_future().wait_for(std::chrono::seconds(10));
  }

  net::UpgradeDecision Upgrade(const net::UpgradeRequest& request) {
    ++upgrade_requests_;
    Result<net::SyncSubprotocol> offer = net::ParseSyncSubprotocol(request.subprotocols);
    if (!offer.ok()) return net::UpgradeDecision::Reject(400, offer.status().message());
    if (options_.required_token && offer->token != options_.required_token) {
      return net::UpgradeDecision::Reject(401, "unauthorized");
    }
    std::shared_ptr<net::Strand> strand = strand_;
    return net::UpgradeDecision::Accept(
        offer->echo, [this, strand](const std::shared_ptr<net::WsConnection>& connection) {
          auto transport = std::make_shared<wslink::WsTransport>(
              connection, [strand](std::function<void()> task) { strand->Post(std::move(task)); });
          net::WsHandlers handlers = transport->Handlers();
          strand->Post([this, transport] { AddPeer(transport); });
          return handlers;
        });
  }

  void AddPeer(std::shared_ptr<wslink::WsTransport> transport) {
    const uint64_t id = ++next_peer_;
    auto peer = std::make_unique<Peer>();
    peer->transport = transport;
    peer->on_closed = [this, id] {
      strand_->Post([this, id] {
        auto found = peers_.find(id);
        if (found == peers_.end()) return;
        found->second->transport->set_listener(nullptr);
        peers_.erase(found);
      });
    };
    sync::SessionOptions options;
    options.max_buffered_bytes = wslink::kSessionMaxBufferedBytes;
    std::shared_ptr<net::Strand> strand = strand_;
    options.post = [strand](std::function<void()> task) { strand->Post(std::move(task)); };
    peer->session = std::make_unique<sync::Session>(sync::Role::kServer, *store_, *transport,
                                                    options, peer.get());
    transport->set_listener(peer->session.get());
    Peer& added = *peer;
    peers_[id] = std::move(peer);
    added.session->Start();
  }

  const Options options_;
  net::EventLoop loop_{1};
  std::shared_ptr<net::Strand> strand_ = loop_.MakeStrand();
  test::TestDb db_;  // opened on the constructing thread; used on the strand afterwards
  std::unique_ptr<sync::SqliteStore> store_;
  std::map<uint64_t, std::unique_ptr<Peer>> peers_;  // strand only
  uint64_t next_peer_ = 0;
  std::unique_ptr<net::HttpServer> http_;
  uint16_t port_ = 0;
  std::atomic<int> upgrade_requests_{0};
};

}  // namespace crsync::client::testing
