// vtguard's certificate core: keys, certificates, CA creation and renewal, leaf issuance,
// renewal times, trust bundles, CRLs and chain verification, on OpenSSL 3.
//
//   FakeClock clock(...);
//   Result<CertifiedKey> ca = CreateCa({.common_name = "vtguard-ca"}, clock);
//   LeafRequest request{.common_name = "vttablet", .dns_names = {"vttablet.vtguard.internal"},
//                       .usages = {Usage::kServer, Usage::kClient}};
//   Result<CertifiedKey> leaf = IssueLeaf(*ca, request, clock);
//   TrustBundle bundle;
//   bundle.Add(ca->certificate);
//   VerifyResult result = VerifyCertificate(leaf->certificate, bundle,
//                                           {.server_name = "vttablet.vtguard.internal"}, clock);
#pragma once

#include "common/pki/bundle.h"
#include "common/pki/certificate.h"
#include "common/pki/crl.h"
#include "common/pki/files.h"
#include "common/pki/issue.h"
#include "common/pki/key.h"
#include "common/pki/openssl_error.h"
#include "common/pki/renewal.h"
#include "common/pki/verify.h"
