#include "operator/rotation.h"

#include <gtest/gtest.h>

namespace vtguard::op {
namespace {

struct Case {
  const char* name;
  RotationInputs inputs;
  RotationPhase expected;
};

TEST(NextRotationPhase, FollowsTheDiagram) {
  using P = RotationPhase;
  const Case cases[] = {
      {"idle stays idle", {P::kNone, false, true, true}, P::kNone},
      {"request starts rotation", {P::kNone, true, false, false}, P::kNewCa},
      {"new CA waits for bundle writes", {P::kNewCa, false, false, false}, P::kNewCa},
      {"bundle written moves to trust both", {P::kNewCa, false, true, false}, P::kTrustBoth},
      {"trust both waits for rollout", {P::kTrustBoth, false, true, false}, P::kTrustBoth},
      {"trust both waits for writes", {P::kTrustBoth, false, false, true}, P::kTrustBoth},
      {"rollout done moves to reissue", {P::kTrustBoth, false, true, true}, P::kReissueLeaves},
      {"reissue waits for rollout", {P::kReissueLeaves, false, true, false}, P::kReissueLeaves},
      {"reissue done drops old", {P::kReissueLeaves, false, true, true}, P::kDropOld},
      {"drop waits for rollout", {P::kDropOld, false, true, false}, P::kDropOld},
      {"drop done ends rotation", {P::kDropOld, false, true, true}, P::kNone},
      {"request ignored mid-rotation", {P::kTrustBoth, true, false, false}, P::kTrustBoth},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NextRotationPhase(c.inputs), c.expected) << c.name;
  }
}

TEST(RotationPhaseName, RoundTrips) {
  for (RotationPhase phase :
       {RotationPhase::kNone, RotationPhase::kNewCa, RotationPhase::kTrustBoth,
        RotationPhase::kReissueLeaves, RotationPhase::kDropOld}) {
    bool ok = false;
    EXPECT_EQ(ParseRotationPhase(RotationPhaseName(phase), &ok), phase);
    EXPECT_TRUE(ok);
  }
  bool ok = true;
  ParseRotationPhase("Sideways", &ok);
  EXPECT_FALSE(ok);
}

}  // namespace
}  // namespace vtguard::op
