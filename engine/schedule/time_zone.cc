#include "engine/schedule/time_zone.h"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <chrono>
#include <exception>

namespace mlflowctl::schedule {

namespace {

int64_t FloorDivide(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

date::local_seconds ToLocal(const WallTime& w) {
  return date::local_seconds(std::chrono::seconds(w.ToLocalSeconds()));
}

}  // namespace

int64_t WallTime::ToLocalSeconds() const {
  // Months and days past their range carry over (month 13 is January of the
  // next year, day 32 of January is February 1st).
  int64_t months = int64_t{year} * 12 + (month - 1);
  int64_t y = FloorDivide(months, 12);
  auto m = static_cast<unsigned>(months - y * 12 + 1);
  date::sys_days first{date::year(static_cast<int>(y)) / date::month(m) / 1};
  int64_t d = first.time_since_epoch().count() + (day - 1);
  return d * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + second;
}

WallTime WallTime::FromLocalSeconds(int64_t local_seconds) {
  int64_t days = FloorDivide(local_seconds, 86400);
  int64_t rest = local_seconds - days * 86400;
  date::year_month_day ymd{date::sys_days(date::days(days))};
  WallTime w;
  w.year = static_cast<int>(ymd.year());
  w.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  w.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  w.hour = static_cast<int>(rest / 3600);
  w.minute = static_cast<int>(rest % 3600 / 60);
  w.second = static_cast<int>(rest % 60);
  return w;
}

std::string WallTime::ToString() const {
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}", year, month, day, hour, minute,
                     second);
}

std::optional<WallTime> WallTime::Parse(std::string_view text) {
  // yyyy-mm-ddThh:mm:ss: 19 characters, separators at fixed places.
  if (text.size() != 19) return std::nullopt;
  auto digits = [&](size_t pos, size_t n) -> std::optional<int> {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2),
       s = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  if (*mo < 1 || *mo > 12 || *d < 1 || *d > DaysInMonth(*y, *mo) || *h > 23 || *mi > 59 ||
      *s > 59) {
    return std::nullopt;
  }
  return WallTime{*y, *mo, *d, *h, *mi, *s};
}

int DayOfWeek(int year, int month, int day) {
  date::weekday wd{date::sys_days(date::year(year) / month / day)};
  return static_cast<int>(wd.c_encoding()) + 1;  // c_encoding: Sunday = 0
}

int DaysInMonth(int year, int month) {
  auto last = date::year_month_day_last(date::year(year), date::month_day_last(date::month(month)));
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

StatusOr<TimeZone> TimeZone::Locate(std::string_view name) {
  if (name.empty()) return Utc();
  // The date library reports an unknown name (or a missing tz database) by
  // throwing; no exception leaves this module.
  try {
    const date::time_zone* zone = date::locate_zone(name);
    return TimeZone(zone, std::string(name));
  } catch (const std::exception&) {
    return InvalidArgumentError(fmt::format("unknown time zone '{}'", name));
  }
}

TimeZone TimeZone::Utc() { return TimeZone(nullptr, "UTC"); }

WallTime TimeZone::ToWall(int64_t epoch_seconds) const {
  return WallTime::FromLocalSeconds(epoch_seconds + OffsetSeconds(epoch_seconds));
}

int TimeZone::OffsetSeconds(int64_t epoch_seconds) const {
  if (zone_ == nullptr) return 0;
  auto info = zone_->get_info(date::sys_seconds(std::chrono::seconds(epoch_seconds)));
  return static_cast<int>(info.offset.count());
}

TimeZone::Resolution TimeZone::FromWall(const WallTime& wall) const {
  int64_t local = wall.ToLocalSeconds();
  if (zone_ == nullptr) return {Kind::kUnique, local};
  auto info = zone_->get_info(ToLocal(wall));
  switch (info.result) {
    case date::local_info::nonexistent:
      return {Kind::kNonexistent, 0};
    case date::local_info::ambiguous:
      // `first` is the offset in force before the transition, so it gives
      // the earlier instant.
      return {Kind::kAmbiguous, local - info.first.offset.count()};
    default:
      return {Kind::kUnique, local - info.first.offset.count()};
  }
}

std::string TimeZone::FormatIso8601(int64_t epoch_millis) const {
  int64_t seconds = FloorDivide(epoch_millis, 1000);
  int offset = OffsetSeconds(seconds);
  WallTime w = WallTime::FromLocalSeconds(seconds + offset);
  char sign = offset < 0 ? '-' : '+';
  int abs_offset = offset < 0 ? -offset : offset;
  return fmt::format("{}{}{:02d}:{:02d}", w.ToString(), sign, abs_offset / 3600,
                     abs_offset % 3600 / 60);
}

}  // namespace mlflowctl::schedule
