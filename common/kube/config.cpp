#include "common/kube/config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/kube/base64.h"

namespace vtguard::kube {
namespace {

Result<std::string> DecodeBase64(const std::string& text, const std::string& field) {
  Result<std::string> decoded = Base64Decode(text);
  if (!decoded.ok()) return InvalidArgument(field + ": " + decoded.status().message());
  return decoded;
}

std::string ResolvePath(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

// Finds the entry named `name` in a kubeconfig list such as `clusters`; a null node when absent.
YAML::Node FindNamed(const YAML::Node& list, const std::string& name, const char* field) {
  if (!list || !list.IsSequence()) return YAML::Node();
  for (const auto& entry : list) {
    if (entry["name"] && entry["name"].as<std::string>() == name) return entry[field];
  }
  return YAML::Node();
}

std::string StringField(const YAML::Node& node, const char* key) {
  if (!node || !node[key]) return "";
  return node[key].as<std::string>();
}

// Reads a PEM value given inline (`<key>-data`, base64) or as a file (`<key>`).
Result<std::string> ReadPemField(const YAML::Node& node, const std::string& key,
                                 const std::string& base_dir, const std::string& where) {
  std::string data = StringField(node, (key + "-data").c_str());
  if (!data.empty()) return DecodeBase64(data, where + "." + key + "-data");
  std::string file = StringField(node, key.c_str());
  if (file.empty()) return std::string();
  Result<std::string> text = ReadSmallFile(ResolvePath(file, base_dir));
  if (!text.ok()) return text.status().WithContext(where + "." + key);
  return text;
}

Result<ClientConfig> BuildConfig(const YAML::Node& root, const std::string& base_dir,
                                 const KubeconfigOptions& options) {
  std::string context_name = options.context;
  if (context_name.empty()) context_name = StringField(root, "current-context");
  if (context_name.empty()) {
    return InvalidArgument("kubeconfig: current-context is empty; set it or pass a context name");
  }
  YAML::Node context = FindNamed(root["contexts"], context_name, "context");
  if (!context || context.IsNull()) {
    return NotFound("kubeconfig: context \"" + context_name + "\" is not in contexts");
  }
  std::string cluster_name = StringField(context, "cluster");
  std::string user_name = StringField(context, "user");
  YAML::Node cluster = FindNamed(root["clusters"], cluster_name, "cluster");
  if (!cluster || cluster.IsNull()) {
    return NotFound("kubeconfig: cluster \"" + cluster_name + "\" of context \"" + context_name +
                    "\" is not in clusters");
  }
  YAML::Node user = FindNamed(root["users"], user_name, "user");
  if (!user_name.empty() && (!user || user.IsNull())) {
    return NotFound("kubeconfig: user \"" + user_name + "\" is not in users");
  }

  ClientConfig config;
  config.server = StringField(cluster, "server");
  if (config.server.rfind("https://", 0) != 0) {
    return InvalidArgument("kubeconfig: clusters[" + cluster_name + "].server \"" + config.server +
                           "\" must be an https:// URL");
  }
  config.tls_server_name = StringField(cluster, "tls-server-name");
  config.insecure_skip_tls_verify =
      cluster["insecure-skip-tls-verify"] && cluster["insecure-skip-tls-verify"].as<bool>();
  if (config.insecure_skip_tls_verify && !options.allow_insecure) {
    return InvalidArgument("kubeconfig: clusters[" + cluster_name +
                           "].insecure-skip-tls-verify is true; set certificate-authority-data "
                           "instead, or allow insecure connections explicitly");
  }
  const std::string cluster_where = "clusters[" + cluster_name + "]";
  VTG_ASSIGN_OR_RETURN(config.ca_pem,
                       ReadPemField(cluster, "certificate-authority", base_dir, cluster_where));
  if (!user || user.IsNull()) return config;

  const std::string user_where = "users[" + user_name + "]";
  VTG_ASSIGN_OR_RETURN(config.client_cert_pem,
                       ReadPemField(user, "client-certificate", base_dir, user_where));
  VTG_ASSIGN_OR_RETURN(config.client_key_pem,
                       ReadPemField(user, "client-key", base_dir, user_where));
  if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
    return InvalidArgument("kubeconfig: " + user_where +
                           " sets only one of client-certificate and client-key; set both");
  }
  config.token = StringField(user, "token");
  config.token_file = ResolvePath(StringField(user, "tokenFile"), base_dir);
  if (user["exec"] || user["auth-provider"]) {
    return InvalidArgument("kubeconfig: " + user_where +
                           " uses exec or auth-provider credentials, which are not supported; "
                           "use a token or a client certificate");
  }
  return config;
}

}  // namespace

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the file");
  std::string data;
  char buffer[4096];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    data.append(buffer, static_cast<size_t>(in.gcount()));
    if (data.size() > max_bytes) {
      return ResourceExhausted(path + ": file is larger than " + std::to_string(max_bytes) +
                               " bytes");
    }
  }
  return data;
}

Result<ClientConfig> ParseKubeconfig(const std::string& text, const std::string& base_dir,
                                     const KubeconfigOptions& options) {
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return InvalidArgument("kubeconfig: the document is not a YAML mapping");
    return BuildConfig(root, base_dir, options);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string("kubeconfig: invalid YAML: ") + e.what());
  }
}

Result<ClientConfig> LoadKubeconfig(const std::string& path, const KubeconfigOptions& options) {
  VTG_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  std::string base_dir;
  size_t slash = path.rfind('/');
  if (slash != std::string::npos) base_dir = path.substr(0, slash);
  Result<ClientConfig> config = ParseKubeconfig(text, base_dir, options);
  if (!config.ok()) return config.status().WithContext(path);
  return config;
}

Result<ClientConfig> LoadInClusterConfig(const std::string& service_account_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr || *host == '\0' || *port == '\0') {
    return FailedPrecondition(
        "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; not running in a "
        "cluster, so pass --kubeconfig");
  }
  ClientConfig config;
  std::string host_text = host;
  if (host_text.find(':') != std::string::npos) host_text = "[" + host_text + "]";
  config.server = "https://" + host_text + ":" + port;
  config.token_file = service_account_dir + "/token";
  VTG_ASSIGN_OR_RETURN(config.ca_pem, ReadSmallFile(service_account_dir + "/ca.crt"));
  VTG_RETURN_IF_ERROR(ReadSmallFile(config.token_file).status());
  return config;
}

}  // namespace vtguard::kube
