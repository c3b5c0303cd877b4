// The plain-TCP instantiation of the WebSocket session (ws_session_impl.h).
#include "net/ws_session.h"
#include "net/ws_session_impl.h"

namespace crsync::net::internal {

void StartServerWebSocket(PlainStream stream, http::request<http::string_body> request,
                          ServerWsParams params) {
  ws_session_detail::StartServer(std::move(stream), std::move(request), std::move(params));
}

std::function<void()> StartClientWebSocket(PlainStream stream, ClientWsParams params) {
  return ws_session_detail::StartClient(std::move(stream), std::move(params));
}

}  // namespace crsync::net::internal
