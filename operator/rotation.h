// The CA key rotation state machine. A rotation replaces the CA key with no moment at which a
// consumer distrusts a certificate that a peer presents:
//
//   kNone ──rotation requested: new CA stored as next.*──▶ kNewCa
//     ▲                                                      │ every leaf's ca.crt = old + new
//     │                                                      ▼   (revision bumped)
//     │                                                  kTrustBoth
//     │                                                      │ rollout of that revision
//     │                                                      ▼   confirmed by pod restarts
//     │  swap: new CA signs, old kept as previous.crt ── kReissueLeaves
//     │                                                      │ leaves re-issued by the new CA,
//     │                                                      ▼   rollout confirmed
//     │  previous.crt dropped, ca.crt = new only ──────── kDropOld
//     └──────────── rollout of the new-only bundle confirmed ┘
//
// The phase and the time it was entered live in annotations on the CA Secret, so a restarted
// operator resumes where it stopped. Each transition is one write of the CA Secret; everything
// else a phase needs (leaf contents, bundle, revision) is recomputed from that Secret, so a
// crash between two writes only repeats idempotent work.
#pragma once

#include <string>
#include <string_view>

namespace vtguard::op {

enum class RotationPhase {
  kNone = 0,
  kNewCa = 1,
  kTrustBoth = 2,
  kReissueLeaves = 3,
  kDropOld = 4
};

// "None", "NewCA", "TrustBoth", "ReissueLeaves", "DropOld": the annotation and status spelling.
std::string_view RotationPhaseName(RotationPhase phase);
// Parses RotationPhaseName's output; "" is kNone; anything else is nullopt-like kNone with
// `ok` false.
RotationPhase ParseRotationPhase(std::string_view text, bool* ok);

struct RotationInputs {
  RotationPhase phase = RotationPhase::kNone;
  // A rotation was requested (new token on the cluster, or the policy's CA key type changed).
  // Only read in kNone.
  bool requested = false;
  // Every leaf Secret has what the phase wants and the VitessCluster carries its revision.
  bool secrets_converged = false;
  // Every pod of the cluster runs that revision and is Ready.
  bool rollout_complete = false;
};

// Returns the phase to move to; the same phase means wait. Pure.
RotationPhase NextRotationPhase(const RotationInputs& inputs);

}  // namespace vtguard::op
