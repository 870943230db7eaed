#include "engine/schedule/schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "engine/base/status_macros.h"

namespace mlflowctl::schedule {

namespace {

constexpr int64_t kMinuteMs = 60 * 1000;
constexpr int64_t kDayMs = 24 * 60 * kMinuteMs;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SplitBlanks(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsBlank(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !IsBlank(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// "rate(value unit)": unit minute|minutes|hour|hours|day|days, the singular
// exactly when value is 1 (AWS "Rate expressions"; mlops-formats.md §e).
StatusOr<int64_t> ParseRatePeriod(std::string_view inner) {
  std::vector<std::string_view> parts = SplitBlanks(inner);
  if (parts.size() != 2) {
    return InvalidArgumentError("expected rate(value unit), e.g. rate(5 minutes)");
  }
  std::string_view value_text = parts[0], unit = parts[1];
  if (value_text.empty() || !std::all_of(value_text.begin(), value_text.end(),
                                         [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgumentError(
        fmt::format("the value '{}' must be a positive whole number", value_text));
  }
  if (value_text.size() > 9) {
    return InvalidArgumentError(fmt::format("the value {} is too large", value_text));
  }
  int64_t value = std::stoll(std::string(value_text));
  if (value == 0) return InvalidArgumentError("the value must be positive, not 0");
  int64_t unit_ms = 0;
  bool plural = unit.ends_with('s');
  std::string_view stem = plural ? unit.substr(0, unit.size() - 1) : unit;
  if (stem == "minute")
    unit_ms = kMinuteMs;
  else if (stem == "hour")
    unit_ms = 60 * kMinuteMs;
  else if (stem == "day")
    unit_ms = kDayMs;
  else {
    return InvalidArgumentError(
        fmt::format("unknown unit '{}'; expected minute(s), hour(s) or day(s)", unit));
  }
  if (value == 1 && plural) {
    return InvalidArgumentError("the unit must be singular when the value is 1");
  }
  if (value != 1 && !plural) {
    return InvalidArgumentError("the unit must be plural when the value is not 1");
  }
  return value * unit_ms;
}

// "at(yyyy-mm-ddThh:mm:ss)" (EventBridge Scheduler one-time schedules): the
// wall time in `zone`. A wall time repeated at fall-back is its first
// occurrence; one skipped at spring-forward is an error, since it would
// never fire.
StatusOr<int64_t> ParseAt(std::string_view inner, const TimeZone& zone) {
  std::string_view text = Trim(inner);
  std::optional<WallTime> wall = WallTime::Parse(text);
  if (!wall) {
    return InvalidArgumentError(
        fmt::format("'{}' is not a date and time of the form yyyy-mm-ddThh:mm:ss", text));
  }
  TimeZone::Resolution r = zone.FromWall(*wall);
  if (r.kind == TimeZone::Kind::kNonexistent) {
    return InvalidArgumentError(fmt::format(
        "{} does not exist in {} (skipped when clocks go forward)", wall->ToString(), zone.name()));
  }
  return r.earliest_seconds * 1000;
}

}  // namespace

StatusOr<Schedule> Schedule::Parse(std::string_view expression, std::string_view time_zone) {
  std::string_view text = Trim(expression);
  if (text.empty()) return InvalidArgumentError("the schedule expression is empty");
  MLF_ASSIGN_OR_RETURN(TimeZone zone, TimeZone::Locate(time_zone));

  auto in_parens = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (!text.starts_with(prefix) || !text.ends_with(')')) return std::nullopt;
    return text.substr(prefix.size(), text.size() - prefix.size() - 1);
  };
  auto with_context = [&](const Status& s) { return s.WithContext(text); };

  if (auto inner = in_parens("rate(")) {
    auto period = ParseRatePeriod(*inner);
    if (!period.ok()) return with_context(period.status());
    Schedule s(Kind::kRate, std::string(text), std::move(zone));
    s.period_ms_ = *period;
    return s;
  }
  if (auto inner = in_parens("cron(")) {
    auto cron = CronExpression::Parse(*inner);
    if (!cron.ok()) return with_context(cron.status());
    Schedule s(Kind::kCron, std::string(text), std::move(zone));
    s.cron_ = std::move(cron).value();
    return s;
  }
  if (auto inner = in_parens("at(")) {
    auto at = ParseAt(*inner, zone);
    if (!at.ok()) return with_context(at.status());
    Schedule s(Kind::kAt, std::string(text), std::move(zone));
    s.at_ms_ = *at;
    return s;
  }
  return InvalidArgumentError(fmt::format(
      "'{}' is not a schedule expression; expected rate(value unit), cron(minutes hours "
      "day-of-month month day-of-week year) or at(yyyy-mm-ddThh:mm:ss)",
      text));
}

Schedule Schedule::WithStart(int64_t start_ms) const {
  Schedule copy = *this;
  if (kind_ == Kind::kRate) copy.start_ms_ = start_ms;
  return copy;
}

std::optional<int64_t> Schedule::NextAfter(int64_t after_ms) const {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  switch (kind_) {
    case Kind::kAt:
      return at_ms_ > after_ms ? std::optional<int64_t>(at_ms_) : std::nullopt;
    case Kind::kRate: {
      if (!start_ms_) {
        if (after_ms > kMax - period_ms_) return std::nullopt;
        return after_ms + period_ms_;
      }
      int64_t start = *start_ms_;
      if (after_ms < start) return start;
      // Overflow-safe: after_ms >= start, so the difference is non-negative
      // unless it wraps, which only extreme inputs do.
      if (start < 0 && after_ms > kMax + start) return std::nullopt;
      int64_t k = (after_ms - start) / period_ms_ + 1;
      if (k > (kMax - start) / period_ms_) return std::nullopt;
      return start + k * period_ms_;
    }
    case Kind::kCron:
      return NextCron(after_ms);
  }
  return std::nullopt;
}

std::optional<int64_t> Schedule::NextCron(int64_t after_ms) const {
  // Every wall time up to 2199-12-31T23:59 is before 2200-01-02 UTC and
  // every one from 1970-01-01 is after 1969-12-30 UTC, whatever the offset.
  constexpr int64_t kEndMs = int64_t{84007} * kDayMs;  // 2200-01-02T00:00Z
  if (after_ms >= kEndMs) return std::nullopt;
  after_ms = std::max(after_ms, -2 * kDayMs);

  // Candidates are wall minutes after the wall time of `after_ms`. A wall
  // time the zone skips (spring-forward) is passed over; one it repeats
  // (fall-back) stands for its first instant only, so a candidate whose first
  // instant is not after `after_ms` is passed over too. That also keeps the
  // second pass through a repeated hour from firing again.
  WallTime wall = zone_.ToWall(FloorDiv(after_ms, 1000));
  wall.second = 0;
  WallTime from = WallTime::FromLocalSeconds(wall.ToLocalSeconds() + 60);
  while (true) {
    std::optional<WallTime> match = cron_->NextMatch(from);
    if (!match) return std::nullopt;
    TimeZone::Resolution r = zone_.FromWall(*match);
    if (r.kind != TimeZone::Kind::kNonexistent && r.earliest_seconds * 1000 > after_ms) {
      return r.earliest_seconds * 1000;
    }
    from = WallTime::FromLocalSeconds(match->ToLocalSeconds() + 60);
  }
}

std::vector<int64_t> Schedule::Next(int64_t after_ms, int count) const {
  Schedule anchored = kind_ == Kind::kRate && !start_ms_ ? WithStart(after_ms) : *this;
  std::vector<int64_t> out;
  int64_t t = after_ms;
  for (int i = 0; i < count; ++i) {
    std::optional<int64_t> next = anchored.NextAfter(t);
    if (!next) break;
    out.push_back(*next);
    t = *next;
  }
  return out;
}

}  // namespace mlflowctl::schedule
