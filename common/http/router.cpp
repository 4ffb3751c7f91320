#include "common/http/router.h"

#include <algorithm>
#include <cctype>

namespace vtguard::http {
namespace http = boost::beast::http;
namespace {

// Compares the media type of a Content-Type value (before any ";" parameters) to `expected`,
// ignoring case and surrounding spaces.
bool HasMediaType(std::string_view content_type, std::string_view expected) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  while (!media.empty() && media.front() == ' ') media.remove_prefix(1);
  return std::equal(media.begin(), media.end(), expected.begin(), expected.end(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

}  // namespace

std::string_view TargetPath(std::string_view target) { return target.substr(0, target.find('?')); }

std::variant<const Route*, Rejection> Router::Match(const RequestHeader& header) const {
  const std::string_view path = TargetPath(header.target());
  const Route* same_path = nullptr;
  for (const Route& route : routes_) {
    if (route.path != path) continue;
    same_path = &route;
    if (route.method != header.method()) continue;
    if (!route.content_type.empty() &&
        !HasMediaType(header[http::field::content_type], route.content_type)) {
      return Rejection{http::status::unsupported_media_type, "unsupported_media_type",
                       "content type must be " + route.content_type};
    }
    return &route;
  }
  if (same_path != nullptr) {
    return Rejection{http::status::method_not_allowed, "method_not_allowed",
                     std::string(path.substr(0, 200)) + " accepts only " +
                         std::string(http::to_string(same_path->method))};
  }
  return Rejection{http::status::not_found, "not_found",
                   "no handler for path " + std::string(path.substr(0, 200))};
}

Response MakeTextResponse(http::status status, std::string message) {
  Response response(status, 11);
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.body() = std::move(message);
  response.body() += "\n";
  return response;
}

}  // namespace vtguard::http
