// CronExpression: the six fields of an EventBridge cron(...) expression
// (Minutes Hours Day-of-month Month Day-of-week Year), parsed into sets and
// matched against wall times. It knows nothing of time zones: Schedule maps
// the wall times it finds to instants. Immutable; safe to share between
// threads.
//
// Syntax (the project's format notes, mlops-formats.md §e; AWS EventBridge
// "Cron expressions reference", eb-cron-expressions.html; the Quartz
// CronTrigger tutorial, whose syntax EventBridge's follows):
//   Minutes 0-59 and Hours 0-23:       , - * /
//   Day-of-month 1-31:                 , - * ? / L W   (L, L-n, LW, nW)
//   Month 1-12 or JAN-DEC:             , - * /
//   Day-of-week 1-7 or SUN-SAT (1=SUN): , - * ? L #    (L, nL, n#k)
//   Year 1970-2199:                    , - * /
// Exactly one of Day-of-month and Day-of-week is '?'. Names are accepted in
// any case. Ranges may wrap (hours 20-2, FRI-MON, NOV-FEB) except in Year.
#ifndef MLFLOWCTL_SCHEDULE_CRON_EXPRESSION_H_
#define MLFLOWCTL_SCHEDULE_CRON_EXPRESSION_H_

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/base/status_or.h"
#include "engine/schedule/time_zone.h"

namespace mlflowctl::schedule {

inline constexpr int kMinCronYear = 1970;
inline constexpr int kMaxCronYear = 2199;

class CronExpression {
 public:
  // Parses the text between "cron(" and ")", fields separated by blanks.
  // kInvalidArgument saying which field and what is wrong, e.g.
  // "minutes value 60 is out of range 0-59" or "day-of-month and
  // day-of-week cannot both be given; one must be '?'" (no "cron(...)"
  // prefix: Schedule::Parse adds it).
  static StatusOr<CronExpression> Parse(std::string_view fields);

  // The earliest wall time at or after `from` (minute precision: `from`'s
  // seconds are ignored, the result's are 0) that matches every field;
  // nullopt when there is none up to the end of 2199. Jumps over years,
  // months, days and hours that cannot match, so a search across two
  // centuries costs a few hundred thousand simple steps at most.
  std::optional<WallTime> NextMatch(WallTime from) const;

  // Whether the minute `t` (seconds ignored) matches.
  bool Matches(const WallTime& t) const;

 private:
  // Day-of-month: '?' | values | L / L-n | LW | nW.
  enum class DayOfMonthKind { kAny, kSet, kLast, kLastWeekday, kNearestWeekday };
  // Day-of-week: '?' | values | nL | n#k.
  enum class DayOfWeekKind { kAny, kSet, kLast, kNth };

  CronExpression() = default;
  Status ParseDayOfMonth(std::string_view field);
  Status ParseDayOfWeek(std::string_view field);

  // Bit d (1-31) set when day d of that month matches both day fields.
  uint32_t DayMask(int year, int month) const;

  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<12> months_;  // bit 0 = January
  std::bitset<kMaxCronYear - kMinCronYear + 1> years_;

  DayOfMonthKind dom_kind_ = DayOfMonthKind::kAny;
  std::bitset<31> dom_set_;  // bit 0 = the 1st
  int dom_n_ = 0;            // L-n: n; nW: n

  DayOfWeekKind dow_kind_ = DayOfWeekKind::kAny;
  std::bitset<7> dow_set_;  // bit 0 = Sunday
  int dow_day_ = 0;         // nL, n#k: n (1 = Sunday)
  int dow_nth_ = 0;         // n#k: k (1-5)
};

}  // namespace mlflowctl::schedule

#endif  // MLFLOWCTL_SCHEDULE_CRON_EXPRESSION_H_
