#include "engine/schedule/cron_expression.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <span>
#include <string>
#include <vector>

#include "engine/base/status_macros.h"

namespace mlflowctl::schedule {

namespace {

constexpr std::array<std::string_view, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> kDayNames = {"SUN", "MON", "TUE", "WED",
                                                       "THU", "FRI", "SAT"};

enum class FieldId { kMinutes, kHours, kDayOfMonth, kMonth, kDayOfWeek, kYear };

struct FieldSpec {
  FieldId id;
  std::string_view name;
  int min;
  int max;
  bool wraps;  // a range may run past max back to min (hours 20-2)
  std::span<const std::string_view> names;
};

const FieldSpec kMinutes{FieldId::kMinutes, "minutes", 0, 59, true, {}};
const FieldSpec kHours{FieldId::kHours, "hours", 0, 23, true, {}};
const FieldSpec kDayOfMonth{FieldId::kDayOfMonth, "day-of-month", 1, 31, true, {}};
const FieldSpec kMonth{FieldId::kMonth, "month", 1, 12, true, kMonthNames};
const FieldSpec kDayOfWeek{FieldId::kDayOfWeek, "day-of-week", 1, 7, true, kDayNames};
const FieldSpec kYear{FieldId::kYear, "year", kMinCronYear, kMaxCronYear, false, {}};

// A set of field values; bit i stands for value min + i.
using Values = std::bitset<kMaxCronYear - kMinCronYear + 1>;

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

Status InvalidValue(const FieldSpec& f, std::string_view item) {
  return InvalidArgumentError(fmt::format("invalid {} value '{}'", f.name, item));
}

// A number (at most 4 digits) or, where the field has names, a name in any
// case: "5", "JAN", "fri".
StatusOr<int> ParseValue(const FieldSpec& f, std::string_view token, std::string_view item) {
  if (IsDigits(token) && token.size() <= 4) {
    int v = std::stoi(std::string(token));
    if (v < f.min || v > f.max) {
      return InvalidArgumentError(
          fmt::format("{} value {} is out of range {}-{}", f.name, v, f.min, f.max));
    }
    return v;
  }
  std::string upper = Upper(token);
  for (size_t i = 0; i < f.names.size(); ++i) {
    if (f.names[i] == upper) return static_cast<int>(i) + 1;  // JAN = 1, SUN = 1
  }
  return InvalidValue(f, item);
}

bool IsDayName(std::string_view s) {
  std::string upper = Upper(s);
  return std::find(kDayNames.begin(), kDayNames.end(), upper) != kDayNames.end();
}

// L, L-n, LW and nL: the "last" forms of the two day fields.
bool IsLastForm(std::string_view item) {
  if (item == "L" || item == "LW") return true;
  if (item.starts_with("L-")) return true;
  if (item.size() > 1 && item.back() == 'L') {
    std::string_view n = item.substr(0, item.size() - 1);
    return IsDigits(n) || IsDayName(n);
  }
  return false;
}

// nW: nearest weekday.
bool IsWeekdayForm(std::string_view item) {
  return item.size() > 1 && item.back() == 'W' && IsDigits(item.substr(0, item.size() - 1));
}

// Explains why an item with a special character is not allowed where it is.
// OK when the item has none, so the ordinary parse reports it.
Status CheckSpecialCharacters(const FieldSpec& f, std::string_view item) {
  bool day_field = f.id == FieldId::kDayOfMonth || f.id == FieldId::kDayOfWeek;
  if (item.find('?') != std::string_view::npos) {
    if (!day_field) {
      return InvalidArgumentError(
          fmt::format("{}: '?' is allowed only in day-of-month and day-of-week", f.name));
    }
    return InvalidArgumentError(fmt::format("{}: '?' must be the whole field", f.name));
  }
  if (item.find('#') != std::string_view::npos && f.id != FieldId::kDayOfWeek) {
    return InvalidArgumentError(fmt::format("{}: '#' is allowed only in day-of-week", f.name));
  }
  if (f.id == FieldId::kDayOfWeek && item.find('/') != std::string_view::npos) {
    // mlops-formats.md §e and AWS's field table list no '/' for Day-of-week.
    return InvalidArgumentError("day-of-week: '/' is not allowed in day-of-week");
  }
  if (IsWeekdayForm(item) || item == "LW") {
    if (f.id != FieldId::kDayOfMonth) {
      return InvalidArgumentError(fmt::format("{}: 'W' is allowed only in day-of-month", f.name));
    }
    return InvalidArgumentError(
        fmt::format("{}: '{}' must be the only value in the field", f.name, item));
  }
  if (IsLastForm(item)) {
    if (!day_field) {
      return InvalidArgumentError(
          fmt::format("{}: 'L' is allowed only in day-of-month and day-of-week", f.name));
    }
    return InvalidArgumentError(
        fmt::format("{}: '{}' must be the only value in the field", f.name, item));
  }
  return Status::Ok();
}

// One list item: *, */s, v, v/s, a-b, a-b/s. "v/s" runs from v to the end of
// the field; "a-b" with a > b wraps (hours 20-2 = 20..23,0..2).
Status ParseItem(const FieldSpec& f, std::string_view item, Values& out) {
  MLF_RETURN_IF_ERROR(CheckSpecialCharacters(f, item));
  std::vector<std::string_view> slash = Split(item, '/');
  if (slash.size() > 2) return InvalidValue(f, item);
  int step = 1;
  if (slash.size() == 2) {
    std::string_view s = slash[1];
    if (!IsDigits(s) || s.size() > 4 || std::stoi(std::string(s)) == 0) {
      return InvalidArgumentError(
          fmt::format("{}: the step in '{}' must be a positive number", f.name, item));
    }
    step = std::stoi(std::string(s));
  }
  std::string_view base = slash[0];
  int lo = f.min, hi = f.max;
  if (base != "*") {
    std::vector<std::string_view> dash = Split(base, '-');
    if (dash.size() > 2) return InvalidValue(f, item);
    MLF_ASSIGN_OR_RETURN(lo, ParseValue(f, dash[0], item));
    if (dash.size() == 2) {
      MLF_ASSIGN_OR_RETURN(hi, ParseValue(f, dash[1], item));
      if (lo > hi && !f.wraps) {
        return InvalidArgumentError(
            fmt::format("{}: the range '{}' must go from low to high", f.name, item));
      }
    } else {
      hi = slash.size() == 2 ? f.max : lo;
    }
  }
  int size = f.max - f.min + 1;
  int count = lo <= hi ? hi - lo + 1 : hi - lo + size + 1;
  for (int i = 0; i < count; i += step) {
    int v = lo + i;
    if (v > f.max) v -= size;
    out.set(static_cast<size_t>(v - f.min));
  }
  return Status::Ok();
}

StatusOr<Values> ParseList(const FieldSpec& f, std::string_view text) {
  Values values;
  for (std::string_view item : Split(text, ',')) {
    if (item.empty()) {
      return InvalidArgumentError(fmt::format("{}: empty value in '{}'", f.name, text));
    }
    MLF_RETURN_IF_ERROR(ParseItem(f, item, values));
  }
  return values;
}

template <size_t N>
std::bitset<N> Take(const Values& v) {
  std::bitset<N> out;
  for (size_t i = 0; i < N; ++i) out[i] = v[i];
  return out;
}

std::vector<std::string_view> SplitCronFields(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

}  // namespace

Status CronExpression::ParseDayOfMonth(std::string_view dom) {
  // Day-of-month. L, L-n, LW and nW stand alone (Quartz: "it is important
  // not to specify lists, or ranges of values" with them). nW on a day the
  // month lacks (31W in April) matches nothing that month, as the AWS
  // console's preview shows (pyawscron issue #56, cronplan issue #106).
  if (dom == "?") {
    dom_kind_ = DayOfMonthKind::kAny;
  } else if (dom == "L") {
    dom_kind_ = DayOfMonthKind::kLast;
  } else if (dom == "LW") {
    dom_kind_ = DayOfMonthKind::kLastWeekday;
  } else if (dom.starts_with("L-") && dom.find(',') == std::string_view::npos) {
    // L-n: n days before the last day. Quartz's "L-3"; AWS's pages do not
    // document it (they do not forbid it either), so it is accepted here.
    std::string_view n = dom.substr(2);
    if (!IsDigits(n) || n.size() > 2 || std::stoi(std::string(n)) > 30) {
      return InvalidArgumentError(
          fmt::format("day-of-month: '{}' must be L-n with n from 0 to 30", dom));
    }
    dom_kind_ = DayOfMonthKind::kLast;
    dom_n_ = std::stoi(std::string(n));
  } else if (IsWeekdayForm(dom)) {
    MLF_ASSIGN_OR_RETURN(dom_n_, ParseValue(kDayOfMonth, dom.substr(0, dom.size() - 1), dom));
    dom_kind_ = DayOfMonthKind::kNearestWeekday;
  } else {
    MLF_ASSIGN_OR_RETURN(Values days, ParseList(kDayOfMonth, dom));
    dom_kind_ = DayOfMonthKind::kSet;
    dom_set_ = Take<31>(days);
  }
  return Status::Ok();
}

Status CronExpression::ParseDayOfWeek(std::string_view dow) {
  // Day-of-week. L alone is the last day of the week (Saturday); nL is the
  // last such weekday of the month, n#k the k-th. Only one '#' expression
  // per field ("3#1,6#3" is invalid, AWS cron reference).
  size_t hashes = static_cast<size_t>(std::count(dow.begin(), dow.end(), '#'));
  if (dow == "?") {
    dow_kind_ = DayOfWeekKind::kAny;
  } else if (hashes > 1) {
    return InvalidArgumentError(
        fmt::format("day-of-week: only one '#' expression is allowed, got '{}'", dow));
  } else if (hashes == 1) {
    if (dow.find(',') != std::string_view::npos) {
      return InvalidArgumentError(
          fmt::format("day-of-week: the '#' expression must be the only value in '{}'", dow));
    }
    size_t pos = dow.find('#');
    MLF_ASSIGN_OR_RETURN(dow_day_, ParseValue(kDayOfWeek, dow.substr(0, pos), dow));
    std::string_view k = dow.substr(pos + 1);
    if (!IsDigits(k) || k.size() != 1 || k[0] < '1' || k[0] > '5') {
      return InvalidArgumentError(
          fmt::format("day-of-week: the occurrence after '#' in '{}' must be from 1 to 5", dow));
    }
    dow_nth_ = k[0] - '0';
    dow_kind_ = DayOfWeekKind::kNth;
  } else if (dow == "L") {
    dow_kind_ = DayOfWeekKind::kSet;
    dow_set_.set(6);
  } else if (dow.size() > 1 && dow.back() == 'L' && dow.find(',') == std::string_view::npos &&
             dow.find('-') == std::string_view::npos) {
    MLF_ASSIGN_OR_RETURN(dow_day_, ParseValue(kDayOfWeek, dow.substr(0, dow.size() - 1), dow));
    dow_kind_ = DayOfWeekKind::kLast;
  } else {
    MLF_ASSIGN_OR_RETURN(Values days, ParseList(kDayOfWeek, dow));
    dow_kind_ = DayOfWeekKind::kSet;
    dow_set_ = Take<7>(days);
  }
  return Status::Ok();
}

StatusOr<CronExpression> CronExpression::Parse(std::string_view text) {
  std::vector<std::string_view> fields = SplitCronFields(text);
  if (fields.size() != 6) {
    return InvalidArgumentError(fmt::format(
        "expected 6 fields (minutes hours day-of-month month day-of-week year) but got {}",
        fields.size()));
  }
  CronExpression c;
  MLF_ASSIGN_OR_RETURN(Values minutes, ParseList(kMinutes, fields[0]));
  MLF_ASSIGN_OR_RETURN(Values hours, ParseList(kHours, fields[1]));
  MLF_ASSIGN_OR_RETURN(Values months, ParseList(kMonth, fields[3]));
  MLF_ASSIGN_OR_RETURN(Values years, ParseList(kYear, fields[5]));
  c.minutes_ = Take<60>(minutes);
  c.hours_ = Take<24>(hours);
  c.months_ = Take<12>(months);
  c.years_ = years;

  MLF_RETURN_IF_ERROR(c.ParseDayOfMonth(fields[2]));
  MLF_RETURN_IF_ERROR(c.ParseDayOfWeek(fields[4]));

  // AWS cron reference, "Limitations": values (or *) in both day fields are
  // not supported; one must be '?'.
  bool dom_any = c.dom_kind_ == DayOfMonthKind::kAny;
  bool dow_any = c.dow_kind_ == DayOfWeekKind::kAny;
  if (!dom_any && !dow_any) {
    return InvalidArgumentError(
        "day-of-month and day-of-week cannot both be given; one must be '?'");
  }
  if (dom_any && dow_any) {
    return InvalidArgumentError(
        "day-of-month and day-of-week cannot both be '?'; one of them must be given");
  }
  return c;
}

uint32_t CronExpression::DayMask(int year, int month) const {
  const int last = DaysInMonth(year, month);
  const int first_weekday = DayOfWeek(year, month, 1);  // 1 = Sunday
  auto weekday = [&](int d) { return (first_weekday - 1 + d - 1) % 7 + 1; };
  auto bit = [](int d) { return uint32_t{1} << d; };
  uint32_t mask = 0;
  switch (dom_kind_) {
    case DayOfMonthKind::kSet:
      for (int d = 1; d <= last; ++d) {
        if (dom_set_[static_cast<size_t>(d - 1)]) mask |= bit(d);
      }
      return mask;
    case DayOfMonthKind::kLast:
      return last - dom_n_ >= 1 ? bit(last - dom_n_) : 0;
    case DayOfMonthKind::kLastWeekday: {
      // LW: the last Monday-Friday of the month (Quartz; EventBridge accepts
      // it, e.g. cron(0 21 LW * ? *), serverless-local-schedule issue #12).
      int d = last;
      if (weekday(d) == 7)
        d -= 1;  // Saturday -> Friday
      else if (weekday(d) == 1)
        d -= 2;  // Sunday -> Friday
      return bit(d);
    }
    case DayOfMonthKind::kNearestWeekday: {
      // Quartz: the weekday nearest day n without leaving the month; "1W"
      // on a Saturday is Monday the 3rd.
      int n = dom_n_;
      if (n > last) return 0;
      int d = n;
      if (weekday(n) == 7)
        d = n == 1 ? 3 : n - 1;
      else if (weekday(n) == 1)
        d = n == last ? n - 2 : n + 1;
      return bit(d);
    }
    case DayOfMonthKind::kAny:
      break;
  }
  switch (dow_kind_) {
    case DayOfWeekKind::kSet:
      for (int d = 1; d <= last; ++d) {
        if (dow_set_[static_cast<size_t>(weekday(d) - 1)]) mask |= bit(d);
      }
      return mask;
    case DayOfWeekKind::kLast:
      return bit(last - (weekday(last) - dow_day_ + 7) % 7);
    case DayOfWeekKind::kNth: {
      int d = 1 + (dow_day_ - first_weekday + 7) % 7 + 7 * (dow_nth_ - 1);
      return d <= last ? bit(d) : 0;
    }
    case DayOfWeekKind::kAny:
      break;
  }
  return 0;  // unreachable: Parse rejects '?' in both fields
}

std::optional<WallTime> CronExpression::NextMatch(WallTime from) const {
  if (from.year < kMinCronYear) from = WallTime{kMinCronYear, 1, 1, 0, 0, 0};
  // Each level starts at `from`'s value only while every level above it still
  // equals `from`; otherwise at its minimum.
  for (int y = from.year; y <= kMaxCronYear; ++y) {
    if (!years_[static_cast<size_t>(y - kMinCronYear)]) continue;
    const bool same_year = y == from.year;
    for (int mo = same_year ? from.month : 1; mo <= 12; ++mo) {
      if (!months_[static_cast<size_t>(mo - 1)]) continue;
      const bool same_month = same_year && mo == from.month;
      const uint32_t days = DayMask(y, mo);
      for (int d = same_month ? from.day : 1; d <= 31; ++d) {
        if ((days >> d & 1) == 0) continue;
        const bool same_day = same_month && d == from.day;
        for (int h = same_day ? from.hour : 0; h < 24; ++h) {
          if (!hours_[static_cast<size_t>(h)]) continue;
          const bool same_hour = same_day && h == from.hour;
          for (int mi = same_hour ? from.minute : 0; mi < 60; ++mi) {
            if (minutes_[static_cast<size_t>(mi)]) return WallTime{y, mo, d, h, mi, 0};
          }
        }
      }
    }
  }
  return std::nullopt;
}

bool CronExpression::Matches(const WallTime& t) const {
  if (t.year < kMinCronYear || t.year > kMaxCronYear) return false;
  return years_[static_cast<size_t>(t.year - kMinCronYear)] &&
         months_[static_cast<size_t>(t.month - 1)] && (DayMask(t.year, t.month) >> t.day & 1) &&
         hours_[static_cast<size_t>(t.hour)] && minutes_[static_cast<size_t>(t.minute)];
}

}  // namespace mlflowctl::schedule
