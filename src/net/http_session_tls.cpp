// The TLS instantiation of the HTTP session (http_session_impl.h).
#include "net/http_session.h"
#include "net/http_session_impl.h"

namespace crsync::net::internal {

void StartTlsHttpSession(tcp::socket socket, std::shared_ptr<ServerShared> shared) {
  // Invariant: only called when the server was started with TLS files.
  ssl::context& context = *shared->tls;
  auto session = std::make_shared<http_session_detail::HttpSession<TlsStream>>(
      std::move(shared), std::move(socket), context);
  session->Start();
}

}  // namespace crsync::net::internal
