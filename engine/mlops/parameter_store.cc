#include "engine/mlops/parameter_store.h"

#include <cctype>

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/ids.h"

namespace mlflowctl::mlops {
namespace {

using Problem = ParameterNameCheck::Problem;

constexpr int kMaxLevels = 15;
constexpr std::size_t kMaxNameWithArn = 1011;

ParameterNameCheck Invalid(std::string message) {
  return ParameterNameCheck{Problem::kInvalid, "", std::move(message)};
}

bool StartsWithReserved(std::string_view s) {
  if (s.size() < 3) return false;
  std::string head;
  for (int i = 0; i < 3; ++i) {
    head += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
  }
  return head == "aws" || head == "ssm";
}

std::string ArnPrefix() {
  return fmt::format("arn:aws:ssm:{}:{}:parameter/", kLocalRegion,
                     kLocalAccount);
}

// Checks "/seg/seg/..." (leading slash, no trailing slash, no empty level).
ParameterNameCheck CheckCanonical(std::string_view original,
                                  std::string canonical) {
  for (char c : canonical) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
              c == '.' || c == '-' || c == '/';
    if (!ok) {
      return Invalid(fmt::format(
          "parameter name '{}' contains '{}': only letters, digits, '_', '.', "
          "'-' and '/' are allowed",
          original, c));
    }
  }
  if (canonical.size() < 2 || canonical.back() == '/' ||
      canonical.find("//") != std::string::npos) {
    return Invalid(fmt::format(
        "parameter name '{}' has an empty hierarchy level", original));
  }
  if (StartsWithReserved(std::string_view(canonical).substr(1))) {
    return Invalid(fmt::format(
        "parameter name '{}' starts with 'aws' or 'ssm', which are reserved",
        original));
  }
  int levels = 0;
  for (char c : canonical) levels += c == '/' ? 1 : 0;
  if (levels > kMaxLevels) {
    return ParameterNameCheck{
        Problem::kTooDeep, "",
        fmt::format("parameter name '{}' has {} hierarchy levels; at most {} "
                    "are allowed",
                    original, levels, kMaxLevels)};
  }
  if (ArnPrefix().size() + canonical.size() - 1 > kMaxNameWithArn) {
    return Invalid(fmt::format(
        "parameter name '{}...' is too long: with the ARN prefix it may have "
        "at most {} characters",
        original.substr(0, 40), kMaxNameWithArn));
  }
  return ParameterNameCheck{Problem::kNone, std::move(canonical), ""};
}

}  // namespace

std::string_view ParameterTypeName(ParameterType type) {
  switch (type) {
    case ParameterType::kString: return "String";
    case ParameterType::kStringList: return "StringList";
    case ParameterType::kSecureString: return "SecureString";
  }
  return "String";
}

std::optional<ParameterType> ParseParameterType(std::string_view name) {
  if (name == "String") return ParameterType::kString;
  if (name == "StringList") return ParameterType::kStringList;
  if (name == "SecureString") return ParameterType::kSecureString;
  return std::nullopt;
}

ParameterNameCheck CheckParameterName(std::string_view name) {
  if (name.empty()) return Invalid("parameter name must not be empty");
  if (name.front() != '/') {
    // SSM: "a" and "/a" are one name; a name in a hierarchy needs the
    // leading slash ("a/b" is not fully qualified).
    if (name.find('/') != std::string_view::npos) {
      return Invalid(fmt::format(
          "parameter name '{}' is not fully qualified: a name in a hierarchy "
          "starts with '/'",
          name));
    }
    return CheckCanonical(name, "/" + std::string(name));
  }
  return CheckCanonical(name, std::string(name));
}

ParameterNameCheck CheckParameterPath(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return Invalid(fmt::format("parameter path '{}' must start with '/'", path));
  }
  if (path == "/") return ParameterNameCheck{Problem::kNone, "/", ""};
  std::string_view trimmed = path;
  if (trimmed.back() == '/') trimmed.remove_suffix(1);
  ParameterNameCheck check = CheckParameterName(trimmed);
  if (check.problem == Problem::kNone) check.canonical += "/";
  return check;
}

std::string ParameterArn(std::string_view canonical_name) {
  std::string_view rest = canonical_name;
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  return ArnPrefix() + std::string(rest);
}

std::string CheckParameterValue(std::string_view value, std::string_view tier) {
  std::size_t limit = 0;
  if (tier == "Standard") {
    limit = 4096;
  } else if (tier == "Advanced") {
    limit = 8192;
  } else {
    return fmt::format("tier '{}' is not Standard or Advanced", tier);
  }
  if (value.empty()) return "a parameter value must not be empty";
  if (value.size() > limit) {
    return fmt::format("the value has {} bytes; a {} parameter holds at most {}",
                       value.size(), tier, limit);
  }
  std::size_t open = value.find("{{");
  if (open != std::string_view::npos &&
      value.find("}}", open) != std::string_view::npos) {
    return "a parameter value may not contain a '{{ }}' reference";
  }
  return "";
}

StatusOr<Parameter> ParameterStore::PutParameter(
    const PutParameterRequest& request) {
  StatusOr<std::vector<Parameter>> stored = PutParameters({request});
  if (!stored.ok()) return stored.status();
  return std::move(stored->front());
}

std::string ShownParameterValue(const Parameter& p, bool decrypt) {
  return p.type == ParameterType::kSecureString && !decrypt ? "****" : p.value;
}

Json ParameterToJson(const Parameter& p, bool decrypt, bool history, bool iso_dates) {
  Json date = iso_dates ? Json(FormatIso8601(FromEpochMillis(p.last_modified_ms)))
                        : Json(static_cast<double>(p.last_modified_ms) / 1000.0);
  Json j{{"Name", p.name},
         {"Type", ParameterTypeName(p.type)},
         {"Value", ShownParameterValue(p, decrypt)},
         {"Version", p.version},
         {"LastModifiedDate", date},
         {"DataType", p.data_type}};
  if (history) {
    j["LastModifiedUser"] = p.last_modified_user;
    j["Description"] = p.description;
    j["Tier"] = p.tier;
    j["Labels"] = Json::array();
    j["Policies"] = Json::array();
  } else {
    j["ARN"] = ParameterArn(p.name);
  }
  return j;
}

}  // namespace mlflowctl::mlops
