#include "tests/e2e/tls_handshake.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <memory>
#include <thread>

namespace vtguard::e2e {
namespace {

namespace fs = std::filesystem;

constexpr int kIoTimeoutSeconds = 5;
constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
// An empty HTTP/2 SETTINGS frame: length 0, type 4, flags 0, stream 0.
constexpr std::array<unsigned char, 9> kSettingsFrame = {0, 0, 0, 4, 0, 0, 0, 0, 0};
constexpr unsigned char kAlpnH2[] = {2, 'h', '2'};

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

// A file descriptor closed on scope exit.
class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Drains the thread's OpenSSL error queue into one line.
std::string OpenSslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    text += (text.empty() ? "" : "; ") + std::string(buffer);
  }
  return text.empty() ? "no OpenSSL error recorded" : text;
}

void SetTimeouts(int fd) {
  timeval timeout{kIoTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
}

// Listens on 127.0.0.1 port 0; returns the socket and its port.
Result<std::pair<int, int>> Listen() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(fd, 4) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::string error = std::strerror(errno);
    close(fd);
    return Internal("listening on 127.0.0.1: " + error);
  }
  return std::make_pair(fd, static_cast<int>(ntohs(address.sin_port)));
}

Result<int> Dial(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  SetTimeouts(fd);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    std::string error = std::strerror(errno);
    close(fd);
    return Unavailable("connecting to 127.0.0.1:" + std::to_string(port) + ": " + error);
  }
  return fd;
}

// Accepts one connection within the I/O timeout.
Result<int> AcceptOne(int listen_fd) {
  pollfd waiter{listen_fd, POLLIN, 0};
  if (poll(&waiter, 1, kIoTimeoutSeconds * 1000) <= 0) {
    return DeadlineExceeded("no client connected within " + std::to_string(kIoTimeoutSeconds) +
                            " s");
  }
  int fd = accept(listen_fd, nullptr, nullptr);
  if (fd < 0) return Internal(std::string("accept: ") + std::strerror(errno));
  SetTimeouts(fd);
  return fd;
}

int SelectH2(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
             unsigned int in_length, void*) {
  unsigned char* selected = nullptr;
  int found = SSL_select_next_proto(&selected, out_length, kAlpnH2, sizeof(kAlpnH2), in, in_length);
  if (found != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

Result<SslCtxPtr> MakeServerContext(const TlsServerFiles& files) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return Internal("SSL_CTX_new: " + OpenSslErrors());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), files.cert.c_str()) != 1) {
    return InvalidArgument("server certificate " + files.cert.string() + ": " + OpenSslErrors());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), files.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1) {
    return InvalidArgument("server key " + files.key.string() + ": " + OpenSslErrors());
  }
  if (files.ca.has_value()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), files.ca->c_str(), nullptr) != 1) {
      return InvalidArgument("server CA " + files.ca->string() + ": " + OpenSslErrors());
    }
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  if (files.verify_time.has_value()) {
    X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(ctx.get()), *files.verify_time);
  }
  SSL_CTX_set_alpn_select_cb(ctx.get(), SelectH2, nullptr);
  return ctx;
}

Result<SslCtxPtr> MakeClientContext(const TlsClientFiles& files) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return Internal("SSL_CTX_new: " + OpenSslErrors());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  int loaded = files.ca.has_value()
                   ? SSL_CTX_load_verify_locations(ctx.get(), files.ca->c_str(), nullptr)
                   : SSL_CTX_set_default_verify_paths(ctx.get());
  if (loaded != 1) return InvalidArgument("client trust bundle: " + OpenSslErrors());
  if (files.verify_time.has_value()) {
    X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(ctx.get()), *files.verify_time);
  }
  if (files.cert.has_value()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), files.cert->c_str()) != 1) {
      return InvalidArgument("client certificate " + files.cert->string() + ": " + OpenSslErrors());
    }
    fs::path key = files.key.value_or(fs::path());
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1) {
      return InvalidArgument("client key " + key.string() + ": " + OpenSslErrors());
    }
  }
  if (SSL_CTX_set_alpn_protos(ctx.get(), kAlpnH2, sizeof(kAlpnH2)) != 0) {
    return Internal("SSL_CTX_set_alpn_protos: " + OpenSslErrors());
  }
  return ctx;
}

bool ReadExactly(SSL* ssl, int fd, unsigned char* buffer, size_t size) {
  size_t done = 0;
  while (done < size) {
    int n = ssl != nullptr ? SSL_read(ssl, buffer + done, static_cast<int>(size - done))
                           : static_cast<int>(recv(fd, buffer + done, size - done, 0));
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

bool WriteAll(SSL* ssl, int fd, const void* data, size_t size) {
  int n = ssl != nullptr ? SSL_write(ssl, data, static_cast<int>(size))
                         : static_cast<int>(send(fd, data, size, MSG_NOSIGNAL));
  return n == static_cast<int>(size);
}

// Reads the client preface and replies with SETTINGS, over TLS when `ssl` is set.
std::string ServeHttp2Preface(SSL* ssl, int fd) {
  std::array<unsigned char, kHttp2Preface.size()> preface{};
  if (!ReadExactly(ssl, fd, preface.data(), preface.size())) {
    return "reading the HTTP/2 preface failed: " + OpenSslErrors();
  }
  if (std::memcmp(preface.data(), kHttp2Preface.data(), preface.size()) != 0) {
    return "the client did not send the HTTP/2 preface";
  }
  if (!WriteAll(ssl, fd, kSettingsFrame.data(), kSettingsFrame.size())) {
    return "writing SETTINGS failed";
  }
  return "";
}

// Serves one connection; returns the server-side failure reason, empty on success.
std::string ServeOne(int listen_fd, SSL_CTX* ctx, bool optional_tls) {
  Result<int> accepted = AcceptOne(listen_fd);
  if (!accepted.ok()) return accepted.status().message();
  Socket connection(*accepted);

  if (optional_tls) {
    // Optional TLS detects a TLS client by its first byte (0x16, a TLS handshake record).
    unsigned char first = 0;
    if (recv(connection.fd(), &first, 1, MSG_PEEK) == 1 && first != 0x16) {
      return ServeHttp2Preface(nullptr, connection.fd());
    }
  }
  SslPtr ssl(SSL_new(ctx));
  SSL_set_fd(ssl.get(), connection.fd());
  if (SSL_accept(ssl.get()) != 1) return "TLS handshake failed: " + OpenSslErrors();
  std::string failure = ServeHttp2Preface(ssl.get(), connection.fd());
  SSL_shutdown(ssl.get());
  return failure;
}

std::string VerifyFailure(SSL* ssl) {
  long verify = SSL_get_verify_result(ssl);
  if (verify == X509_V_OK) return "";
  return std::string(" (certificate verify: ") + X509_verify_cert_error_string(verify) + ")";
}

// Connects over TLS and exchanges the preface; fills `result`.
void RunTlsClient(SSL_CTX* ctx, const TlsClientFiles& files, int port, HandshakeResult& result) {
  Result<int> dialled = Dial(port);
  if (!dialled.ok()) {
    result.reason = "client: " + dialled.status().message();
    return;
  }
  Socket connection(*dialled);
  SslPtr ssl(SSL_new(ctx));
  SSL_set_fd(ssl.get(), connection.fd());
  if (files.server_name.empty()) {
    // Go's crypto/tls verifies the dialled address when no server name is configured.
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), "127.0.0.1");
  } else {
    // SSL_set_tlsext_host_name, spelled out because the macro uses a C cast.
    SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(files.server_name.c_str()));
    SSL_set1_host(ssl.get(), files.server_name.c_str());
  }
  if (SSL_connect(ssl.get()) != 1) {
    result.reason = "client: TLS handshake failed: " + OpenSslErrors() + VerifyFailure(ssl.get());
    return;
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpn_length = 0;
  SSL_get0_alpn_selected(ssl.get(), &alpn, &alpn_length);
  result.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_length);
  result.protocol = SSL_get_version(ssl.get());
  if (X509* peer = SSL_get1_peer_certificate(ssl.get())) {
    char subject[512];
    X509_NAME_oneline(X509_get_subject_name(peer), subject, sizeof(subject));
    result.peer_subject = subject;
    X509_free(peer);
  }
  std::array<unsigned char, kSettingsFrame.size()> settings{};
  if (!WriteAll(ssl.get(), connection.fd(), kHttp2Preface.data(), kHttp2Preface.size()) ||
      !ReadExactly(ssl.get(), connection.fd(), settings.data(), settings.size())) {
    // With TLS 1.3 a rejected client certificate surfaces here, after the handshake.
    result.reason = "client: no HTTP/2 SETTINGS after the handshake: " + OpenSslErrors();
    return;
  }
  result.ok = settings == kSettingsFrame && result.alpn == "h2";
  if (!result.ok) result.reason = "client: ALPN h2 not negotiated or SETTINGS malformed";
  SSL_shutdown(ssl.get());
}

void RunPlaintextClient(int port, HandshakeResult& result) {
  Result<int> dialled = Dial(port);
  if (!dialled.ok()) {
    result.reason = "client: " + dialled.status().message();
    return;
  }
  Socket connection(*dialled);
  std::array<unsigned char, kSettingsFrame.size()> settings{};
  if (!WriteAll(nullptr, connection.fd(), kHttp2Preface.data(), kHttp2Preface.size()) ||
      !ReadExactly(nullptr, connection.fd(), settings.data(), settings.size()) ||
      settings != kSettingsFrame) {
    result.reason = "client: the server did not answer the plaintext HTTP/2 preface";
    return;
  }
  result.ok = true;
  result.protocol = "plaintext";
}

// Starts a server for one connection, runs `client` against its port, joins the server.
template <typename Client>
HandshakeResult WithServer(const TlsServerFiles& server, Client client) {
  HandshakeResult result;
  Result<SslCtxPtr> server_ctx = MakeServerContext(server);
  if (!server_ctx.ok()) {
    result.reason = "server: " + server_ctx.status().message();
    return result;
  }
  Result<std::pair<int, int>> listener = Listen();
  if (!listener.ok()) {
    result.reason = "server: " + listener.status().message();
    return result;
  }
  Socket listen_socket(listener->first);
  std::string server_failure;
  std::thread server_thread([&] {
    server_failure = ServeOne(listen_socket.fd(), server_ctx->get(), server.optional_tls);
    ERR_clear_error();
  });
  client(listener->second, result);
  server_thread.join();
  if (!server_failure.empty()) {
    result.ok = false;
    result.reason += (result.reason.empty() ? "" : "; ") + ("server: " + server_failure);
  }
  return result;
}

}  // namespace

Result<TlsClientFiles> ClientFiles(const MaterializedPod& pod, std::string_view flag_prefix) {
  std::string prefix(flag_prefix);
  TlsClientFiles files;
  VTG_ASSIGN_OR_RETURN(files.ca, pod.FlagFile(prefix + "-ca"));
  VTG_ASSIGN_OR_RETURN(files.cert, pod.FlagFile(prefix + "-cert"));
  VTG_ASSIGN_OR_RETURN(files.key, pod.FlagFile(prefix + "-key"));
  files.server_name = pod.flags.Get(prefix + "-server-name").value_or("");
  return files;
}

Result<TlsServerFiles> TabletServerFiles(const MaterializedPod& pod) {
  TlsServerFiles files;
  VTG_ASSIGN_OR_RETURN(std::optional<fs::path> cert, pod.FlagFile("grpc-cert"));
  VTG_ASSIGN_OR_RETURN(std::optional<fs::path> key, pod.FlagFile("grpc-key"));
  if (!cert.has_value() || !key.has_value()) {
    return FailedPrecondition("Pod " + pod.name +
                              " sets no --grpc-cert and --grpc-key, so its gRPC port is plaintext");
  }
  files.cert = *cert;
  files.key = *key;
  VTG_ASSIGN_OR_RETURN(files.ca, pod.FlagFile("grpc-ca"));
  files.optional_tls = pod.flags.Get("grpc-enable-optional-tls").value_or("false") == "true";
  return files;
}

Result<TlsClientFiles> TabletClientFiles(const MaterializedPod& pod) {
  return ClientFiles(pod, "tablet-grpc");
}

Result<TlsClientFiles> TabletManagerClientFiles(const MaterializedPod& pod) {
  return ClientFiles(pod, "tablet-manager-grpc");
}

HandshakeResult RunHandshake(const TlsServerFiles& server, const TlsClientFiles& client) {
  if (!client.ca.has_value() && !client.cert.has_value()) {
    // Vitess dials plaintext when no TLS client flag is set.
    return RunPlaintextAttempt(server);
  }
  Result<SslCtxPtr> client_ctx = MakeClientContext(client);
  if (!client_ctx.ok()) {
    HandshakeResult result;
    result.reason = "client: " + client_ctx.status().message();
    return result;
  }
  return WithServer(server, [&](int port, HandshakeResult& result) {
    RunTlsClient(client_ctx->get(), client, port, result);
    ERR_clear_error();
  });
}

HandshakeResult RunPlaintextAttempt(const TlsServerFiles& server) {
  return WithServer(server,
                    [](int port, HandshakeResult& result) { RunPlaintextClient(port, result); });
}

HandshakeResult TabletHandshake(const MaterializedPod& server, const MaterializedPod& client,
                                std::optional<std::time_t> verify_time) {
  HandshakeResult failed;
  Result<TlsServerFiles> server_files = TabletServerFiles(server);
  if (!server_files.ok()) {
    failed.reason = "server: " + server_files.status().message();
    return failed;
  }
  Result<TlsClientFiles> client_files = TabletClientFiles(client);
  if (!client_files.ok()) {
    failed.reason = "client: " + client_files.status().message();
    return failed;
  }
  server_files->verify_time = verify_time;
  client_files->verify_time = verify_time;
  return RunHandshake(*server_files, *client_files);
}

}  // namespace vtguard::e2e
