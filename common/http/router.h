// Maps HTTP method + path to a handler and rejects what no route accepts.
//
// The server asks the router twice: once after the header arrives (Match), so that a wrong
// path, method or content type is rejected before a body is read, and once with the full
// request (Handle). Handlers are synchronous and pure with respect to the connection: they get
// the request and return the response; the server sets the version and keep-alive fields.
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace vtguard::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using RequestHeader = boost::beast::http::request_header<>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Handler = std::function<Response(const Request&)>;

struct Route {
  boost::beast::http::verb method;
  std::string path;
  // Required media type of the body, e.g. "application/json"; empty accepts any.
  std::string content_type;
  Handler handler;
};

// A request that no route accepts: the status to send, a metric reason and a one-line message.
struct Rejection {
  boost::beast::http::status status;
  std::string reason;  // snake_case, e.g. "not_found", for request error counters.
  std::string message;
};

class Router {
 public:
  void Add(Route route) { routes_.push_back(std::move(route)); }

  // Returns the route for `header`, or why none applies: 404 for an unknown path, 405 (with the
  // allowed method) for a known path with another method, 415 for a wrong content type.
  std::variant<const Route*, Rejection> Match(const RequestHeader& header) const;

 private:
  std::vector<Route> routes_;
};

// Builds a text/plain response with a one-line `message`.
Response MakeTextResponse(boost::beast::http::status status, std::string message);

// The path part of a request target, without the query string.
std::string_view TargetPath(std::string_view target);

}  // namespace vtguard::http
