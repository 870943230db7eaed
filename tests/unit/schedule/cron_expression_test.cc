#include "engine/schedule/cron_expression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace mlflowctl::schedule {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

WallTime W(std::string_view text) {
  std::optional<WallTime> w = WallTime::Parse(text);
  EXPECT_TRUE(w.has_value()) << text;
  return w.value_or(WallTime{});
}

// The next `n` matching wall minutes at or after `from`, as
// "yyyy-mm-ddThh:mm".
std::vector<std::string> Matches(std::string_view fields, std::string_view from, int n) {
  auto cron = CronExpression::Parse(fields);
  if (!cron.ok()) {
    ADD_FAILURE() << fields << ": " << cron.status().ToString();
    return {};
  }
  std::vector<std::string> out;
  WallTime t = W(from);
  for (int i = 0; i < n; ++i) {
    std::optional<WallTime> m = cron->NextMatch(t);
    if (!m) break;
    out.push_back(m->ToString().substr(0, 16));
    t = WallTime::FromLocalSeconds(m->ToLocalSeconds() + 60);
  }
  return out;
}

std::string Error(std::string_view fields) {
  auto cron = CronExpression::Parse(fields);
  if (cron.ok()) return "<ok>";
  EXPECT_EQ(cron.status().code(), StatusCode::kInvalidArgument);
  return cron.status().message();
}

// --- Parsing -----------------------------------------------------------------

TEST(CronExpressionTest, ParsesEveryDocumentedExample) {
  // AWS "Cron expressions reference" examples and mlops-formats.md §e.
  for (std::string_view fields : {"0 10 * * ? *",
                                  "15 12 * * ? *",
                                  "0 18 ? * MON-FRI *",
                                  "0 8 1 * ? *",
                                  "0/15 * * * ? *",
                                  "0/10 * ? * MON-FRI *",
                                  "0/5 8-17 ? * MON-FRI *",
                                  "0/30 20-2 ? * MON-FRI *",
                                  "0 12 * * ? *",
                                  "5,35 14 * * ? *",
                                  "15 10 ? * 6L 2019-2022",
                                  "0 * ? * * *",
                                  "1/10 * * * ? *",
                                  "0 0 L * ? *",
                                  "0 0 LW * ? *",
                                  "0 0 L-3 * ? *",
                                  "0 9 3W * ? *",
                                  "0 9 ? * 3#2 *",
                                  "0 9 ? * L *",
                                  "0 9 ? * FRI#1 *",
                                  "0 0 1 JAN,FEB,MAR ? *",
                                  "0 0 ? * mon-fri *",
                                  "0 0 1 nov-feb ? *",
                                  "0 0 ? * FRI-MON *",
                                  "*/5 * * * ? *",
                                  "0 0 1 1 ? 2026",
                                  "0 0 1 1 ? 1970-2199",
                                  "0 0 1 1 ? 2020/5",
                                  "0 0 1-15 * ? *",
                                  "0 0 28-3 * ? *"}) {
    EXPECT_EQ(Error(fields), "<ok>") << fields;
  }
}

TEST(CronExpressionTest, RequiresAllSixFields) {
  EXPECT_EQ(Error("0 12 * *"),
            "expected 6 fields (minutes hours day-of-month month day-of-week year) but got 4");
  EXPECT_THAT(Error("0 12 * * ?"), HasSubstr("but got 5"));
  EXPECT_THAT(Error("0 0 12 * * ? *"), HasSubstr("but got 7"));
  EXPECT_THAT(Error(""), HasSubstr("but got 0"));
}

TEST(CronExpressionTest, RequiresExactlyOneQuestionMarkDayField) {
  EXPECT_EQ(Error("0 12 * * * *"),
            "day-of-month and day-of-week cannot both be given; one must be '?'");
  EXPECT_EQ(Error("0 12 1 * MON *"),
            "day-of-month and day-of-week cannot both be given; one must be '?'");
  EXPECT_EQ(Error("0 12 ? * ? *"),
            "day-of-month and day-of-week cannot both be '?'; one of them must be given");
}

TEST(CronExpressionTest, RejectsValuesOutOfRange) {
  EXPECT_EQ(Error("60 12 * * ? *"), "minutes value 60 is out of range 0-59");
  EXPECT_EQ(Error("0 24 * * ? *"), "hours value 24 is out of range 0-23");
  EXPECT_EQ(Error("0 12 32 * ? *"), "day-of-month value 32 is out of range 1-31");
  EXPECT_EQ(Error("0 12 0 * ? *"), "day-of-month value 0 is out of range 1-31");
  EXPECT_EQ(Error("0 12 1 13 ? *"), "month value 13 is out of range 1-12");
  EXPECT_EQ(Error("0 12 ? * 0 *"), "day-of-week value 0 is out of range 1-7");
  EXPECT_EQ(Error("0 12 ? * 8 *"), "day-of-week value 8 is out of range 1-7");
  EXPECT_EQ(Error("0 12 * * ? 1969"), "year value 1969 is out of range 1970-2199");
  EXPECT_EQ(Error("0 12 * * ? 2200"), "year value 2200 is out of range 1970-2199");
  EXPECT_EQ(Error("0 12 32W * ? *"), "day-of-month value 32 is out of range 1-31");
}

TEST(CronExpressionTest, RejectsUnknownNamesAndMalformedItems) {
  EXPECT_EQ(Error("0 12 * JUNE ? *"), "invalid month value 'JUNE'");
  EXPECT_EQ(Error("0 12 * MON ? *"), "invalid month value 'MON'");
  EXPECT_EQ(Error("0 12 ? * JAN *"), "invalid day-of-week value 'JAN'");
  EXPECT_EQ(Error("a 12 * * ? *"), "invalid minutes value 'a'");
  EXPECT_EQ(Error("1-2-3 12 * * ? *"), "invalid minutes value '1-2-3'");
  EXPECT_EQ(Error("-5 12 * * ? *"), "invalid minutes value '-5'");
  EXPECT_EQ(Error("0 12 1,,2 * ? *"), "day-of-month: empty value in '1,,2'");
  EXPECT_EQ(Error("0/0 12 * * ? *"), "minutes: the step in '0/0' must be a positive number");
  EXPECT_EQ(Error("0/x 12 * * ? *"), "minutes: the step in '0/x' must be a positive number");
  EXPECT_EQ(Error("0 12 * * ? 2022-2019"), "year: the range '2022-2019' must go from low to high");
}

TEST(CronExpressionTest, KeepsSpecialCharactersToTheirFields) {
  EXPECT_EQ(Error("? 12 * * ? *"), "minutes: '?' is allowed only in day-of-month and day-of-week");
  EXPECT_EQ(Error("0 12 * ? ? *"), "month: '?' is allowed only in day-of-month and day-of-week");
  EXPECT_EQ(Error("0 L * * ? *"), "hours: 'L' is allowed only in day-of-month and day-of-week");
  EXPECT_EQ(Error("0 12 * 3L ? *"), "month: 'L' is allowed only in day-of-month and day-of-week");
  EXPECT_EQ(Error("0 12 ? * 3W *"), "day-of-week: 'W' is allowed only in day-of-month");
  EXPECT_EQ(Error("5W 12 * * ? *"), "minutes: 'W' is allowed only in day-of-month");
  EXPECT_EQ(Error("0 12 1#2 * ? *"), "day-of-month: '#' is allowed only in day-of-week");
  EXPECT_EQ(Error("0 12 ? * 1/2 *"), "day-of-week: '/' is not allowed in day-of-week");
  EXPECT_EQ(Error("0 12 * * ?,1 *"), "day-of-week: '?' must be the whole field");
}

TEST(CronExpressionTest, AllowsOnlyOneHashExpression) {
  // AWS: "3#1,6#3" is invalid, it would be two expressions.
  EXPECT_EQ(Error("0 12 ? * 3#1,6#3 *"),
            "day-of-week: only one '#' expression is allowed, got '3#1,6#3'");
  EXPECT_EQ(Error("0 12 ? * 3#1,5 *"),
            "day-of-week: the '#' expression must be the only value in '3#1,5'");
  EXPECT_EQ(Error("0 12 ? * 3#6 *"),
            "day-of-week: the occurrence after '#' in '3#6' must be from 1 to 5");
  EXPECT_EQ(Error("0 12 ? * 3#0 *"),
            "day-of-week: the occurrence after '#' in '3#0' must be from 1 to 5");
  EXPECT_EQ(Error("0 12 ? * 9#1 *"), "day-of-week value 9 is out of range 1-7");
}

TEST(CronExpressionTest, KeepsLastAndWeekdayFormsAlone) {
  EXPECT_EQ(Error("0 12 L,15 * ? *"), "day-of-month: 'L' must be the only value in the field");
  EXPECT_EQ(Error("0 12 15W,20 * ? *"), "day-of-month: '15W' must be the only value in the field");
  EXPECT_EQ(Error("0 12 ? * 6L,2 *"), "day-of-week: '6L' must be the only value in the field");
  EXPECT_EQ(Error("0 12 L-31 * ? *"), "day-of-month: 'L-31' must be L-n with n from 0 to 30");
  EXPECT_EQ(Error("0 12 L-x * ? *"), "day-of-month: 'L-x' must be L-n with n from 0 to 30");
}

// --- Matching ----------------------------------------------------------------

TEST(CronExpressionTest, MatchesAtOrAfterTheStartMinute) {
  EXPECT_THAT(Matches("0 12 * * ? *", "2026-11-23T12:00:00", 3),
              ElementsAre("2026-11-23T12:00", "2026-11-24T12:00", "2026-11-25T12:00"));
  EXPECT_THAT(Matches("0 12 * * ? *", "2026-11-23T12:00:59", 1),
              ElementsAre("2026-11-23T12:00"));  // seconds are ignored
  EXPECT_THAT(Matches("5,35 14 * * ? *", "2026-01-31T14:10:00", 3),
              ElementsAre("2026-01-31T14:35", "2026-02-01T14:05", "2026-02-01T14:35"));
}

TEST(CronExpressionTest, RollsOverHoursDaysMonthsAndYears) {
  EXPECT_THAT(Matches("0 * ? * * *", "2026-12-31T23:30:00", 2),
              ElementsAre("2027-01-01T00:00", "2027-01-01T01:00"));
  EXPECT_THAT(Matches("59 23 31 12 ? *", "2026-01-01T00:00:00", 2),
              ElementsAre("2026-12-31T23:59", "2027-12-31T23:59"));
}

TEST(CronExpressionTest, StepsStartAtTheirBase) {
  EXPECT_THAT(Matches("0/5 * * * ? *", "2026-01-01T00:00:00", 3),
              ElementsAre("2026-01-01T00:00", "2026-01-01T00:05", "2026-01-01T00:10"));
  EXPECT_THAT(
      Matches("10/20 * * * ? *", "2026-01-01T00:00:00", 4),
      ElementsAre("2026-01-01T00:10", "2026-01-01T00:30", "2026-01-01T00:50", "2026-01-01T01:10"));
  EXPECT_THAT(Matches("*/15 * * * ? *", "2026-01-01T00:50:00", 2),
              ElementsAre("2026-01-01T01:00", "2026-01-01T01:15"));
  EXPECT_THAT(Matches("0 8-17/3 * * ? *", "2026-01-01T00:00:00", 5),
              ElementsAre("2026-01-01T08:00", "2026-01-01T11:00", "2026-01-01T14:00",
                          "2026-01-01T17:00", "2026-01-02T08:00"));
  // Day 1/10 = 1, 11, 21, 31; April has no 31st.
  EXPECT_THAT(Matches("0 0 1/10 * ? *", "2026-04-02T00:00:00", 6),
              ElementsAre("2026-04-11T00:00", "2026-04-21T00:00", "2026-05-01T00:00",
                          "2026-05-11T00:00", "2026-05-21T00:00", "2026-05-31T00:00"));
}

TEST(CronExpressionTest, RangesWrapAround) {
  EXPECT_THAT(
      Matches("0 20-2 * * ? *", "2026-01-01T19:00:00", 8),
      ElementsAre("2026-01-01T20:00", "2026-01-01T21:00", "2026-01-01T22:00", "2026-01-01T23:00",
                  "2026-01-02T00:00", "2026-01-02T01:00", "2026-01-02T02:00", "2026-01-02T20:00"));
  EXPECT_THAT(Matches("0 20-2/3 * * ? *", "2026-01-01T00:00:00", 3),
              ElementsAre("2026-01-01T02:00", "2026-01-01T20:00", "2026-01-01T23:00"));
  // 2026-11-24 is a Tuesday.
  EXPECT_THAT(Matches("0 0 ? * FRI-MON *", "2026-11-24T00:00:00", 5),
              ElementsAre("2026-11-27T00:00", "2026-11-28T00:00", "2026-11-29T00:00",
                          "2026-11-30T00:00", "2026-12-04T00:00"));
  EXPECT_THAT(Matches("0 0 1 NOV-FEB ? *", "2026-03-01T00:01:00", 5),
              ElementsAre("2026-11-01T00:00", "2026-12-01T00:00", "2027-01-01T00:00",
                          "2027-02-01T00:00", "2027-11-01T00:00"));
  EXPECT_THAT(Matches("0 0 28-3 * ? *", "2026-02-27T00:00:00", 5),
              ElementsAre("2026-02-28T00:00", "2026-03-01T00:00", "2026-03-02T00:00",
                          "2026-03-03T00:00", "2026-03-28T00:00"));
}

TEST(CronExpressionTest, MondayToFridaySkipsTheWeekend) {
  // 2026-11-27 is a Friday.
  EXPECT_THAT(Matches("0/5 8-17 ? * MON-FRI *", "2026-11-27T17:51:00", 3),
              ElementsAre("2026-11-27T17:55", "2026-11-30T08:00", "2026-11-30T08:05"));
  EXPECT_THAT(Matches("0 18 ? * 2-6 *", "2026-11-27T18:01:00", 2),
              ElementsAre("2026-11-30T18:00", "2026-12-01T18:00"));
}

TEST(CronExpressionTest, LastDayOfMonthFollowsLeapYears) {
  EXPECT_THAT(Matches("0 0 L * ? *", "2024-01-31T00:01:00", 3),
              ElementsAre("2024-02-29T00:00", "2024-03-31T00:00", "2024-04-30T00:00"));
  EXPECT_THAT(Matches("0 0 L 2 ? *", "2023-01-01T00:00:00", 3),
              ElementsAre("2023-02-28T00:00", "2024-02-29T00:00", "2025-02-28T00:00"));
  // 2100 is not a leap year (divisible by 100, not by 400); 2000 was.
  EXPECT_THAT(Matches("0 0 L 2 ? *", "2100-01-01T00:00:00", 1), ElementsAre("2100-02-28T00:00"));
  EXPECT_THAT(Matches("0 0 L 2 ? *", "2000-01-01T00:00:00", 1), ElementsAre("2000-02-29T00:00"));
  EXPECT_THAT(Matches("0 0 29 2 ? *", "2096-03-01T00:00:00", 1), ElementsAre("2104-02-29T00:00"));
  EXPECT_THAT(Matches("0 0 31 * ? *", "2026-04-01T00:00:00", 3),
              ElementsAre("2026-05-31T00:00", "2026-07-31T00:00", "2026-08-31T00:00"));
}

TEST(CronExpressionTest, LastMinusNCountsBackFromTheLastDay) {
  EXPECT_THAT(Matches("0 0 L-2 * ? *", "2026-01-01T00:00:00", 3),
              ElementsAre("2026-01-29T00:00", "2026-02-26T00:00", "2026-03-29T00:00"));
  EXPECT_THAT(Matches("0 0 L-2 2 ? *", "2024-01-01T00:00:00", 1), ElementsAre("2024-02-27T00:00"));
  // L-30 exists only in 31-day months.
  EXPECT_THAT(Matches("0 0 L-30 * ? *", "2026-02-01T00:00:00", 2),
              ElementsAre("2026-03-01T00:00", "2026-05-01T00:00"));
}

TEST(CronExpressionTest, LastWeekdayOfMonth) {
  // 2026: Jan 31 Sat, Feb 28 Sat, Mar 31 Tue, Apr 30 Thu, May 31 Sun.
  EXPECT_THAT(Matches("0 0 LW * ? *", "2026-01-01T00:00:00", 5),
              ElementsAre("2026-01-30T00:00", "2026-02-27T00:00", "2026-03-31T00:00",
                          "2026-04-30T00:00", "2026-05-29T00:00"));
}

TEST(CronExpressionTest, NearestWeekdayStaysInTheMonth) {
  // 3W in 2026: Jan 3 Sat -> Fri 2; Feb 3, Mar 3 Tue; Apr 3 Fri; May 3 Sun -> Mon 4.
  EXPECT_THAT(Matches("0 9 3W * ? *", "2026-01-01T00:00:00", 5),
              ElementsAre("2026-01-02T09:00", "2026-02-03T09:00", "2026-03-03T09:00",
                          "2026-04-03T09:00", "2026-05-04T09:00"));
  // 1W: Aug 1 2026 is a Saturday -> Monday the 3rd, not Friday July 31;
  // Nov 1 is a Sunday -> Monday the 2nd.
  EXPECT_THAT(Matches("0 9 1W * ? 2026", "2026-07-15T00:00:00", 6),
              ElementsAre("2026-08-03T09:00", "2026-09-01T09:00", "2026-10-01T09:00",
                          "2026-11-02T09:00", "2026-12-01T09:00"));
  // 31W: months without a 31st are skipped; May 31 2026 is a Sunday and the
  // last day, so Friday the 29th; Jan 31 is a Saturday -> Friday 30.
  EXPECT_THAT(Matches("0 9 31W * ? *", "2026-01-01T00:00:00", 5),
              ElementsAre("2026-01-30T09:00", "2026-03-31T09:00", "2026-05-29T09:00",
                          "2026-07-31T09:00", "2026-08-31T09:00"));
  // 30W never fires in February.
  EXPECT_THAT(Matches("0 9 30W * ? *", "2026-02-01T00:00:00", 1), ElementsAre("2026-03-30T09:00"));
}

TEST(CronExpressionTest, NthWeekdayOfMonth) {
  // Second Tuesday: Jan 13, Feb 10, Mar 10 2026.
  EXPECT_THAT(Matches("0 9 ? * 3#2 *", "2026-01-01T00:00:00", 3),
              ElementsAre("2026-01-13T09:00", "2026-02-10T09:00", "2026-03-10T09:00"));
  EXPECT_THAT(Matches("0 9 ? * TUE#2 *", "2026-01-01T00:00:00", 1),
              ElementsAre("2026-01-13T09:00"));
  // Fifth Friday: only months that have one.
  EXPECT_THAT(Matches("0 9 ? * 6#5 *", "2026-01-01T00:00:00", 3),
              ElementsAre("2026-01-30T09:00", "2026-05-29T09:00", "2026-07-31T09:00"));
  // First Sunday when the month starts on a Sunday (Feb 2026).
  EXPECT_THAT(Matches("0 9 ? * 1#1 *", "2026-02-01T00:00:00", 2),
              ElementsAre("2026-02-01T09:00", "2026-03-01T09:00"));
}

TEST(CronExpressionTest, LastWeekdayOfTheWeekInMonth) {
  // AWS example: 10:15 on the last Friday of each month, 2019-2022.
  EXPECT_THAT(Matches("15 10 ? * 6L 2019-2022", "2022-10-01T00:00:00", 4),
              ElementsAre("2022-10-28T10:15", "2022-11-25T10:15", "2022-12-30T10:15"));
  EXPECT_THAT(Matches("15 10 ? * 6L 2019-2022", "2000-01-01T00:00:00", 2),
              ElementsAre("2019-01-25T10:15", "2019-02-22T10:15"));
  // L alone in day-of-week is the last day of the week, Saturday.
  EXPECT_THAT(Matches("0 0 ? * L *", "2026-11-23T00:00:00", 2),
              ElementsAre("2026-11-28T00:00", "2026-12-05T00:00"));
}

TEST(CronExpressionTest, YearRangesAndFarFutureYears) {
  EXPECT_THAT(Matches("0 0 1 1 ? 2030-2032", "2026-06-01T00:00:00", 4),
              ElementsAre("2030-01-01T00:00", "2031-01-01T00:00", "2032-01-01T00:00"));
  EXPECT_THAT(Matches("0 0 1 1 ? 2020/50", "2026-06-01T00:00:00", 5),
              ElementsAre("2070-01-01T00:00", "2120-01-01T00:00", "2170-01-01T00:00"));
  EXPECT_THAT(Matches("59 23 31 12 ? 2199", "2026-01-01T00:00:00", 2),
              ElementsAre("2199-12-31T23:59"));
  EXPECT_THAT(Matches("0 0 * * ? *", "2199-12-31T00:01:00", 1), IsEmpty());
  // Before 1970 the search starts at 1970.
  EXPECT_THAT(Matches("0 0 1 1 ? *", "1960-05-05T00:00:00", 1), ElementsAre("1970-01-01T00:00"));
}

TEST(CronExpressionTest, FindsRareDaysAcrossCenturies) {
  // The fifth Monday of February is a Monday February 29th.
  EXPECT_THAT(Matches("0 0 ? 2 MON#5 *", "2016-03-01T00:00:00", 10),
              ElementsAre("2044-02-29T00:00", "2072-02-29T00:00", "2112-02-29T00:00",
                          "2140-02-29T00:00", "2168-02-29T00:00", "2196-02-29T00:00"));
  // Dates that never exist: nothing, after scanning every year once.
  EXPECT_THAT(Matches("0 0 30 2 ? *", "1970-01-01T00:00:00", 1), IsEmpty());
  EXPECT_THAT(Matches("0 0 31 4,6,9,11 ? *", "1970-01-01T00:00:00", 1), IsEmpty());
}

TEST(CronExpressionTest, MatchesAgreesWithNextMatch) {
  auto cron = CronExpression::Parse("0/5 8-17 ? * MON-FRI *");
  ASSERT_TRUE(cron.ok());
  EXPECT_TRUE(cron->Matches(W("2026-11-27T17:55:00")));
  EXPECT_FALSE(cron->Matches(W("2026-11-27T17:56:00")));
  EXPECT_FALSE(cron->Matches(W("2026-11-28T08:00:00")));  // Saturday
  EXPECT_FALSE(cron->Matches(W("2026-11-27T18:00:00")));
}

}  // namespace
}  // namespace mlflowctl::schedule
