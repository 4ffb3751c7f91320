#include "tests/e2e/cert_fixtures.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/e2e/mounts.h"
#include "tests/e2e/yaml_json.h"

namespace vtguard::e2e::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void RunOpenSsl(const std::string& arguments) {
  std::string command = "openssl " + arguments + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "failed: " << command;
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

json TlsVolume(const std::string& secret_name) {
  return json::array({{{"name", "vtguard-tls"}, {"secret", {{"secretName", secret_name}}}}});
}

json TlsMount() {
  return json::array(
      {{{"name", "vtguard-tls"}, {"mountPath", "/vt/vtguard/tls"}, {"readOnly", true}}});
}

json ClientFlags(const std::string& prefix) {
  return {{prefix + "-ca", "/vt/vtguard/tls/ca.crt"},
          {prefix + "-server-name", "vttablet.vtguard.internal"}};
}

void AddTls(json& component, const json& flags, const std::string& secret_name) {
  for (const auto& [key, value] : flags.items()) component["extraFlags"][key] = value;
  component["extraVolumes"] = TlsVolume(secret_name);
  component["extraVolumeMounts"] = TlsMount();
}

}  // namespace

CertFiles MakeCa(const fs::path& dir, const std::string& name) {
  CertFiles files{dir / (name + ".crt"), dir / (name + ".key")};
  RunOpenSsl("req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -keyout " +
             files.key.string() + " -out " + files.cert.string() + " -subj /CN=" + name +
             " -addext basicConstraints=critical,CA:TRUE"
             " -addext keyUsage=critical,keyCertSign,cRLSign");
  return files;
}

CertFiles MakeLeaf(const fs::path& dir, const std::string& name, const CertFiles& ca,
                   const std::vector<std::string>& dns_names) {
  CertFiles files{dir / (name + ".crt"), dir / (name + ".key")};
  fs::path csr = dir / (name + ".csr");
  fs::path extensions = dir / (name + ".ext");
  std::string sans;
  for (const std::string& dns : dns_names) sans += (sans.empty() ? "DNS:" : ",DNS:") + dns;
  WriteText(extensions, "subjectAltName=" + sans +
                            "\nextendedKeyUsage=serverAuth,clientAuth\n"
                            "keyUsage=critical,digitalSignature\n");
  RunOpenSsl("req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
             files.key.string() + " -out " + csr.string() + " -subj /CN=" + name);
  RunOpenSsl("x509 -req -in " + csr.string() + " -CA " + ca.cert.string() + " -CAkey " +
             ca.key.string() + " -set_serial 0x" + std::to_string(std::rand() % 100000 + 1) +
             " -days 10 -extfile " + extensions.string() + " -out " + files.cert.string());
  return files;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

json TlsSecret(const std::string& name, const std::string& cert_pem, const std::string& key_pem,
               const std::string& ca_pem) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"type", "kubernetes.io/tls"},
          {"metadata", {{"name", name}, {"namespace", "example"}}},
          {"data",
           {{"tls.crt", EncodeBase64(cert_pem)},
            {"tls.key", EncodeBase64(key_pem)},
            {"ca.crt", EncodeBase64(ca_pem)}}}};
}

json InjectedExampleCluster(const std::string& secret_name) {
  auto documents = LoadYamlFile(fs::path(VTGUARD_SHARED_DATA_DIR) /
                                "data/vitess-operator/101_initial_cluster.yaml");
  EXPECT_TRUE(documents.ok()) << documents.status().ToString();
  if (!documents.ok()) return json::object();
  json cluster = (*documents)[0];
  json& spec = cluster["spec"];

  json tablet_flags = {{"grpc-cert", "/vt/vtguard/tls/tls.crt"},
                       {"grpc-key", "/vt/vtguard/tls/tls.key"}};
  tablet_flags.update(ClientFlags("tablet-grpc"));
  tablet_flags.update(ClientFlags("tablet-manager-grpc"));
  for (json& keyspace : spec["keyspaces"]) {
    for (json& partitioning : keyspace["partitionings"]) {
      for (json& pool : partitioning["equal"]["shardTemplate"]["tabletPools"]) {
        AddTls(pool["vttablet"], tablet_flags, secret_name);
        // Volumes and mounts of a tablet pool sit on the pool, not on its vttablet object.
        pool["extraVolumes"] = pool["vttablet"]["extraVolumes"];
        pool["extraVolumeMounts"] = pool["vttablet"]["extraVolumeMounts"];
        pool["vttablet"].erase("extraVolumes");
        pool["vttablet"].erase("extraVolumeMounts");
        pool["extraEnv"] = json::array({{{"name", "VTGUARD_TLS_REVISION"}, {"value", "1"}}});
      }
    }
    if (keyspace.contains("vitessOrchestrator")) {
      AddTls(keyspace["vitessOrchestrator"], ClientFlags("tablet-manager-grpc"), secret_name);
    }
  }
  for (json& cell : spec["cells"]) AddTls(cell["gateway"], ClientFlags("tablet-grpc"), secret_name);
  json vtctld_flags = ClientFlags("tablet-grpc");
  vtctld_flags.update(ClientFlags("tablet-manager-grpc"));
  AddTls(spec["vitessDashboard"], vtctld_flags, secret_name);
  return cluster;
}

fs::path MakeTempDir(const std::string& name) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::temp_directory_path() / "vtguard-e2e" / std::to_string(getpid()) /
                 (std::string(test->test_suite_name()) + "." + test->name()) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace vtguard::e2e::testing
