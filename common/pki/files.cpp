#include "common/pki/files.h"

#include <fstream>
#include <system_error>

namespace vtguard::pki {
namespace {

Status InFile(const std::filesystem::path& path, const Status& status, std::string_view fix) {
  return Status(status.code(), path.string() + ": " + status.message() + "; " + std::string(fix));
}

}  // namespace

Result<std::string> ReadPkiFile(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return NotFound(path.string() + ": file not found; check the path");
  }
  if (!std::filesystem::is_regular_file(path, error)) {
    return InvalidArgument(path.string() + ": not a regular file; give the path of a PEM file");
  }
  auto size = std::filesystem::file_size(path, error);
  if (error) return Unavailable(path.string() + ": cannot read the size: " + error.message());
  if (size > kMaxPkiFileBytes) {
    return ResourceExhausted(path.string() + ": the file has " + std::to_string(size) +
                             " bytes, more than the limit of " + std::to_string(kMaxPkiFileBytes) +
                             " for certificates and keys");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unavailable(path.string() + ": cannot open the file; check its permissions");
  std::string data(static_cast<size_t>(size), '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

Result<Certificate> LoadCertificateFile(const std::filesystem::path& path) {
  VTG_ASSIGN_OR_RETURN(std::string data, ReadPkiFile(path));
  Result<Certificate> cert = Certificate::Parse(data);
  if (!cert.ok()) {
    return InFile(path, cert.status(), "give a PEM or DER X.509 certificate");
  }
  return cert;
}

Result<PrivateKey> LoadPrivateKeyFile(const std::filesystem::path& path) {
  VTG_ASSIGN_OR_RETURN(std::string data, ReadPkiFile(path));
  Result<PrivateKey> key = data.find("-----BEGIN") != std::string::npos ? PrivateKey::FromPem(data)
                                                                        : PrivateKey::FromDer(data);
  if (!key.ok()) return InFile(path, key.status(), "give an unencrypted private key");
  return key;
}

Result<TrustBundle> LoadTrustBundleFile(const std::filesystem::path& path) {
  VTG_ASSIGN_OR_RETURN(std::string data, ReadPkiFile(path));
  Result<TrustBundle> bundle = TrustBundle::Parse(data);
  if (!bundle.ok()) {
    return InFile(path, bundle.status(), "give a file of PEM CA certificates");
  }
  if (bundle->empty()) {
    return InvalidArgument(path.string() +
                           ": the file is empty; give a file of PEM CA certificates");
  }
  return bundle;
}

Result<CertifiedKey> LoadCertifiedKeyFiles(const std::filesystem::path& certificate_path,
                                           const std::filesystem::path& key_path) {
  VTG_ASSIGN_OR_RETURN(Certificate cert, LoadCertificateFile(certificate_path));
  VTG_ASSIGN_OR_RETURN(PrivateKey key, LoadPrivateKeyFile(key_path));
  if (!cert.MatchesKey(key)) {
    return InvalidArgument(key_path.string() + ": the private key does not match the certificate " +
                           certificate_path.string() +
                           "; give the key that was written with that certificate");
  }
  return CertifiedKey{std::move(cert), std::move(key)};
}

}  // namespace vtguard::pki
