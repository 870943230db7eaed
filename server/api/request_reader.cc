#include "server/api/request_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mlflowctl::api {

namespace {

// How a rejected value is quoted in the message: strings as they are, other
// values as JSON, both between quotes as AWS does ("Value '1001' at ...").
std::string Quote(const Json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : DumpJson(value);
  if (text.size() > 100) text = text.substr(0, 100) + "...";
  return "'" + text + "'";
}

}  // namespace

const Json* RequestReader::Member(std::string_view member) const {
  auto it = body_.find(std::string(member));
  if (it == body_.end() || it->is_null()) return nullptr;
  return &*it;
}

void RequestReader::Problem(const std::string& value, std::string_view member,
                            const std::string& constraint) {
  problems_.push_back(fmt::format("Value {} at '{}' failed to satisfy constraint: {}", value,
                                  member, constraint));
}

bool RequestReader::CheckLength(const std::string& value, std::string_view member,
                                StringLimits limits) {
  if (value.size() < limits.min_length) {
    Problem(Quote(value), member,
            fmt::format("Member must have length greater than or equal to {}", limits.min_length));
    return false;
  }
  if (limits.max_length != 0 && value.size() > limits.max_length) {
    Problem(Quote(value), member,
            fmt::format("Member must have length less than or equal to {}", limits.max_length));
    return false;
  }
  return true;
}

std::string RequestReader::RequiredString(std::string_view member, StringLimits limits) {
  if (Member(member) == nullptr) {
    Problem("null", member, "Member must not be null");
    return "";
  }
  return OptionalString(member, limits).value_or("");
}

std::optional<std::string> RequestReader::OptionalString(std::string_view member,
                                                         StringLimits limits) {
  const Json* v = Member(member);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    Problem(Quote(*v), member, "Member must be a string");
    return std::nullopt;
  }
  std::string s = v->get<std::string>();
  if (!CheckLength(s, member, limits)) return std::nullopt;
  return s;
}

std::optional<std::string> RequestReader::OptionalEnum(
    std::string_view member, const std::vector<std::string_view>& values) {
  std::optional<std::string> s = OptionalString(member);
  if (!s) return std::nullopt;
  for (std::string_view v : values) {
    if (*s == v) return s;
  }
  Problem(Quote(*s), member,
          fmt::format("Member must satisfy enum value set: [{}]", fmt::join(values, ", ")));
  return std::nullopt;
}

std::optional<int64_t> RequestReader::OptionalInt(std::string_view member, int64_t min,
                                                  int64_t max) {
  const Json* v = Member(member);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number_integer()) {
    Problem(Quote(*v), member, "Member must be an integer");
    return std::nullopt;
  }
  int64_t n = v->get<int64_t>();
  if (n < min) {
    Problem(Quote(*v), member,
            fmt::format("Member must have value greater than or equal to {}", min));
    return std::nullopt;
  }
  if (n > max) {
    Problem(Quote(*v), member, fmt::format("Member must have value less than or equal to {}", max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> RequestReader::OptionalBool(std::string_view member) {
  const Json* v = Member(member);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    Problem(Quote(*v), member, "Member must be a boolean");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<ApiError> RequestReader::Error() const {
  if (problems_.empty()) return std::nullopt;
  std::string message =
      fmt::format("{} validation error{} detected: {}", problems_.size(),
                  problems_.size() == 1 ? "" : "s", fmt::join(problems_, "; "));
  return ApiError{"ValidationException", std::move(message), 400};
}

}  // namespace mlflowctl::api
