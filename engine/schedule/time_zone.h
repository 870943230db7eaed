// TimeZone: an IANA time zone (Howard Hinnant's date library over the system
// tzdata) reduced to what schedules need: instant <-> wall time conversions
// that say when a wall time does not exist or is repeated, and ISO-8601
// rendering with the zone's offset. Also the minute-precision WallTime value.
// A TimeZone is an immutable handle to a zone that lives as long as the
// program; it is cheap to copy and safe to use from any thread.
#ifndef MLFLOWCTL_SCHEDULE_TIME_ZONE_H_
#define MLFLOWCTL_SCHEDULE_TIME_ZONE_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "engine/base/status_or.h"

namespace date {
class time_zone;
}  // namespace date

namespace mlflowctl::schedule {

// A civil date and time of day to the second, with no zone attached.
// Fields are not range-checked here; Normalized() carries overflow.
struct WallTime {
  int year = 1970;
  int month = 1;   // 1-12
  int day = 1;     // 1-31
  int hour = 0;    // 0-23
  int minute = 0;  // 0-59
  int second = 0;  // 0-59

  auto operator<=>(const WallTime&) const = default;

  // Seconds since 1970-01-01T00:00:00 of this wall time, as if it were UTC.
  int64_t ToLocalSeconds() const;
  static WallTime FromLocalSeconds(int64_t local_seconds);
  // "2026-11-24T12:00:00".
  std::string ToString() const;
  // Parses exactly "yyyy-mm-ddThh:mm:ss"; nullopt unless the text has that
  // shape and names a real calendar date and time of day.
  static std::optional<WallTime> Parse(std::string_view text);
};

// 1 = Sunday ... 7 = Saturday, as EventBridge numbers days of the week.
int DayOfWeek(int year, int month, int day);
int DaysInMonth(int year, int month);

class TimeZone {
 public:
  // What a wall time is in a zone.
  enum class Kind {
    kUnique,       // one instant
    kNonexistent,  // skipped by a forward transition (spring-forward gap)
    kAmbiguous,    // repeated by a backward transition (fall-back overlap)
  };
  struct Resolution {
    Kind kind = Kind::kUnique;
    // The instant, in epoch seconds: for kAmbiguous the earlier of the two;
    // unset for kNonexistent.
    int64_t earliest_seconds = 0;
  };

  // The zone named `name` ("Europe/Paris", "UTC"; an empty name means UTC).
  // kInvalidArgument "unknown time zone 'Mars/Base'" when the tz database
  // has no such zone.
  static StatusOr<TimeZone> Locate(std::string_view name);
  static TimeZone Utc();

  const std::string& name() const { return name_; }

  // The wall time at an instant (epoch seconds).
  WallTime ToWall(int64_t epoch_seconds) const;
  Resolution FromWall(const WallTime& wall) const;
  // UTC offset in seconds at an instant (+3600 for Paris in winter).
  int OffsetSeconds(int64_t epoch_seconds) const;
  // "2026-11-24T12:00:00+01:00" (seconds precision; "+00:00" for UTC).
  std::string FormatIso8601(int64_t epoch_millis) const;

 private:
  TimeZone(const date::time_zone* zone, std::string name) : zone_(zone), name_(std::move(name)) {}

  const date::time_zone* zone_;  // owned by the date library's tz database
  std::string name_;
};

}  // namespace mlflowctl::schedule

#endif  // MLFLOWCTL_SCHEDULE_TIME_ZONE_H_
