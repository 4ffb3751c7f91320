#include "operator/resources.h"

namespace vtguard::op {

std::string CaSecretName(std::string_view owner) { return std::string(owner) + "-vtguard-ca"; }

}  // namespace vtguard::op
