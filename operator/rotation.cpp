#include "operator/rotation.h"

namespace vtguard::op {

std::string_view RotationPhaseName(RotationPhase phase) {
  switch (phase) {
    case RotationPhase::kNone:
      return "None";
    case RotationPhase::kNewCa:
      return "NewCA";
    case RotationPhase::kTrustBoth:
      return "TrustBoth";
    case RotationPhase::kReissueLeaves:
      return "ReissueLeaves";
    case RotationPhase::kDropOld:
      return "DropOld";
  }
  return "None";
}

RotationPhase ParseRotationPhase(std::string_view text, bool* ok) {
  *ok = true;
  for (RotationPhase phase :
       {RotationPhase::kNone, RotationPhase::kNewCa, RotationPhase::kTrustBoth,
        RotationPhase::kReissueLeaves, RotationPhase::kDropOld}) {
    if (text == RotationPhaseName(phase)) return phase;
  }
  if (text.empty()) return RotationPhase::kNone;
  *ok = false;
  return RotationPhase::kNone;
}

RotationPhase NextRotationPhase(const RotationInputs& inputs) {
  const bool rolled_out = inputs.secrets_converged && inputs.rollout_complete;
  switch (inputs.phase) {
    case RotationPhase::kNone:
      return inputs.requested ? RotationPhase::kNewCa : RotationPhase::kNone;
    case RotationPhase::kNewCa:
      // The bundle with both CAs is written; its rollout is what kTrustBoth waits for.
      return inputs.secrets_converged ? RotationPhase::kTrustBoth : RotationPhase::kNewCa;
    case RotationPhase::kTrustBoth:
      return rolled_out ? RotationPhase::kReissueLeaves : RotationPhase::kTrustBoth;
    case RotationPhase::kReissueLeaves:
      return rolled_out ? RotationPhase::kDropOld : RotationPhase::kReissueLeaves;
    case RotationPhase::kDropOld:
      return rolled_out ? RotationPhase::kNone : RotationPhase::kDropOld;
  }
  return inputs.phase;
}

}  // namespace vtguard::op
