// Clock: the one source of wall-clock time, injected so tests can control it.
// SystemClock is thread-safe; FakeClock is thread-safe (atomic).
#ifndef MLFLOWCTL_BASE_CLOCK_H_
#define MLFLOWCTL_BASE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mlflowctl {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  static SystemClock* Default();
};

class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t epoch_millis = 1700000000000)
      : millis_(epoch_millis) {}
  TimePoint Now() const override;
  void AdvanceMillis(int64_t ms) { millis_ += ms; }

 private:
  std::atomic<int64_t> millis_;
};

int64_t ToEpochMillis(TimePoint t);
TimePoint FromEpochMillis(int64_t ms);

// "2026-11-23T15:51:27.123Z" (UTC, millisecond precision), as Step Functions
// prints $$.Execution.StartTime.
std::string FormatIso8601(TimePoint t);

// Parses an RFC 3339 timestamp as ASL accepts it: an uppercase "T" separator,
// a "Z" or numeric offset, optional fractional seconds
// ("2016-03-14T01:59:00Z", "2016-03-14T01:59:00.123+01:00"). nullopt if the
// text is not one. Times after 2262-04-11 or before 1677-09-21 (beyond a
// TimePoint) saturate to TimePoint::max() / min().
std::optional<TimePoint> ParseIso8601(std::string_view text);

}  // namespace mlflowctl

#endif  // MLFLOWCTL_BASE_CLOCK_H_
