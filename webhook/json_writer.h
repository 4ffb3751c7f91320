// Compact JSON text for the admission response, byte for byte what nlohmann::json::dump(-1)
// writes. The writer lives in the Vitess core, which records JSON Patch operations as text.
#pragma once

#include "common/vitess/json_text.h"

namespace vtguard::webhook {

using vitess::AppendJson;
using vitess::AppendJsonString;

}  // namespace vtguard::webhook
