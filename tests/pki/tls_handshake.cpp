#include "tests/pki/tls_handshake.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "common/pki/openssl_handles.h"

namespace vtguard::pki::testing {
namespace {

constexpr int kTimeoutSeconds = 5;

std::string DrainErrors(const char* step) {
  std::string text = step;
  while (unsigned long error = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(error, buffer, sizeof(buffer));
    text += ": ";
    text += buffer;
  }
  return text;
}

// The reason the peer's certificate failed verification, e.g. " (certificate revoked)", or "".
std::string VerifyError(const SSL* ssl) {
  long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return {};
  return std::string(" (") + X509_verify_cert_error_string(result) + ")";
}

void SetTimeouts(int fd) {
  timeval timeout{kTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
}

SslCtxPtr NewContext(const SSL_METHOD* method, const TlsPeer& peer, int version) {
  SslCtxPtr context(SSL_CTX_new(method));
  SSL_CTX_set_min_proto_version(context.get(), version);
  SSL_CTX_set_max_proto_version(context.get(), version);
  if (peer.identity.has_value()) {
    SSL_CTX_use_certificate(context.get(), peer.identity->certificate.get());
    SSL_CTX_use_PrivateKey(context.get(), peer.identity->key.get());
  }
  X509_STORE* store = SSL_CTX_get_cert_store(context.get());
  for (const Certificate& ca : peer.trust.certificates()) X509_STORE_add_cert(store, ca.get());
  if (!peer.crl_pem.empty()) {
    BioPtr bio(BIO_new_mem_buf(peer.crl_pem.data(), static_cast<int>(peer.crl_pem.size())));
    while (X509CrlPtr crl{PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)}) {
      X509_STORE_add_crl(store, crl.get());  // The store takes its own reference.
    }
    ERR_clear_error();
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  }
  return context;
}

// Listens on 127.0.0.1 with an ephemeral port; returns the socket and sets `port`.
int Listen(int& port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  listen(fd, 1);
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

void Serve(int listen_fd, SSL_CTX* context, std::string& error, bool& accepted) {
  pollfd waiting{listen_fd, POLLIN, 0};
  if (poll(&waiting, 1, kTimeoutSeconds * 1000) != 1) {
    error = "no connection within the timeout";
    return;
  }
  int fd = accept(listen_fd, nullptr, nullptr);
  SetTimeouts(fd);
  SslPtr ssl(SSL_new(context));
  SSL_set_fd(ssl.get(), fd);
  if (SSL_accept(ssl.get()) == 1) {
    accepted = true;
    SSL_write(ssl.get(), "k", 1);
    SSL_shutdown(ssl.get());
  } else {
    error = DrainErrors("SSL_accept") + VerifyError(ssl.get());
  }
  close(fd);
}

}  // namespace

HandshakeResult RunHandshake(const TlsPeer& server, const TlsPeer& client,
                             const HandshakeOptions& options) {
  HandshakeResult result;
  SslCtxPtr server_context = NewContext(TLS_server_method(), server, options.tls_version);
  if (options.require_client_certificate) {
    SSL_CTX_set_verify(server_context.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       nullptr);
  }
  SslCtxPtr client_context = NewContext(TLS_client_method(), client, options.tls_version);
  SSL_CTX_set_verify(client_context.get(), SSL_VERIFY_PEER, nullptr);

  int port = 0;
  int listen_fd = Listen(port);
  bool accepted = false;
  std::thread server_thread(Serve, listen_fd, server_context.get(), std::ref(result.server_error),
                            std::ref(accepted));

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  SetTimeouts(fd);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  bool received = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    SslPtr ssl(SSL_new(client_context.get()));
    SSL_set_fd(ssl.get(), fd);
    // SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
    SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(options.server_name.c_str()));
    SSL_set1_host(ssl.get(), options.server_name.c_str());
    char byte = 0;
    // In TLS 1.3 a rejected client certificate shows up on the first read, not in connect.
    if (SSL_connect(ssl.get()) != 1) {
      result.client_error = DrainErrors("SSL_connect") + VerifyError(ssl.get());
    } else if (SSL_read(ssl.get(), &byte, 1) != 1 || byte != 'k') {
      result.client_error = DrainErrors("SSL_read");
    } else {
      received = true;
    }
  } else {
    result.client_error = "connect failed";
  }
  close(fd);
  server_thread.join();
  close(listen_fd);
  result.ok = accepted && received;
  return result;
}

}  // namespace vtguard::pki::testing
