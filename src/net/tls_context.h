// Internal to net/: OpenSSL contexts for the server (certificate + key files) and the client
// (trust store, peer verification). TLS 1.2 is the minimum on both sides.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "net/beast_includes.h"

namespace crsync::net::internal {

// A server context with the certificate chain and private key loaded and checked against each
// other. InvalidArgument naming the file when one cannot be used.
Result<std::shared_ptr<ssl::context>> MakeServerTlsContext(
    const std::string& certificate_chain_file, const std::string& private_key_file);

// A client context: the system's default trust store, plus ca_file when not empty; peer
// verification on when verify_peer. InvalidArgument when ca_file cannot be loaded.
Result<std::shared_ptr<ssl::context>> MakeClientTlsContext(const std::string& ca_file,
                                                           bool verify_peer);

// Prepares a client stream for host: SNI (DNS names only, not IP literals) and, when verifying,
// host-name verification of the certificate (DNS names and IP addresses). Errors: the OpenSSL
// error of setting SNI.
error_code PrepareClientTlsStream(TlsStream& stream, const std::string& host, bool verify_peer);

// The text of an error from the TLS layer, with OpenSSL's reason when there is one.
std::string TlsErrorText(const error_code& ec);

}  // namespace crsync::net::internal
