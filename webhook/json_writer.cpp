// The writer itself is common/vitess/json_text.cpp; this file keeps the header compiled in the
// webhook library.
#include "webhook/json_writer.h"
