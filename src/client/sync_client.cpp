// The native sync client (see sync_client_impl.h and docs/client.md): connection attempts and
// backoff, one sync Session per connection, the poll/up-to-date tick, status publication,
// shutdown, and StartSync.
#include <random>
#include <utility>

#include "client/failure_policy.h"
#include "client/schema_migration.h"
#include "client/sync_client_impl.h"
#include "net/ws_subprotocol.h"
#include "net/ws_url.h"

namespace crsync {

std::string_view SyncStateName(SyncState state) {
  switch (state) {
    case SyncState::kConnecting:
      return "connecting";
    case SyncState::kSyncing:
      return "syncing";
    case SyncState::kUpToDate:
      return "up-to-date";
    case SyncState::kOffline:
      return "offline";
    case SyncState::kError:
      return "error";
    case SyncState::kStopped:
      return "stopped";
  }
  return "unknown";
}

namespace client {
namespace {

// How long Stop() waits for the close handshake of the open connection.
constexpr std::chrono::milliseconds kCloseTimeout{2'000};

}  // namespace

// ---- SyncLink: forwarding -------------------------------------------------------------------

void SyncLink::OnMessage(std::span<const uint8_t> message) { owner.OnLinkMessage(*this, message); }
void SyncLink::OnDrained() {
  if (session) session->OnDrained();
}
void SyncLink::OnClosed(int code, std::string_view reason) {
  owner.OnLinkTransportClosed(*this, code, reason);
}
void SyncLink::OnStreaming() { owner.OnLinkStreaming(*this); }
void SyncLink::OnApplied(const SiteId&, size_t, const protocol::Cursor&) {
  owner.OnLinkApplied(*this);
}
void SyncLink::OnPong() { owner.OnLinkPong(*this); }
void SyncLink::OnClosed(const Status& status) { owner.OnLinkSessionClosed(*this, status); }

// ---- lifecycle ------------------------------------------------------------------------------

SyncClientImpl::SyncClientImpl(std::unique_ptr<LocalDatabase> database,
                               std::unique_ptr<sync::SqliteStore> store, std::string url,
                               std::string subprotocol, SyncOptions options)
    : url_(std::move(url)),
      subprotocol_(std::move(subprotocol)),
      options_(std::move(options)),
      strand_(loop_.MakeStrand()),
      database_(std::move(database)),
      store_(std::move(store)),
      tick_timer_(std::make_unique<net::Timer>(strand_)),
      reconnect_timer_(std::make_unique<net::Timer>(strand_)),
      backoff_(options_.reconnect_min, options_.reconnect_max, std::random_device()()),
      detector_(options_.quiet_period, options_.pong_timeout) {}

SyncClientImpl::~SyncClientImpl() { Stop(); }

void SyncClientImpl::Begin() {
  strand_->Post([this] {
    notifier_id_ = store_->notifier().Add([this] { OnStoreChanged(); });
    Connect();
    tick_timer_->Start(options_.poll_interval, [this] { Tick(); });
  });
}

void SyncClientImpl::Stop() {
  if (stop_called_.exchange(true)) return;
  strand_->Post([this] { BeginStop(); });
  {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kCloseTimeout + std::chrono::milliseconds(500),
                      [this] { return links_drained_; });
  }
  loop_.Stop();
  // The loop thread is gone: everything below runs alone.
  for (auto& link : closing_links_) link->transport->set_listener(nullptr);
  if (link_) link_->transport->set_listener(nullptr);
  closing_links_.clear();
  link_.reset();
  tick_timer_.reset();
  reconnect_timer_.reset();
  if (store_) store_->notifier().Remove(notifier_id_);
  store_.reset();
  database_.reset();
  std::lock_guard lock(mutex_);
  status_.state = SyncState::kStopped;
  ++version_;
  changed_.notify_all();
}

void SyncClientImpl::BeginStop() {
  stopping_ = true;
  tick_timer_->Cancel();
  reconnect_timer_->Cancel();
  connect_.Cancel();
  if (link_ && link_->session) link_->session->Close(sync::kCloseNormal, "client stopping");
  if (link_) closing_links_.push_back(std::move(link_));
  EraseClosedLinks();
}

void SyncClientImpl::EraseClosedLinks() {
  std::erase_if(closing_links_, [](const std::unique_ptr<SyncLink>& link) {
    if (!link->transport_closed) return false;
    link->transport->set_listener(nullptr);
    return true;
  });
  if (stopping_ && !link_ && closing_links_.empty()) {
    std::lock_guard lock(mutex_);
    links_drained_ = true;
    changed_.notify_all();
  }
}

// ---- connecting -----------------------------------------------------------------------------

void SyncClientImpl::Connect() {
  if (stopping_ || failed_) return;
  const uint64_t attempt = ++attempt_;
  {
    std::lock_guard lock(mutex_);
    status_.attempts = static_cast<uint32_t>(attempt);
  }
  SetState(SyncState::kConnecting);
  net::WsClientOptions options;
  options.url = url_;
  options.subprotocol = subprotocol_;
  options.connect_timeout = options_.connect_timeout;
  options.ca_file = options_.ca_file;
  options.verify_peer = options_.verify_peer;
  options.ws.ping_interval = options_.heartbeat_interval;
  options.ws.ping_timeout = options_.heartbeat_timeout;
  options.ws.close_timeout = kCloseTimeout;
  std::shared_ptr<net::Strand> strand = strand_;
  connect_ = net::ConnectWebSocket(
      loop_, std::move(options),
      [this, attempt, strand](const std::shared_ptr<net::WsConnection>& connection) {
        auto transport = std::make_shared<wslink::WsTransport>(
            connection, [strand](std::function<void()> task) { strand->Post(std::move(task)); });
        net::WsHandlers handlers = transport->Handlers();
        // Posted before any event of the connection, so the listener is set in time.
        strand->Post([this, attempt, transport] { OnOpened(attempt, transport); });
        return handlers;
      },
      [this, attempt, strand](const Status& error) {
        strand->Post([this, attempt, error] { OnConnectFailed(attempt, error); });
      });
}

void SyncClientImpl::OnOpened(uint64_t attempt, std::shared_ptr<wslink::WsTransport> transport) {
  if (stopping_ || failed_ || attempt != attempt_) {
    transport->Close(sync::kCloseNormal, "client stopping");
    return;
  }
  connect_ = net::ConnectHandle();
  link_ = std::make_unique<SyncLink>(*this, transport);
  transport->set_listener(link_.get());
  sync::SessionOptions options;
  options.max_buffered_bytes = wslink::kSessionMaxBufferedBytes;
  std::shared_ptr<net::Strand> strand = strand_;
  options.post = [strand](std::function<void()> task) { strand->Post(std::move(task)); };
  link_->session = std::make_unique<sync::Session>(sync::Role::kClient, *store_, *transport,
                                                   options, link_.get());
  detector_.Reset();
  outbound_dirty_ = false;
  // A failing Start closes the session, which reports through OnLinkSessionClosed.
  link_->session->Start();
}

void SyncClientImpl::OnConnectFailed(uint64_t attempt, const Status& error) {
  if (stopping_ || failed_ || attempt != attempt_) return;
  connect_ = net::ConnectHandle();
  if (std::optional<Status> fatal = FatalConnectError(error)) {
    EnterError(*fatal);
    return;
  }
  ScheduleReconnect(error);
}

void SyncClientImpl::ScheduleReconnect(Status cause) {
  if (stopping_ || failed_) return;
  const std::chrono::milliseconds delay = backoff_.NextDelay();
  SetState(SyncState::kOffline, std::move(cause), delay);
  reconnect_timer_->Start(delay, [this] { Connect(); });
}

void SyncClientImpl::EnterError(Status cause) {
  failed_ = true;
  tick_timer_->Cancel();
  reconnect_timer_->Cancel();
  connect_.Cancel();
  if (link_ && link_->session) link_->session->Close(sync::kCloseNormal, "client giving up");
  SetState(SyncState::kError, std::move(cause));
}

// ---- link events ----------------------------------------------------------------------------

bool SyncClientImpl::IsCurrentStreaming(const SyncLink& link) const {
  return &link == link_.get() && link.session &&
         link.session->state() == sync::SessionState::kStreaming;
}

void SyncClientImpl::OnLinkMessage(SyncLink& link, std::span<const uint8_t> message) {
  if (!link.session) return;
  in_inbound_ = true;
  link.session->OnMessage(message);
  in_inbound_ = false;
}

void SyncClientImpl::OnLinkTransportClosed(SyncLink& link, int code, std::string_view reason) {
  link.transport_closed = true;
  if (link.session && link.session->state() != sync::SessionState::kClosed) {
    link.session->OnClosed(code, reason);  // reports through OnLinkSessionClosed
  }
  strand_->Post([this] { EraseClosedLinks(); });
}

void SyncClientImpl::OnLinkStreaming(SyncLink& link) {
  if (&link != link_.get()) return;
  ++connections_;
  last_inbound_ = Clock::now();
  SetState(SyncState::kSyncing);
  // The first Ping precedes our own backlog (the session pumps right after this callback).
  if (detector_.OnStreaming(Clock::now())) link.session->SendPing();
}

void SyncClientImpl::OnLinkApplied(SyncLink& link) {
  if (&link != link_.get()) return;
  last_inbound_ = Clock::now();
  detector_.OnInbound(last_inbound_);
  if (state_ == SyncState::kUpToDate) SetState(SyncState::kSyncing);
}

void SyncClientImpl::OnLinkPong(SyncLink& link) {
  if (&link == link_.get()) detector_.OnPong();
}

void SyncClientImpl::CountClosedSession(SyncLink& link) {
  if (link.stats_counted || !link.session) return;
  link.stats_counted = true;
  received_before_ += link.session->stats().changes_received;
  sent_before_ += link.session->stats().changes_sent;
}

void SyncClientImpl::OnLinkSessionClosed(SyncLink& link, const Status& status) {
  CountClosedSession(link);
  const bool current = &link == link_.get();
  if (current) closing_links_.push_back(std::move(link_));  // destroyed once its socket closed
  PublishProgress();
  if (stopping_ || failed_ || !current) return;
  if (std::optional<Status> fatal = FatalSessionClose(status)) {
    EnterError(*fatal);
    return;
  }
  ScheduleReconnect(status.ok() ? Status::Unavailable("the server closed the connection") : status);
}

// ---- local changes and the tick -------------------------------------------------------------

void SyncClientImpl::OnStoreChanged() {
  if (in_inbound_) {
    outbound_dirty_ = true;  // our own apply; pumped when the inbound stream pauses
    return;
  }
  if (!link_ || !link_->session) return;  // the next session pulls from its cursor anyway
  link_->session->OnLocalChange();
  detector_.OnLocalChange();
  if (state_ == SyncState::kUpToDate) SetState(SyncState::kSyncing);
}

bool SyncClientImpl::OutboundIdle() {
  const sync::Session& session = *link_->session;
  if (session.awaiting_drain() || outbound_dirty_ || !session.outbound_cursor()) return false;
  sync::PullRequest probe;
  probe.since_db_version = session.outbound_cursor()->db_version;
  if (session.peer_site_id()) probe.exclude_sites.push_back(*session.peer_site_id());
  probe.max_changes = 1;
  probe.max_bytes = 1;
  Result<sync::PullResult> pulled = store_->PullChanges(probe);
  return pulled.ok() && pulled->empty();
}

void SyncClientImpl::Tick() {
  if (stopping_ || failed_) return;
  store_->PollForChanges();  // runs OnStoreChanged when another connection wrote
  const Clock::time_point now = Clock::now();
  if (link_ && IsCurrentStreaming(*link_)) {
    if (outbound_dirty_ && now - last_inbound_ >= options_.poll_interval) {
      outbound_dirty_ = false;
      link_->session->OnLocalChange();
      detector_.OnLocalChange();
    }
    if (detector_.Tick(now, [this] { return OutboundIdle(); })) link_->session->SendPing();
    const bool caught_up = detector_.caught_up(now);
    if (caught_up && state_ != SyncState::kUpToDate) {
      backoff_.Reset();
      SetState(SyncState::kUpToDate);
    } else if (!caught_up && state_ == SyncState::kUpToDate) {
      SetState(SyncState::kSyncing);
    }
  }
  PublishProgress();
  tick_timer_->Start(options_.poll_interval, [this] { Tick(); });
}

// ---- status publication ---------------------------------------------------------------------

void SyncClientImpl::SetState(SyncState state, Status error, std::chrono::milliseconds retry_in) {
  state_ = state;
  SyncStatus snapshot;
  {
    std::lock_guard lock(mutex_);
    status_.state = state;
    status_.error = std::move(error);
    status_.retry_in = retry_in;
    ++version_;
    snapshot = status_;
  }
  changed_.notify_all();
  if (options_.on_status) options_.on_status(snapshot);
}

void SyncClientImpl::PublishProgress() {
  SyncProgress progress;
  progress.changes_received = received_before_;
  progress.changes_sent = sent_before_;
  progress.connections = connections_;
  if (link_ && link_->session && !link_->stats_counted) {
    progress.changes_received += link_->session->stats().changes_received;
    progress.changes_sent += link_->session->stats().changes_sent;
  }
  if (progress.changes_received == published_progress_.changes_received &&
      progress.changes_sent == published_progress_.changes_sent &&
      progress.connections == published_progress_.connections) {
    return;
  }
  published_progress_ = progress;
  {
    std::lock_guard lock(mutex_);
    progress_ = progress;
  }
  if (options_.on_progress) options_.on_progress(progress);
}

// ---- thread-safe accessors ------------------------------------------------------------------

void SyncClientImpl::NotifyLocalChange() {
  if (stop_called_) return;
  strand_->Post([this] {
    if (!stopping_ && !failed_) store_->NotifyChanged();
  });
}

SyncStatus SyncClientImpl::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

SyncProgress SyncClientImpl::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

SyncStatus SyncClientImpl::WaitUntil(const std::function<bool(const SyncStatus&)>& done,
                                     std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  for (;;) {
    const SyncStatus snapshot = status_;
    const uint64_t seen = version_;
    lock.unlock();
    if (done(snapshot)) return snapshot;
    lock.lock();
    if (!changed_.wait_until(lock, deadline, [&] { return version_ != seen; })) return status_;
  }
}

}  // namespace client

// ---- public entry points --------------------------------------------------------------------

namespace {

Result<std::string> EncodeTarget(std::string_view url, std::string_view room,
                                 const std::optional<std::string>& token) {
  Result<net::WsUrl> parsed = net::ParseWsUrl(url);
  if (!parsed.ok()) return parsed.status();
  return net::EncodeSyncSubprotocol(room, token);
}

}  // namespace

Status ValidateSyncTarget(std::string_view url, std::string_view room,
                          const std::optional<std::string>& token) {
  return EncodeTarget(url, room, token).status();
}

Result<std::unique_ptr<SyncClient>> StartSync(const std::string& db_path, const std::string& url,
                                              const std::string& room, SyncOptions options) {
  CRSYNC_ASSIGN_OR_RETURN(std::string subprotocol, EncodeTarget(url, room, options.token));
  using std::chrono::milliseconds;
  if (options.poll_interval <= milliseconds(0) || options.quiet_period < milliseconds(0) ||
      options.reconnect_min <= milliseconds(0) || options.reconnect_max <= milliseconds(0) ||
      options.connect_timeout <= milliseconds(0)) {
    return Status::InvalidArgument("poll, quiet, reconnect and connect durations must be > 0");
  }
  CRSYNC_ASSIGN_OR_RETURN(std::unique_ptr<client::LocalDatabase> database,
                          client::LocalDatabase::Open(db_path));
  CRSYNC_ASSIGN_OR_RETURN(std::unique_ptr<sync::SqliteStore> store,
                          sync::SqliteStore::Open(database->db()));
  if (!options.schema_file.empty()) {
    Result<client::SchemaOutcome> applied =
        client::ApplySchemaFile(*database, *store, options.schema_file, options.schema_name);
    if (!applied.ok()) return applied.status();
  }
  auto client = std::make_unique<client::SyncClientImpl>(
      std::move(database), std::move(store), url, std::move(subprotocol), std::move(options));
  client->Begin();
  return std::unique_ptr<SyncClient>(std::move(client));
}

}  // namespace crsync
