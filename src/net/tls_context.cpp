// OpenSSL context setup for the server and the outbound client; see tls_context.h. Errors from
// OpenSSL are taken as error_code (the non-throwing overloads) and turned into Status here.
#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace crsync::net::internal {
namespace {

constexpr auto kOptions = ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1 | ssl::context::single_dh_use;

}  // namespace

std::string TlsErrorText(const error_code& ec) {
  std::string text = ec.message();
  if (ec.category() == asio::error::get_ssl_category()) {
    char buffer[256];
    ERR_error_string_n(static_cast<unsigned long>(ec.value()), buffer, sizeof(buffer));
    text += " (";
    text += buffer;
    text += ")";
  }
  return text;
}

Result<std::shared_ptr<ssl::context>> MakeServerTlsContext(
    const std::string& certificate_chain_file, const std::string& private_key_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  error_code ec;
  context->set_options(kOptions, ec);
  if (!ec) context->use_certificate_chain_file(certificate_chain_file, ec);
  if (ec) {
    return Status::InvalidArgument("TLS certificate chain file '" + certificate_chain_file +
                                   "': " + TlsErrorText(ec));
  }
  context->use_private_key_file(private_key_file, ssl::context::pem, ec);
  if (ec) {
    return Status::InvalidArgument("TLS private key file '" + private_key_file +
                                   "': " + TlsErrorText(ec));
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("TLS private key '" + private_key_file +
                                   "' does not match the certificate");
  }
  return context;
}

Result<std::shared_ptr<ssl::context>> MakeClientTlsContext(const std::string& ca_file,
                                                           bool verify_peer) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  error_code ec;
  context->set_options(kOptions, ec);
  if (!ec) context->set_default_verify_paths(ec);
  if (ec) return Status::InvalidArgument("TLS client setup: " + TlsErrorText(ec));
  if (!ca_file.empty()) {
    context->load_verify_file(ca_file, ec);
    if (ec) return Status::InvalidArgument("TLS CA file '" + ca_file + "': " + TlsErrorText(ec));
  }
  context->set_verify_mode(verify_peer ? ssl::verify_peer : ssl::verify_none, ec);
  if (ec) return Status::InvalidArgument("TLS client setup: " + TlsErrorText(ec));
  return context;
}

error_code PrepareClientTlsStream(TlsStream& stream, const std::string& host, bool verify_peer) {
  error_code ec;
  asio::ip::make_address(host, ec);
  const bool is_ip_literal = !ec;
  ec.clear();
  if (!is_ip_literal && !SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
    return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
  }
  if (verify_peer) stream.set_verify_callback(ssl::host_name_verification(host), ec);
  return ec;
}

}  // namespace crsync::net::internal
