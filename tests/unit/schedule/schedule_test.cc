#include "engine/schedule/schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/base/clock.h"

namespace mlflowctl::schedule {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

int64_t Ms(std::string_view iso) {
  std::optional<TimePoint> t = ParseIso8601(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t ? ToEpochMillis(*t) : 0;
}

Schedule Must(std::string_view expression, std::string_view zone = "UTC") {
  auto s = Schedule::Parse(expression, zone);
  if (!s.ok()) {
    ADD_FAILURE() << expression << ": " << s.status().ToString();
    return *Schedule::Parse("rate(1 minute)");
  }
  return *std::move(s);
}

// The next `n` firings after `after`, in the schedule's zone.
std::vector<std::string> Preview(const Schedule& s, std::string_view after, int n) {
  std::vector<std::string> out;
  for (int64_t ms : s.Next(Ms(after), n)) out.push_back(s.FormatLocal(ms));
  return out;
}

std::string ScheduleError(std::string_view expression, std::string_view zone = "UTC") {
  auto s = Schedule::Parse(expression, zone);
  if (s.ok()) return "<ok>";
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  return s.status().message();
}

// --- Parsing -----------------------------------------------------------------

TEST(ScheduleTest, ParsesTheThreeForms) {
  Schedule rate = Must("rate(5 minutes)");
  EXPECT_EQ(rate.kind(), Schedule::Kind::kRate);
  EXPECT_EQ(rate.period_ms(), 5 * 60 * 1000);
  EXPECT_EQ(Must("rate(1 hour)").period_ms(), 3600 * 1000);
  EXPECT_EQ(Must("rate(7 days)").period_ms(), 7 * 86400 * 1000LL);
  EXPECT_EQ(Must("rate(1 minute)").period_ms(), 60 * 1000);
  EXPECT_EQ(Must("rate(1 day)").period_ms(), 86400 * 1000);
  EXPECT_EQ(Must("cron(0 12 * * ? *)").kind(), Schedule::Kind::kCron);
  EXPECT_EQ(Must("at(2026-11-24T12:00:00)").kind(), Schedule::Kind::kAt);
}

TEST(ScheduleTest, KeepsTheExpressionAndZone) {
  Schedule s = Must("  cron(0 12 * * ? *)  ", "Europe/Paris");
  EXPECT_EQ(s.expression(), "cron(0 12 * * ? *)");
  EXPECT_EQ(s.time_zone(), "Europe/Paris");
  EXPECT_EQ(Must("rate(1 hour)", "").time_zone(), "UTC");
}

TEST(ScheduleTest, PrefixesCronErrorsWithTheExpression) {
  EXPECT_EQ(ScheduleError("cron(0 12 * * * *)"),
            "cron(0 12 * * * *): day-of-month and day-of-week cannot both be given; one must be "
            "'?'");
  EXPECT_EQ(ScheduleError("cron(0 12 ? * 3#1,6#3 *)"),
            "cron(0 12 ? * 3#1,6#3 *): day-of-week: only one '#' expression is allowed, got "
            "'3#1,6#3'");
  EXPECT_EQ(ScheduleError("cron(0 12 * * ?)"),
            "cron(0 12 * * ?): expected 6 fields (minutes hours day-of-month month day-of-week "
            "year) but got 5");
  EXPECT_EQ(ScheduleError("cron(60 * * * ? *)"),
            "cron(60 * * * ? *): minutes value 60 is out of range 0-59");
}

TEST(ScheduleTest, RateUnitIsSingularExactlyWhenTheValueIsOne) {
  EXPECT_EQ(ScheduleError("rate(5 hour)"), "rate(5 hour): the unit must be plural when the value is not 1");
  EXPECT_EQ(ScheduleError("rate(1 hours)"), "rate(1 hours): the unit must be singular when the value is 1");
  EXPECT_EQ(ScheduleError("rate(2 minute)"),
            "rate(2 minute): the unit must be plural when the value is not 1");
  EXPECT_EQ(ScheduleError("rate(1 days)"), "rate(1 days): the unit must be singular when the value is 1");
}

TEST(ScheduleTest, RejectsMalformedRates) {
  EXPECT_EQ(ScheduleError("rate(0 minutes)"), "rate(0 minutes): the value must be positive, not 0");
  EXPECT_EQ(ScheduleError("rate(-5 minutes)"),
            "rate(-5 minutes): the value '-5' must be a positive whole number");
  EXPECT_EQ(ScheduleError("rate(1.5 hours)"),
            "rate(1.5 hours): the value '1.5' must be a positive whole number");
  EXPECT_EQ(ScheduleError("rate(5 weeks)"),
            "rate(5 weeks): unknown unit 'weeks'; expected minute(s), hour(s) or day(s)");
  EXPECT_EQ(ScheduleError("rate(5 Minutes)"),
            "rate(5 Minutes): unknown unit 'Minutes'; expected minute(s), hour(s) or day(s)");
  EXPECT_EQ(ScheduleError("rate(5)"), "rate(5): expected rate(value unit), e.g. rate(5 minutes)");
  EXPECT_EQ(ScheduleError("rate(5 minutes now)"),
            "rate(5 minutes now): expected rate(value unit), e.g. rate(5 minutes)");
  EXPECT_EQ(ScheduleError("rate(1234567890 minutes)"),
            "rate(1234567890 minutes): the value 1234567890 is too large");
}

TEST(ScheduleTest, RejectsMalformedAtTimes) {
  EXPECT_EQ(ScheduleError("at(2026-02-30T10:00:00)"),
            "at(2026-02-30T10:00:00): '2026-02-30T10:00:00' is not a date and time of the form "
            "yyyy-mm-ddThh:mm:ss");
  EXPECT_THAT(ScheduleError("at(2026-11-24 12:00:00)"), HasSubstr("yyyy-mm-ddThh:mm:ss"));
  EXPECT_THAT(ScheduleError("at(2026-11-24T12:00)"), HasSubstr("yyyy-mm-ddThh:mm:ss"));
  EXPECT_THAT(ScheduleError("at(2026-11-24T24:00:00)"), HasSubstr("yyyy-mm-ddThh:mm:ss"));
  // 02:30 on 2026-03-08 is skipped in New York.
  EXPECT_EQ(ScheduleError("at(2026-03-08T02:30:00)", "America/New_York"),
            "at(2026-03-08T02:30:00): 2026-03-08T02:30:00 does not exist in America/New_York "
            "(skipped when clocks go forward)");
}

TEST(ScheduleTest, RejectsUnknownFormsAndZones) {
  EXPECT_EQ(ScheduleError(""), "the schedule expression is empty");
  EXPECT_THAT(ScheduleError("every 5 minutes"),
              HasSubstr("'every 5 minutes' is not a schedule expression; expected rate(value "
                        "unit), cron("));
  EXPECT_THAT(ScheduleError("cron(0 12 * * ? *"), HasSubstr("is not a schedule expression"));
  EXPECT_THAT(ScheduleError("CRON(0 12 * * ? *)"), HasSubstr("is not a schedule expression"));
  EXPECT_EQ(ScheduleError("cron(0 12 * * ? *)", "Mars/Base"), "unknown time zone 'Mars/Base'");
  EXPECT_EQ(ScheduleError("rate(1 hour)", "europe/paris"), "unknown time zone 'europe/paris'");
}

// --- Cron in UTC -------------------------------------------------------------

TEST(ScheduleTest, FiresStrictlyAfterTheReferenceInstant) {
  Schedule s = Must("cron(0 12 * * ? *)");
  EXPECT_THAT(Preview(s, "2026-11-23T12:00:00Z", 3),
              ElementsAre("2026-11-24T12:00:00+00:00", "2026-11-25T12:00:00+00:00",
                          "2026-11-26T12:00:00+00:00"));
  EXPECT_THAT(Preview(s, "2026-11-23T11:59:59.999Z", 1), ElementsAre("2026-11-23T12:00:00+00:00"));
  EXPECT_THAT(s.NextAfter(Ms("2026-11-23T12:00:00.001Z")), Optional(Ms("2026-11-24T12:00:00Z")));
}

TEST(ScheduleTest, DocumentedExamples) {
  // AWS "Cron expressions reference": every 10 minutes on weekdays; the
  // 2026-11-27 is a Friday.
  EXPECT_THAT(Preview(Must("cron(0/10 * ? * MON-FRI *)"), "2026-11-27T23:45:00Z", 2),
              ElementsAre("2026-11-27T23:50:00+00:00", "2026-11-30T00:00:00+00:00"));
  EXPECT_THAT(Preview(Must("cron(0 8 1 * ? *)"), "2026-11-01T08:00:00Z", 2),
              ElementsAre("2026-12-01T08:00:00+00:00", "2027-01-01T08:00:00+00:00"));
  EXPECT_THAT(Preview(Must("cron(0/15 * * * ? *)"), "2026-11-01T08:07:00Z", 2),
              ElementsAre("2026-11-01T08:15:00+00:00", "2026-11-01T08:30:00+00:00"));
  // Every 30 minutes from 22:00 to 02:30 on weekday dates: Saturday early
  // hours are not a weekday.
  EXPECT_THAT(Preview(Must("cron(0/30 20-2 ? * MON-FRI *)"), "2026-11-27T23:00:00Z", 3),
              ElementsAre("2026-11-27T23:30:00+00:00", "2026-11-30T00:00:00+00:00",
                          "2026-11-30T00:30:00+00:00"));
  EXPECT_THAT(Preview(Must("cron(15 10 ? * 6L 2019-2022)"), "2022-12-01T00:00:00Z", 3),
              ElementsAre("2022-12-30T10:15:00+00:00"));
  // Model Monitor's hourly schedule.
  EXPECT_THAT(Preview(Must("cron(0 * ? * * *)"), "2026-12-31T23:00:00Z", 2),
              ElementsAre("2027-01-01T00:00:00+00:00", "2027-01-01T01:00:00+00:00"));
}

TEST(ScheduleTest, NothingLeftIsNullopt) {
  EXPECT_EQ(Must("cron(0 0 1 1 ? 2030)").NextAfter(Ms("2030-01-01T00:00:00Z")), std::nullopt);
  EXPECT_EQ(Must("cron(0 0 30 2 ? *)").NextAfter(Ms("2026-01-01T00:00:00Z")), std::nullopt);
  EXPECT_EQ(Must("cron(* * * * ? *)").NextAfter(Ms("2199-12-31T23:59:00Z")), std::nullopt);
  EXPECT_EQ(Must("cron(* * * * ? *)").NextAfter(Ms("2262-01-01T00:00:00Z")), std::nullopt);
  EXPECT_THAT(Must("cron(0 0 1 1 ? 2030-2031)").Next(Ms("2026-01-01T00:00:00Z"), 5),
              ElementsAre(Ms("2030-01-01T00:00:00Z"), Ms("2031-01-01T00:00:00Z")));
  EXPECT_THAT(Must("cron(59 23 31 12 ? 2199)").NextAfter(Ms("2026-01-01T00:00:00Z")),
              Optional(Ms("2199-12-31T23:59:00Z")));
}

TEST(ScheduleTest, FarFutureRareDayIsFound) {
  // Monday February 29th (fifth Monday of February), in a zone with DST.
  Schedule s = Must("cron(0 9 ? FEB MON#5 *)", "Europe/Berlin");
  EXPECT_THAT(Preview(s, "2016-03-01T00:00:00Z", 10),
              ElementsAre("2044-02-29T09:00:00+01:00", "2072-02-29T09:00:00+01:00",
                          "2112-02-29T09:00:00+01:00", "2140-02-29T09:00:00+01:00",
                          "2168-02-29T09:00:00+01:00", "2196-02-29T09:00:00+01:00"));
}

TEST(ScheduleTest, BeforeTheEpochStartsIn1970) {
  EXPECT_THAT(Must("cron(0 0 1 1 ? *)").NextAfter(Ms("1960-01-01T00:00:00Z")),
              Optional(int64_t{0}));
}

// --- Time zones and daylight saving time -------------------------------------

TEST(ScheduleTest, EvaluatesCronInTheZonesWallTime) {
  Schedule s = Must("cron(0 12 * * ? *)", "Europe/Paris");
  EXPECT_THAT(Preview(s, "2026-11-23T12:00:00Z", 2),
              ElementsAre("2026-11-24T12:00:00+01:00", "2026-11-25T12:00:00+01:00"));
  EXPECT_THAT(s.NextAfter(Ms("2026-11-23T12:00:00Z")), Optional(Ms("2026-11-24T11:00:00Z")));
  // The day is the zone's day: 2026-11-27 (Fri) 20:00 in Los Angeles is
  // already Saturday in UTC.
  EXPECT_THAT(
      Preview(Must("cron(0 20 ? * FRI *)", "America/Los_Angeles"), "2026-11-27T00:00:00Z", 1),
      ElementsAre("2026-11-27T20:00:00-08:00"));
}

TEST(ScheduleTest, SkipsWallTimesThatDoNotExistAtSpringForward) {
  // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT.
  Schedule daily = Must("cron(30 2 * * ? *)", "America/New_York");
  EXPECT_THAT(Preview(daily, "2026-03-07T12:00:00-05:00", 2),
              ElementsAre("2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00"));
  Schedule half_hourly = Must("cron(0/30 * * * ? *)", "America/New_York");
  EXPECT_THAT(Preview(half_hourly, "2026-03-08T01:15:00-05:00", 3),
              ElementsAre("2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00",
                          "2026-03-08T03:30:00-04:00"));
  // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST.
  EXPECT_THAT(Preview(Must("cron(30 2 * * ? *)", "Europe/Berlin"), "2026-03-28T12:00:00+01:00", 1),
              ElementsAre("2026-03-30T02:30:00+02:00"));
  EXPECT_THAT(Preview(Must("cron(0 * ? * * *)", "Europe/Berlin"), "2026-03-29T00:30:00+01:00", 3),
              ElementsAre("2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00",
                          "2026-03-29T04:00:00+02:00"));
}

TEST(ScheduleTest, FiresOnceOnAWallTimeRepeatedAtFallBack) {
  // New York, 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:xx happens
  // twice and fires only the first time.
  Schedule daily = Must("cron(30 1 * * ? *)", "America/New_York");
  EXPECT_THAT(Preview(daily, "2026-10-31T12:00:00-04:00", 2),
              ElementsAre("2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"));
  EXPECT_THAT(Preview(daily, "2026-11-01T01:30:00-04:00", 1),
              ElementsAre("2026-11-02T01:30:00-05:00"));
  Schedule half_hourly = Must("cron(0/30 * * * ? *)", "America/New_York");
  EXPECT_THAT(Preview(half_hourly, "2026-11-01T00:45:00-04:00", 4),
              ElementsAre("2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00",
                          "2026-11-01T02:00:00-05:00", "2026-11-01T02:30:00-05:00"));
  // Asked during the second pass through 01:xx, nothing in it fires again.
  EXPECT_THAT(Preview(half_hourly, "2026-11-01T01:10:00-05:00", 1),
              ElementsAre("2026-11-01T02:00:00-05:00"));
  // Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET.
  EXPECT_THAT(Preview(Must("cron(30 2 * * ? *)", "Europe/Berlin"), "2026-10-24T12:00:00+02:00", 2),
              ElementsAre("2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"));
  EXPECT_THAT(Preview(Must("cron(0 * ? * * *)", "Europe/Berlin"), "2026-10-25T01:30:00+02:00", 3),
              ElementsAre("2026-10-25T02:00:00+02:00", "2026-10-25T03:00:00+01:00",
                          "2026-10-25T04:00:00+01:00"));
}

// --- Rate --------------------------------------------------------------------

TEST(ScheduleTest, RateCountsFromItsStart) {
  Schedule s = Must("rate(5 minutes)").WithStart(Ms("2026-01-01T00:00:00Z"));
  EXPECT_THAT(s.start_ms(), Optional(Ms("2026-01-01T00:00:00Z")));
  // The start is the first firing.
  EXPECT_THAT(s.NextAfter(Ms("2025-12-31T00:00:00Z")), Optional(Ms("2026-01-01T00:00:00Z")));
  EXPECT_THAT(s.NextAfter(Ms("2026-01-01T00:00:00Z")), Optional(Ms("2026-01-01T00:05:00Z")));
  EXPECT_THAT(Preview(s, "2026-01-01T00:07:30Z", 2),
              ElementsAre("2026-01-01T00:10:00+00:00", "2026-01-01T00:15:00+00:00"));
  EXPECT_THAT(s.NextAfter(Ms("2026-01-01T00:09:59.999Z")), Optional(Ms("2026-01-01T00:10:00Z")));
}

TEST(ScheduleTest, RateWithoutAStartCountsFromTheReference) {
  Schedule s = Must("rate(1 hour)");
  EXPECT_EQ(s.start_ms(), std::nullopt);
  EXPECT_THAT(s.Next(Ms("2026-01-01T00:20:00Z"), 3),
              ElementsAre(Ms("2026-01-01T01:20:00Z"), Ms("2026-01-01T02:20:00Z"),
                          Ms("2026-01-01T03:20:00Z")));
  EXPECT_THAT(s.NextAfter(Ms("2026-01-01T00:20:00Z")), Optional(Ms("2026-01-01T01:20:00Z")));
}

TEST(ScheduleTest, RateIsElapsedTimeAcrossDaylightSavingTime) {
  // rate(1 day) is 24 hours: the wall time moves by an hour over the change.
  Schedule s = Must("rate(1 day)", "America/New_York").WithStart(Ms("2026-03-07T12:00:00-05:00"));
  EXPECT_THAT(Preview(s, "2026-03-07T12:00:00-05:00", 2),
              ElementsAre("2026-03-08T13:00:00-04:00", "2026-03-09T13:00:00-04:00"));
}

TEST(ScheduleTest, WithStartLeavesCronAndAtAlone) {
  Schedule s = Must("cron(0 12 * * ? *)").WithStart(Ms("2030-01-01T00:00:00Z"));
  EXPECT_EQ(s.start_ms(), std::nullopt);
  EXPECT_THAT(s.NextAfter(Ms("2026-01-01T00:00:00Z")), Optional(Ms("2026-01-01T12:00:00Z")));
}

// --- At ----------------------------------------------------------------------

TEST(ScheduleTest, AtFiresOnceInItsZone) {
  Schedule s = Must("at(2026-11-24T12:00:00)", "Europe/Paris");
  EXPECT_THAT(s.NextAfter(Ms("2026-11-24T10:59:59Z")), Optional(Ms("2026-11-24T11:00:00Z")));
  EXPECT_EQ(s.NextAfter(Ms("2026-11-24T11:00:00Z")), std::nullopt);
  EXPECT_THAT(Preview(s, "2026-01-01T00:00:00Z", 3), ElementsAre("2026-11-24T12:00:00+01:00"));
  EXPECT_THAT(s.Next(Ms("2027-01-01T00:00:00Z"), 3), IsEmpty());
  EXPECT_THAT(Must("at(2026-11-24T12:00:00)").NextAfter(0), Optional(Ms("2026-11-24T12:00:00Z")));
}

TEST(ScheduleTest, AtOnARepeatedWallTimeIsItsFirstOccurrence) {
  Schedule s = Must("at(2026-11-01T01:30:00)", "America/New_York");
  EXPECT_THAT(s.NextAfter(0), Optional(Ms("2026-11-01T01:30:00-04:00")));
}

TEST(ScheduleTest, NextWithNoCountIsEmpty) {
  EXPECT_THAT(Must("cron(0 12 * * ? *)").Next(0, 0), IsEmpty());
  EXPECT_THAT(Must("cron(0 12 * * ? *)").Next(0, -3), IsEmpty());
}

TEST(ScheduleTest, ExtremeReferenceInstantsAreSafe) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  Schedule cron = Must("cron(0 0 1 1 ? *)", "Etc/GMT-14");  // UTC+14
  EXPECT_THAT(cron.NextAfter(kMin), Optional(Ms("1969-12-31T10:00:00Z")));
  EXPECT_EQ(cron.NextAfter(kMax), std::nullopt);
  EXPECT_EQ(Must("rate(1 day)").NextAfter(kMax), std::nullopt);
  EXPECT_EQ(Must("rate(1 day)").WithStart(0).NextAfter(kMax), std::nullopt);
  EXPECT_THAT(Must("rate(1 day)").WithStart(0).NextAfter(kMin), Optional(int64_t{0}));
  EXPECT_EQ(Must("rate(1 day)").WithStart(kMin).NextAfter(kMax), std::nullopt);
  EXPECT_EQ(Must("at(2026-01-01T00:00:00)").NextAfter(kMax), std::nullopt);
}

TEST(ScheduleTest, IsSharedSafelyBetweenThreads) {
  const Schedule ny = Must("cron(0/30 * * * ? *)", "America/New_York");
  const Schedule berlin = Must("cron(30 2 * * ? *)", "Europe/Berlin");
  std::vector<std::vector<int64_t>> results(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      const Schedule& s = i % 2 == 0 ? ny : berlin;
      results[i] = s.Next(Ms("2026-10-24T00:00:00Z"), 200);
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 2; i < results.size(); ++i) EXPECT_EQ(results[i], results[i % 2]);
  EXPECT_EQ(results[0].size(), 200u);
}

}  // namespace
}  // namespace mlflowctl::schedule
