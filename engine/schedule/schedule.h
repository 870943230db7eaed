// Schedule: an EventBridge (Scheduler) schedule expression in a time zone,
// and when it fires. Three forms:
//   rate(value unit)            elapsed time from a start instant
//   cron(min hour dom mon dow year)  wall times in the zone (CronExpression)
//   at(yyyy-mm-ddThh:mm:ss)     once, at that wall time in the zone
// Daylight saving time follows "Daylight savings time on EventBridge
// Scheduler" (schedule-types.html): a cron wall time that does not exist at
// spring-forward is skipped, not shifted; a wall time repeated at fall-back
// fires once, at its first occurrence; rate(1 day) is 24 hours whatever the
// clocks do. Firings are at whole minutes for cron, strictly after the
// reference instant. A Schedule is immutable and safe to share between
// threads.
#ifndef MLFLOWCTL_SCHEDULE_SCHEDULE_H_
#define MLFLOWCTL_SCHEDULE_SCHEDULE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/status_or.h"
#include "engine/schedule/cron_expression.h"
#include "engine/schedule/time_zone.h"

namespace mlflowctl::schedule {

class Schedule {
 public:
  enum class Kind { kRate, kCron, kAt };

  // Parses `expression` (surrounding blanks ignored) in the IANA zone
  // `time_zone` ("" means UTC). kInvalidArgument with what and where, e.g.
  //   "cron(0 12 * * * *): day-of-month and day-of-week cannot both be
  //    given; one must be '?'"
  //   "rate(5 hour): the unit must be plural when the value is not 1"
  //   "at(2026-03-08T02:30:00): 2026-03-08T02:30:00 does not exist in
  //    America/New_York (skipped when clocks go forward)"
  //   "unknown time zone 'Mars/Base'"
  static StatusOr<Schedule> Parse(std::string_view expression, std::string_view time_zone = "UTC");

  // The same schedule with a rate anchored at `start_ms` (epoch ms): it
  // fires at start_ms + k * period for k >= 0 (EventBridge Scheduler's
  // StartDate is the first occurrence). No effect on cron and at.
  Schedule WithStart(int64_t start_ms) const;

  // The first firing strictly after `after_ms` (epoch ms); nullopt when there
  // is none: an at() not after it, a cron whose years are over (nothing after
  // 2199). A rate with no start is taken to start at `after_ms` and so fires
  // next at after_ms + period.
  std::optional<int64_t> NextAfter(int64_t after_ms) const;
  // Up to `count` successive firings after `after_ms` (fewer when the
  // schedule ends). A rate with no start is anchored at `after_ms`.
  std::vector<int64_t> Next(int64_t after_ms, int count) const;

  Kind kind() const { return kind_; }
  // The expression as given, without surrounding blanks.
  const std::string& expression() const { return expression_; }
  const std::string& time_zone() const { return zone_.name(); }
  const TimeZone& zone() const { return zone_; }
  std::optional<int64_t> start_ms() const { return start_ms_; }
  // The period of a rate in ms; 0 for cron and at.
  int64_t period_ms() const { return period_ms_; }

  // `epoch_ms` as ISO-8601 in the schedule's zone, as the AWS console shows
  // upcoming firings: "2026-11-24T12:00:00+01:00".
  std::string FormatLocal(int64_t epoch_ms) const { return zone_.FormatIso8601(epoch_ms); }

 private:
  Schedule(Kind kind, std::string expression, TimeZone zone)
      : kind_(kind), expression_(std::move(expression)), zone_(std::move(zone)) {}

  std::optional<int64_t> NextCron(int64_t after_ms) const;

  Kind kind_;
  std::string expression_;
  TimeZone zone_;
  std::optional<CronExpression> cron_;  // kCron
  int64_t period_ms_ = 0;               // kRate
  std::optional<int64_t> start_ms_;     // kRate, when anchored
  int64_t at_ms_ = 0;                   // kAt
};

}  // namespace mlflowctl::schedule

#endif  // MLFLOWCTL_SCHEDULE_SCHEDULE_H_
