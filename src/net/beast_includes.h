// Internal to net/: the one place that includes Boost.Asio, Boost.Beast and Asio's OpenSSL
// layer, with the namespace aliases every net/*.cpp uses. Never include this from a header
// other modules see.
//
// <utility> must come first: Boost 1.74's headers use std::exchange & co. without including it,
// which g++ 12 in C++20 mode no longer provides transitively.
#pragma once

// clang-format off
#include <utility>  // first, see above

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
// clang-format on

namespace crsync::net::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

// Every socket of one connection lives on its own strand of the loop's io_context.
using StrandExecutor = asio::strand<asio::io_context::executor_type>;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// "ip:port" of a socket's peer, "" when unknown (already closed).
std::string RemoteAddressOf(const tcp::socket& socket);

}  // namespace crsync::net::internal
