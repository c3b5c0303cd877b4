// The plain-TCP instantiation of the HTTP session (http_session_impl.h).
#include "net/http_session.h"
#include "net/http_session_impl.h"

namespace crsync::net::internal {

void StartPlainHttpSession(tcp::socket socket, std::shared_ptr<ServerShared> shared) {
  auto session = std::make_shared<http_session_detail::HttpSession<PlainStream>>(std::move(shared),
                                                                                 std::move(socket));
  session->Start();
}

}  // namespace crsync::net::internal
