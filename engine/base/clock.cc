#include "engine/base/clock.h"

#include <cctype>
#include <limits>

#include <fmt/format.h>

namespace mlflowctl {

SystemClock* SystemClock::Default() {
  static SystemClock clock;
  return &clock;
}

TimePoint FakeClock::Now() const { return FromEpochMillis(millis_.load()); }

int64_t ToEpochMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             t.time_since_epoch())
      .count();
}

TimePoint FromEpochMillis(int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::milliseconds(ms)));
}

std::string FormatIso8601(TimePoint t) {
  using namespace std::chrono;
  int64_t ms = ToEpochMillis(t);
  int64_t day_ms = 86400000;
  int64_t days = ms >= 0 ? ms / day_ms : -((-ms + day_ms - 1) / day_ms);
  int64_t rem = ms - days * day_ms;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                     static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), rem / 3600000,
                     rem / 60000 % 60, rem / 1000 % 60, rem % 1000);
}

namespace {

bool ReadDigits(std::string_view s, std::size_t& i, int n, int& out) {
  out = 0;
  for (int k = 0; k < n; ++k, ++i) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i])))
      return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool Expect(std::string_view s, std::size_t& i, char c) {
  if (i >= s.size() || s[i] != c) return false;
  ++i;
  return true;
}

}  // namespace

std::optional<TimePoint> ParseIso8601(std::string_view s) {
  using namespace std::chrono;
  std::size_t i = 0;
  int y, mo, d, h, mi, sec;
  if (!ReadDigits(s, i, 4, y) || !Expect(s, i, '-') ||
      !ReadDigits(s, i, 2, mo) || !Expect(s, i, '-') ||
      !ReadDigits(s, i, 2, d) || !Expect(s, i, 'T') ||
      !ReadDigits(s, i, 2, h) || !Expect(s, i, ':') ||
      !ReadDigits(s, i, 2, mi) || !Expect(s, i, ':') ||
      !ReadDigits(s, i, 2, sec)) {
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                     day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  int64_t nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int64_t scale = 100000000;
    std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      nanos += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  int64_t offset_min = 0;
  if (i < s.size() && s[i] == 'Z') {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    ++i;
    int oh, om;
    if (!ReadDigits(s, i, 2, oh) || !Expect(s, i, ':') ||
        !ReadDigits(s, i, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_min = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} -
            minutes{offset_min};
  // TimePoint counts nanoseconds in 64 bits: 1677-09-21 to 2262-04-11.
  // Later or earlier timestamps (e.g. "9999-12-31T23:59:59Z" as "never")
  // saturate, so they still compare correctly with any representable time.
  using Limits = std::numeric_limits<TimePoint::rep>;
  const int64_t max_seconds = Limits::max() / 1'000'000'000 - 1;
  const int64_t min_seconds = Limits::min() / 1'000'000'000 + 1;
  const int64_t secs = tp.time_since_epoch().count();
  if (secs > max_seconds) return TimePoint::max();
  if (secs < min_seconds) return TimePoint::min();
  return time_point_cast<TimePoint::duration>(tp) +
         duration_cast<TimePoint::duration>(nanoseconds{nanos});
}

}  // namespace mlflowctl
