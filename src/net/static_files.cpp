// Static-file path resolution and content types; the refusal rules are listed in static_files.h.
#include "net/static_files.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

namespace crsync::net {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One percent-decoded segment, or nullopt when malformed or hostile.
std::optional<std::string> DecodeSegment(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return std::nullopt;  // needs two hex digits
      const int high = HexValue(raw[i + 1]);
      const int low = HexValue(raw[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    if (c == '\0' || c == '/' || c == '\\') return std::nullopt;
    out.push_back(c);
  }
  if (out == "." || out == "..") return std::nullopt;
  return out;
}

// True when path equals root or lies below it (both canonical).
bool IsInside(const std::filesystem::path& root, const std::filesystem::path& path) {
  auto root_it = root.begin();
  auto path_it = path.begin();
  for (; root_it != root.end(); ++root_it, ++path_it) {
    if (path_it == path.end() || *root_it != *path_it) {
      // A trailing empty element (root given as "/srv/www/") matches anything.
      return root_it->empty() && std::next(root_it) == root.end();
    }
  }
  return true;
}

// Canonical path of candidate when it exists inside root; nullopt otherwise.
std::optional<std::filesystem::path> CanonicalInside(const std::filesystem::path& root,
                                                     const std::filesystem::path& candidate) {
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::canonical(candidate, ec);
  if (ec || !IsInside(root, canonical)) return std::nullopt;
  return canonical;
}

}  // namespace

Result<StaticLookup> ResolveStaticPath(const std::filesystem::path& canonical_root,
                                       std::string_view request_path) {
  if (request_path.empty() || request_path.front() != '/') {
    return Status::InvalidArgument("request path is not origin-form");
  }
  std::filesystem::path candidate = canonical_root;
  bool hidden = false;
  size_t start = 1;
  while (start <= request_path.size()) {
    size_t end = request_path.find('/', start);
    if (end == std::string_view::npos) end = request_path.size();
    const std::string_view raw = request_path.substr(start, end - start);
    if (!raw.empty()) {
      std::optional<std::string> segment = DecodeSegment(raw);
      if (!segment) return Status::InvalidArgument("malformed or hostile path segment");
      if (segment->front() == '.') hidden = true;  // keep checking later segments for 400s
      candidate /= *segment;
    }
    start = end + 1;
  }
  if (hidden) return Status::NotFound("hidden file");

  std::optional<std::filesystem::path> resolved = CanonicalInside(canonical_root, candidate);
  if (!resolved) return Status::NotFound("no such file under the static root");
  std::error_code ec;
  StaticLookup lookup;
  const bool directory = std::filesystem::is_directory(*resolved, ec);
  if (directory) {
    if (request_path.back() != '/') {
      lookup.kind = StaticLookup::Kind::kRedirect;
      lookup.location = std::string(request_path) + "/";
      return lookup;
    }
    resolved = CanonicalInside(canonical_root, *resolved / "index.html");
    if (!resolved) return Status::NotFound("directory has no index.html");
  }
  if (!std::filesystem::is_regular_file(*resolved, ec) ||
      (!directory && request_path.back() == '/')) {
    return Status::NotFound("not a file");  // "/file.js/" names a directory that isn't one
  }
  lookup.file = std::move(*resolved);
  return lookup;
}

std::string_view ContentTypeForPath(const std::filesystem::path& file) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".wasm", "application/wasm"},
      {".txt", "text/plain; charset=utf-8"},
      {".md", "text/markdown; charset=utf-8"},
      {".xml", "application/xml"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".pdf", "application/pdf"},
      {".sql", "application/sql"},
  }};
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [ext, type] : kTypes) {
    if (ext == extension) return type;
  }
  return "application/octet-stream";
}

}  // namespace crsync::net
