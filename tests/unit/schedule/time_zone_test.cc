#include "engine/schedule/time_zone.h"

#include <gtest/gtest.h>

#include "engine/base/clock.h"

namespace mlflowctl::schedule {
namespace {

int64_t Seconds(std::string_view iso) {
  std::optional<TimePoint> t = ParseIso8601(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t ? ToEpochMillis(*t) / 1000 : 0;
}

TEST(TimeZoneTest, WallTimeParsesOnlyRealDatesAndTimes) {
  std::optional<WallTime> w = WallTime::Parse("2024-02-29T23:59:58");
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(*w, (WallTime{2024, 2, 29, 23, 59, 58}));
  EXPECT_EQ(w->ToString(), "2024-02-29T23:59:58");
  EXPECT_FALSE(WallTime::Parse("2023-02-29T00:00:00"));
  EXPECT_FALSE(WallTime::Parse("2026-04-31T00:00:00"));
  EXPECT_FALSE(WallTime::Parse("2026-13-01T00:00:00"));
  EXPECT_FALSE(WallTime::Parse("2026-01-01T00:60:00"));
  EXPECT_FALSE(WallTime::Parse("2026-01-01 00:00:00"));
  EXPECT_FALSE(WallTime::Parse("2026-01-01T00:00:00Z"));
  EXPECT_FALSE(WallTime::Parse("2026-1-01T00:00:00"));
}

TEST(TimeZoneTest, WallTimeRoundTripsThroughLocalSeconds) {
  EXPECT_EQ((WallTime{1970, 1, 1, 0, 0, 0}).ToLocalSeconds(), 0);
  EXPECT_EQ((WallTime{1969, 12, 31, 23, 59, 59}).ToLocalSeconds(), -1);
  EXPECT_EQ(WallTime::FromLocalSeconds(-1), (WallTime{1969, 12, 31, 23, 59, 59}));
  WallTime w{2199, 12, 31, 23, 59, 0};
  EXPECT_EQ(WallTime::FromLocalSeconds(w.ToLocalSeconds()), w);
  // Overflowing fields carry.
  EXPECT_EQ(WallTime::FromLocalSeconds((WallTime{2026, 12, 31, 23, 59, 60}).ToLocalSeconds()),
            (WallTime{2027, 1, 1, 0, 0, 0}));
  EXPECT_EQ(WallTime::FromLocalSeconds((WallTime{2024, 2, 30, 0, 0, 0}).ToLocalSeconds()),
            (WallTime{2024, 3, 1, 0, 0, 0}));
}

TEST(TimeZoneTest, CalendarHelpers) {
  EXPECT_EQ(DayOfWeek(2026, 11, 24), 3);  // Tuesday
  EXPECT_EQ(DayOfWeek(2026, 11, 1), 1);   // Sunday
  EXPECT_EQ(DayOfWeek(2026, 10, 31), 7);  // Saturday
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
  EXPECT_EQ(DaysInMonth(2000, 2), 29);
  EXPECT_EQ(DaysInMonth(2100, 2), 28);
  EXPECT_EQ(DaysInMonth(2026, 4), 30);
  EXPECT_EQ(DaysInMonth(2026, 12), 31);
}

TEST(TimeZoneTest, LocatesIanaZones) {
  EXPECT_TRUE(TimeZone::Locate("Europe/Paris").ok());
  EXPECT_TRUE(TimeZone::Locate("UTC").ok());
  EXPECT_EQ(TimeZone::Locate("").value().name(), "UTC");
  auto bad = TimeZone::Locate("Mars/Base");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "unknown time zone 'Mars/Base'");
}

TEST(TimeZoneTest, ConvertsBetweenInstantsAndWallTimes) {
  auto ny = TimeZone::Locate("America/New_York");
  ASSERT_TRUE(ny.ok());
  EXPECT_EQ(ny->ToWall(Seconds("2026-07-01T16:00:00Z")), (WallTime{2026, 7, 1, 12, 0, 0}));
  EXPECT_EQ(ny->OffsetSeconds(Seconds("2026-07-01T16:00:00Z")), -4 * 3600);
  EXPECT_EQ(ny->OffsetSeconds(Seconds("2026-01-01T16:00:00Z")), -5 * 3600);

  TimeZone::Resolution unique = ny->FromWall(WallTime{2026, 7, 1, 12, 0, 0});
  EXPECT_EQ(unique.kind, TimeZone::Kind::kUnique);
  EXPECT_EQ(unique.earliest_seconds, Seconds("2026-07-01T16:00:00Z"));

  EXPECT_EQ(ny->FromWall(WallTime{2026, 3, 8, 2, 30, 0}).kind, TimeZone::Kind::kNonexistent);

  TimeZone::Resolution repeated = ny->FromWall(WallTime{2026, 11, 1, 1, 30, 0});
  EXPECT_EQ(repeated.kind, TimeZone::Kind::kAmbiguous);
  EXPECT_EQ(repeated.earliest_seconds, Seconds("2026-11-01T01:30:00-04:00"));
}

TEST(TimeZoneTest, FormatsWithTheOffset) {
  auto paris = TimeZone::Locate("Europe/Paris");
  ASSERT_TRUE(paris.ok());
  EXPECT_EQ(paris->FormatIso8601(Seconds("2026-11-24T11:00:00Z") * 1000),
            "2026-11-24T12:00:00+01:00");
  EXPECT_EQ(paris->FormatIso8601(Seconds("2026-07-24T10:00:00Z") * 1000),
            "2026-07-24T12:00:00+02:00");
  auto kolkata = TimeZone::Locate("Asia/Kolkata");
  ASSERT_TRUE(kolkata.ok());
  EXPECT_EQ(kolkata->FormatIso8601(0), "1970-01-01T05:30:00+05:30");
  auto st_johns = TimeZone::Locate("America/St_Johns");
  ASSERT_TRUE(st_johns.ok());
  EXPECT_EQ(st_johns->FormatIso8601(Seconds("2026-01-01T12:00:00Z") * 1000),
            "2026-01-01T08:30:00-03:30");
  EXPECT_EQ(TimeZone::Utc().FormatIso8601(-500), "1969-12-31T23:59:59+00:00");
}

}  // namespace
}  // namespace mlflowctl::schedule
