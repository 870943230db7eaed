#include "engine/base/clock.h"

#include <gtest/gtest.h>

namespace mlflowctl {
namespace {

TEST(ParseIso8601Test, ReadsOffsetsAndFractions) {
  std::optional<TimePoint> a = ParseIso8601("2016-03-14T01:59:00Z");
  std::optional<TimePoint> b = ParseIso8601("2016-03-14T02:59:00.000+01:00");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(FormatIso8601(*a), "2016-03-14T01:59:00.000Z");
  EXPECT_FALSE(ParseIso8601("2016-03-14 01:59:00Z"));
  EXPECT_FALSE(ParseIso8601("2016-02-30T01:59:00Z"));
}

// Found by fuzz_definition: years past 2262 overflowed the nanosecond count
// (undefined behaviour). They saturate and still compare with any time.
TEST(ParseIso8601Test, FarYearsSaturateInsteadOfOverflowing) {
  std::optional<TimePoint> now = ParseIso8601("2026-11-23T00:00:00Z");
  std::optional<TimePoint> far = ParseIso8601("4048-01-01T00:00:01Z");
  std::optional<TimePoint> never = ParseIso8601("9999-12-31T23:59:59Z");
  std::optional<TimePoint> ancient = ParseIso8601("0001-01-01T00:00:00Z");
  ASSERT_TRUE(now && far && never && ancient);
  EXPECT_EQ(*far, TimePoint::max());
  EXPECT_EQ(*never, TimePoint::max());
  EXPECT_EQ(*ancient, TimePoint::min());
  EXPECT_LT(*now, *far);
  EXPECT_GT(*now, *ancient);
  // The last representable second still parses exactly.
  std::optional<TimePoint> edge = ParseIso8601("2262-04-11T00:00:00Z");
  ASSERT_TRUE(edge);
  EXPECT_LT(*edge, TimePoint::max());
  EXPECT_EQ(FormatIso8601(*edge), "2262-04-11T00:00:00.000Z");
}

}  // namespace
}  // namespace mlflowctl
