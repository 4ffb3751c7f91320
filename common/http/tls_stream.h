// A server-side TLS connection in which OpenSSL reads and writes the TCP socket itself.
//
// Asio's ssl::stream moves every byte through a pair of memory BIOs with two 17 KiB buffers
// per connection, written in full at construction. Here the SSL object owns the socket's file
// descriptor, as in nginx: a read or write calls SSL_read or SSL_write on the non-blocking
// socket and waits for readiness only when OpenSSL reports that it must. Under 32 keep-alive
// connections the webhook's peak RSS went from 16.2-16.6 to 14.2-14.8 MiB (docs/benchmarks.md).
//
// The stream meets Asio's AsyncReadStream and AsyncWriteStream requirements, so Beast's HTTP
// reads and writes run on it. One operation of each direction may be pending at a time, and
// all of them must run on one thread at a time (an EventLoops loop or a strand).
//
// OpenSSL writes with write(2), which raises SIGPIPE when the peer has gone; the Server ignores
// SIGPIPE for the process before it accepts any connection.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace vtguard::http {

class TlsStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;

  // Creates the server side of a TLS connection on `socket`. ok() is false when OpenSSL could
  // not create the connection; every operation then fails.
  TlsStream(boost::asio::ip::tcp::socket socket, SSL_CTX* context);

  executor_type get_executor() { return socket_.get_executor(); }
  boost::asio::ip::tcp::socket& socket() { return socket_; }
  bool ok() const { return ssl_ != nullptr; }

  // Runs the server side of the handshake. Completion: void(error_code).
  template <class Token>
  auto async_handshake(Token&& token) {
    return Start</*kWithBytes=*/false>([](SSL* ssl) { return SSL_do_handshake(ssl); },
                                       std::forward<Token>(token));
  }

  // Reads into the first non-empty buffer. Completion: void(error_code, bytes).
  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    const boost::asio::mutable_buffer buffer = FirstNonEmpty(buffers);
    return Start</*kWithBytes=*/true>(
        [buffer](SSL* ssl) {
          if (buffer.size() == 0) return 0;
          return SSL_read(ssl, buffer.data(), ClampedSize(buffer.size()));
        },
        std::forward<Token>(token), /*empty_is_done=*/buffer.size() == 0);
  }

  // Writes the buffers as one TLS record when they fit in one, otherwise the first buffer.
  // Completion: void(error_code, bytes).
  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    const boost::asio::const_buffer buffer = Gather(buffers);
    return Start</*kWithBytes=*/true>(
        [buffer](SSL* ssl) {
          if (buffer.size() == 0) return 0;
          return SSL_write(ssl, buffer.data(), ClampedSize(buffer.size()));
        },
        std::forward<Token>(token), /*empty_is_done=*/buffer.size() == 0, /*is_write=*/true);
  }

  // Sends close_notify without waiting for the peer's. Completion: void(error_code).
  template <class Token>
  auto async_shutdown(Token&& token) {
    return Start</*kWithBytes=*/false>(
        [](SSL* ssl) {
          const int result = SSL_shutdown(ssl);
          return result == 0 ? 1 : result;  // 0: sent, the peer's not read; enough for a server.
        },
        std::forward<Token>(token));
  }

 private:
  struct SslDeleter {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };

  // The largest TLS record's plaintext: buffers up to this size are written as one record.
  static constexpr std::size_t kMaxRecordBytes = 16 * 1024;

  static int ClampedSize(std::size_t size) {
    return static_cast<int>(std::min<std::size_t>(size, INT_MAX));
  }

  template <class MutableBufferSequence>
  static boost::asio::mutable_buffer FirstNonEmpty(const MutableBufferSequence& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::mutable_buffer buffer(*it);
      if (buffer.size() > 0) return buffer;
    }
    return {};
  }

  // Returns the buffers as one contiguous buffer: the only non-empty one as it is, several that
  // fit in one record copied into gather_, or else the first non-empty one.
  template <class ConstBufferSequence>
  boost::asio::const_buffer Gather(const ConstBufferSequence& buffers) {
    std::size_t total = 0;
    std::size_t non_empty = 0;
    boost::asio::const_buffer first;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::const_buffer buffer(*it);
      if (buffer.size() == 0) continue;
      if (non_empty++ == 0) first = buffer;
      total += buffer.size();
    }
    if (non_empty <= 1 || total > kMaxRecordBytes) return first;
    gather_.clear();
    gather_.reserve(total);
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::const_buffer buffer(*it);
      gather_.append(static_cast<const char*>(buffer.data()), buffer.size());
    }
    return boost::asio::buffer(gather_);
  }

  // Runs `call` until OpenSSL completes it, waiting for the socket whenever OpenSSL reports
  // WANT_READ or WANT_WRITE.
  template <bool kWithBytes, class Call>
  struct Operation {
    TlsStream& stream;
    Call call;
    bool empty_is_done;
    bool is_write;
    bool started = false;
    bool delivering = false;
    boost::system::error_code result_ec;
    std::size_t result_bytes = 0;

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}) {
      if (delivering) {
        // A write's gathered copy is not needed once it completes.
        if (is_write && !stream.gather_.empty()) std::string().swap(stream.gather_);
        if constexpr (kWithBytes) {
          return self.complete(result_ec, result_bytes);
        } else {
          return self.complete(result_ec);
        }
      }
      const bool first = !started;
      started = true;
      if (!ec && !stream.ok()) ec = boost::asio::error::no_memory;
      if (!ec && !empty_is_done && Step(self, ec)) return;
      // The handler must not run inside the call that started the operation.
      result_ec = ec;
      delivering = true;
      if (first) return boost::asio::post(stream.get_executor(), std::move(self));
      (*this)(self);
    }

    // One call into OpenSSL. Returns true when it started a wait for the socket; otherwise the
    // operation is done and `ec` contains its result.
    template <class Self>
    bool Step(Self& self, boost::system::error_code& ec) {
      ERR_clear_error();
      const int result = call(stream.ssl_.get());
      if (result > 0) {
        result_bytes = static_cast<std::size_t>(result);
        return false;
      }
      switch (SSL_get_error(stream.ssl_.get(), result)) {
        case SSL_ERROR_WANT_READ:
          stream.socket_.async_wait(boost::asio::ip::tcp::socket::wait_read, std::move(self));
          return true;
        case SSL_ERROR_WANT_WRITE:
          stream.socket_.async_wait(boost::asio::ip::tcp::socket::wait_write, std::move(self));
          return true;
        case SSL_ERROR_ZERO_RETURN:
          ec = boost::asio::error::eof;
          return false;
        case SSL_ERROR_SYSCALL:
          if (ERR_peek_error() == 0) {
            const int saved_errno = errno;
            ec = saved_errno == 0
                     ? boost::system::error_code(boost::asio::error::eof)
                     : boost::system::error_code(saved_errno, boost::system::system_category());
            return false;
          }
          [[fallthrough]];
        default: {
          const unsigned long code = ERR_get_error();
          ERR_clear_error();
          ec = code == 0 ? boost::system::error_code(boost::asio::error::connection_aborted)
                         : boost::system::error_code(static_cast<int>(code),
                                                     boost::asio::error::get_ssl_category());
          return false;
        }
      }
    }
  };

  template <bool kWithBytes, class Call, class Token>
  auto Start(Call call, Token&& token, bool empty_is_done = false, bool is_write = false) {
    using Signature = std::conditional_t<kWithBytes, void(boost::system::error_code, std::size_t),
                                         void(boost::system::error_code)>;
    return boost::asio::async_compose<Token, Signature>(
        Operation<kWithBytes, Call>{*this,
                                    std::move(call),
                                    empty_is_done,
                                    is_write,
                                    /*started=*/false,
                                    /*delivering=*/false,
                                    {},
                                    0},
        token, socket_);
  }

  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
  std::string gather_;
};

}  // namespace vtguard::http
