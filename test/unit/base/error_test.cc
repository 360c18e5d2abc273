#include "base/error.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) {
    return fail(ErrorCode::kInvalidArgument, "'{}' is odd", x);
  }
  return x / 2;
}

Result<int> quarter(int x) {
  BERTH_ASSIGN_OR_RETURN(int h, half(x));
  auto q = half(h);
  if (!q) {
    return fail(std::move(q.error()).wrap("halve again"));
  }
  return *q;
}

TEST(ErrorTest, PropagatesWithContext) {
  EXPECT_EQ(*quarter(8), 2);
  auto r = quarter(6);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "halve again: '3' is odd");
}

TEST(ErrorTest, ErrnoErrorNamesOperationAndMapsCode) {
  Error e = errnoError(ENOENT, "open '/x'");
  EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  EXPECT_EQ(e.message(), "open '/x': no such file or directory");
}

}  // namespace
}  // namespace berth
