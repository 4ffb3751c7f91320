// Reading certificates, keys and bundles from files, with errors that name the file and the fix.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "common/base/status.h"
#include "common/pki/bundle.h"
#include "common/pki/certificate.h"
#include "common/pki/key.h"

namespace vtguard::pki {

// Files larger than this are rejected before parsing (a bundle of hundreds of CAs fits).
inline constexpr size_t kMaxPkiFileBytes = 1 << 20;

// Reads a whole file of at most kMaxPkiFileBytes. kNotFound when it does not exist.
Result<std::string> ReadPkiFile(const std::filesystem::path& path);

Result<Certificate> LoadCertificateFile(const std::filesystem::path& path);
Result<PrivateKey> LoadPrivateKeyFile(const std::filesystem::path& path);
Result<TrustBundle> LoadTrustBundleFile(const std::filesystem::path& path);
// Loads a certificate and its key; kInvalidArgument naming both files when they do not match.
Result<CertifiedKey> LoadCertifiedKeyFiles(const std::filesystem::path& certificate_path,
                                           const std::filesystem::path& key_path);

}  // namespace vtguard::pki
