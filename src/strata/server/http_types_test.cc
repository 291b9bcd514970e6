#include "strata/server/http_types.h"

#include <gtest/gtest.h>

namespace strata::server {
namespace {

TEST(HttpTypesTest, ParsesQueryStrings) {
  auto q = ParseQueryString("service=api&tag.k=v%20w&empty=&flag&x=a+b&&bad=%zz");
  ASSERT_EQ(q.size(), 6u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"service", "api"}));
  EXPECT_EQ(q[1].second, "v w");
  EXPECT_EQ(q[2].second, "");
  EXPECT_EQ(q[3].first, "flag");
  EXPECT_EQ(q[4].second, "a b");
  EXPECT_EQ(q[5].second, "%zz");
}

TEST(HttpTypesTest, ErrorResponsesAreJsonWithCodeAndRetryAfter) {
  auto r = ErrorResponse(base::ResourceExhausted("slow \"down\""), "[1]");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, R"({"error":"slow \"down\"","code":"resource_exhausted","details":[1]})");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  EXPECT_EQ(ErrorResponse(base::PayloadTooLarge("x")).status, 413);
}

TEST(HttpTypesTest, HeaderLookupIsCaseInsensitive) {
  HttpRequest req;
  req.headers = {{"X-Tenant-ID", "acme"}};
  EXPECT_EQ(req.Header("x-tenant-id"), "acme");
  EXPECT_EQ(req.Header("X-Scope-OrgID"), "");
}

}  // namespace
}  // namespace strata::server
