#include "strata/base/status.h"

#include <gtest/gtest.h>

namespace strata::base {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return InvalidArgument("not positive");
  return v;
}

Status UseMacros(int v, int* out) {
  ASSIGN_OR_RETURN(*out, ParsePositive(v));
  RETURN_IF_ERROR(v > 100 ? PayloadTooLarge("too big") : Status::Ok());
  return Status::Ok();
}

TEST(StatusTest, MapsCodesToHttpAndGrpc) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnsupportedMedia), 415);
  EXPECT_EQ(GrpcCodeFor(StatusCode::kUnavailable), 14);
  EXPECT_EQ(StatusCodeName(StatusCode::kDataLoss), "data_loss");
}

TEST(StatusTest, MacrosPropagateErrors) {
  int out = 0;
  EXPECT_TRUE(UseMacros(5, &out).ok());
  EXPECT_EQ(out, 5);
  Status st = UseMacros(-1, &out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.ToString(), "invalid_argument: not positive");
  EXPECT_EQ(UseMacros(500, &out).code(), StatusCode::kPayloadTooLarge);
}

}  // namespace
}  // namespace strata::base
