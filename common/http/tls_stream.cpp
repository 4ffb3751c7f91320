#include "common/http/tls_stream.h"

namespace vtguard::http {

TlsStream::TlsStream(boost::asio::ip::tcp::socket socket, SSL_CTX* context)
    : socket_(std::move(socket)), ssl_(SSL_new(context)) {
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  if (ec || !ssl_ || SSL_set_fd(ssl_.get(), static_cast<int>(socket_.native_handle())) != 1) {
    ssl_.reset();
    ERR_clear_error();
    return;
  }
  // A write may complete partly; Beast's write loop sends the rest.
  SSL_set_mode(ssl_.get(), SSL_MODE_ENABLE_PARTIAL_WRITE);
  // Read what the socket has in one read(2), not a record header and then its body.
  SSL_set_read_ahead(ssl_.get(), 1);
  SSL_set_accept_state(ssl_.get());
}

}  // namespace vtguard::http
