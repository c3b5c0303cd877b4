// Mapping a request path to a file under the static root, refusing everything that could reach
// outside it, and the Content-Type to serve a file with.
//
// The invariant: a path is served only if its canonical form (all symlinks resolved) lies inside
// the canonical root and is a regular file. Checks, in order: the path must be origin-form
// ("/..."); each segment is percent-decoded on its own, and a malformed escape, a NUL, a
// backslash, an encoded '/' or a segment "." or ".." (raw or encoded: "%2e%2e") is refused as a
// bad request; a segment starting with '.' (".git", ".env") is not served; the joined path is
// canonicalised and must stay under the root, so a symlink pointing out of the root is not
// served; a directory serves its index.html, and a directory requested without the trailing '/'
// is redirected so that relative links in its index.html resolve. Browsers normalise "/../"
// before sending, so every refused form comes from a hand-made request.
//
// Between the check and the open a file could be swapped for a symlink by someone who can write
// inside the root; the root is assumed to be writable only by the operator. Thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace crsync::net {

struct StaticLookup {
  enum class Kind { kFile, kRedirect };
  Kind kind = Kind::kFile;
  std::filesystem::path file;  // kFile: canonical path of a regular file inside the root
  std::string location;        // kRedirect: the path with a '/' appended (query not included)
};

// Resolves the path part of a request target (no query) against canonical_root, which must
// already be canonical (std::filesystem::canonical). InvalidArgument for a malformed or
// hostile path (answer 400), NotFound for anything not servable (answer 404).
Result<StaticLookup> ResolveStaticPath(const std::filesystem::path& canonical_root,
                                       std::string_view request_path);

// Content-Type for a file name by extension (lowercase match), "application/octet-stream"
// when unknown. Text types carry "; charset=utf-8"; .wasm is application/wasm (required for
// WebAssembly.instantiateStreaming), .js/.mjs text/javascript.
std::string_view ContentTypeForPath(const std::filesystem::path& file);

}  // namespace crsync::net
