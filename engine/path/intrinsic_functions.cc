// Bodies of the 18 intrinsic functions. Behaviour follows the Step Functions
// developer guide ("Intrinsic functions for JSONPath states") and, where the
// guide is silent, what AWS was observed to do, as recorded by public
// conformance catalogs run against AWS (GitHub code search:
// "tests/support/conformance/intrinsicCases/States.*.ts") and by test suites
// asserting AWS execution results ("Invalid arguments in States.MathAdd"):
//  - every argument failure is States.Runtime with the cause
//    "Invalid arguments in States.<Name>" (not States.IntrinsicFailure);
//  - numbers are truncated toward zero (Java int conversion) in ArrayRange,
//    ArrayPartition, ArrayGetItem and MathRandom; MathAdd rounds half up
//    (Math.round) and works in 32-bit integers, failing on overflow;
//  - MathRandom returns start <= n < end and needs start < end;
//  - ArrayGetItem on an empty array returns null; out of range fails;
//  - StringSplit splits at any of the delimiter characters and drops empty
//    tokens; "" gives [];
//  - StringToJson of "" (or blanks) is null;
//  - Base64Decode ignores characters outside the alphabet (MIME decoder);
//  - Hash hashes the JSON text of a non-string argument; algorithm names are
//    exact ("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512");
//  - JsonMerge fails only for a deep merge (third argument true);
//  - Format prints null as "null", arrays as "[a, b]", objects as "{k=v}".
#include "engine/path/internal/intrinsic_functions.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <utility>

#include <fmt/format.h>

#include "engine/path/internal/encoding.h"
#include "engine/path/internal/errors.h"

namespace mlflowctl::path::internal {
namespace {

using Result = std::variant<Json, Error>;

constexpr std::array<IntrinsicSpec, 18> kSpecs = {{
    {"States.Format", IntrinsicId::kFormat, 1, -1},
    {"States.StringToJson", IntrinsicId::kStringToJson, 1, 1},
    {"States.JsonToString", IntrinsicId::kJsonToString, 1, 1},
    {"States.Array", IntrinsicId::kArray, 0, -1},
    {"States.ArrayPartition", IntrinsicId::kArrayPartition, 2, 2},
    {"States.ArrayContains", IntrinsicId::kArrayContains, 2, 2},
    {"States.ArrayRange", IntrinsicId::kArrayRange, 3, 3},
    {"States.ArrayGetItem", IntrinsicId::kArrayGetItem, 2, 2},
    {"States.ArrayLength", IntrinsicId::kArrayLength, 1, 1},
    {"States.ArrayUnique", IntrinsicId::kArrayUnique, 1, 1},
    {"States.Base64Encode", IntrinsicId::kBase64Encode, 1, 1},
    {"States.Base64Decode", IntrinsicId::kBase64Decode, 1, 1},
    {"States.Hash", IntrinsicId::kHash, 2, 2},
    {"States.JsonMerge", IntrinsicId::kJsonMerge, 3, 3},
    {"States.MathRandom", IntrinsicId::kMathRandom, 2, 3},
    {"States.MathAdd", IntrinsicId::kMathAdd, 2, 2},
    {"States.StringSplit", IntrinsicId::kStringSplit, 2, 2},
    {"States.UUID", IntrinsicId::kUuid, 0, 0},
}};

constexpr size_t kMaxStringChars = 10000;  // Base64Encode/Decode, Hash
constexpr int64_t kMaxRangeItems = 1000;    // ArrayRange

// Java (int)/(long) conversion of a JSON number: truncation toward zero.
std::optional<int64_t> Truncated(const Json& v) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX}) return std::nullopt;
    return v.get<int64_t>();
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return std::nullopt;
    return static_cast<int64_t>(std::trunc(d));
  }
  return std::nullopt;
}

// Java Math.round: floor(x + 0.5).
std::optional<int64_t> Rounded(const Json& v) {
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return std::nullopt;
    return static_cast<int64_t>(std::floor(d + 0.5));
  }
  return Truncated(v);
}

bool IsInt32(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

// Natural string form of a value in States.Format (Java toString style).
std::string FormatValue(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out += ", ";
      out += FormatValue(v[i]);
    }
    return out + "]";
  }
  if (v.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [key, value] : v.items()) {
      if (!first) out += ", ";
      first = false;
      out += key + "=" + FormatValue(value);
    }
    return out + "}";
  }
  return DumpJson(v);
}

// Splits a States.Format template into text and "{}" placeholders. "\x"
// stands for x; a lone '{' or '}' is an error.
std::optional<std::vector<std::string>> SplitTemplate(const std::string& tmpl) {
  std::vector<std::string> pieces(1);
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c == '\\' && i + 1 < tmpl.size()) {
      pieces.back().push_back(tmpl[++i]);
    } else if (c == '{') {
      if (i + 1 >= tmpl.size() || tmpl[i + 1] != '}') return std::nullopt;
      ++i;
      pieces.emplace_back();
    } else if (c == '}') {
      return std::nullopt;
    } else {
      pieces.back().push_back(c);
    }
  }
  return pieces;
}

Result Format(const IntrinsicSpec& spec, std::vector<Json>& args, const std::string* raw) {
  if (!args[0].is_string()) return InvalidIntrinsicArguments(spec.name);
  auto pieces = SplitTemplate(raw != nullptr ? *raw : args[0].get<std::string>());
  if (!pieces || pieces->size() != args.size()) return InvalidIntrinsicArguments(spec.name);
  std::string out = (*pieces)[0];
  for (size_t i = 1; i < pieces->size(); ++i) {
    out += FormatValue(args[i]);
    out += (*pieces)[i];
  }
  return Json(std::move(out));
}

// Decoded bytes may not be UTF-8; like Java's new String(bytes, UTF_8), bad
// sequences become U+FFFD.
std::string SanitizeUtf8(const std::string& bytes) {
  return Json::parse(Json(bytes).dump(-1, ' ', false, Json::error_handler_t::replace))
      .get<std::string>();
}

// One UTF-8 character starting at s[i] (a single byte if malformed).
size_t Utf8CharLength(const std::string& s, size_t i) {
  auto c = static_cast<uint8_t>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  return std::min(n, s.size() - i);
}

Result StringSplit(const IntrinsicSpec& spec, std::vector<Json>& args) {
  if (!args[0].is_string() || !args[1].is_string()) return InvalidIntrinsicArguments(spec.name);
  const std::string& text = args[0].get_ref<const std::string&>();
  const std::string& delims = args[1].get_ref<const std::string&>();
  std::vector<std::string> delim_chars;
  for (size_t i = 0; i < delims.size();) {
    size_t n = Utf8CharLength(delims, i);
    delim_chars.push_back(delims.substr(i, n));
    i += n;
  }
  Json out = Json::array();
  std::string token;
  for (size_t i = 0; i < text.size();) {
    size_t n = Utf8CharLength(text, i);
    std::string ch = text.substr(i, n);
    i += n;
    if (std::find(delim_chars.begin(), delim_chars.end(), ch) != delim_chars.end()) {
      if (!token.empty()) out.push_back(std::move(token));
      token.clear();
    } else {
      token += ch;
    }
  }
  if (!token.empty()) out.push_back(std::move(token));
  return out;
}

Result ArrayRange(const IntrinsicSpec& spec, std::vector<Json>& args) {
  auto start = Truncated(args[0]);
  auto end = Truncated(args[1]);
  auto step = Truncated(args[2]);
  if (!start || !end || !step || *step == 0) return InvalidIntrinsicArguments(spec.name);
  Json out = Json::array();
  if ((*step > 0 && *start > *end) || (*step < 0 && *start < *end)) return out;
  int64_t count = (*end - *start) / *step + 1;
  if (count > kMaxRangeItems) return InvalidIntrinsicArguments(spec.name);
  for (int64_t i = 0; i < count; ++i) out.push_back(*start + i * *step);
  return out;
}

Result MathRandom(const IntrinsicSpec& spec, std::vector<Json>& args, Random& random) {
  auto start = Truncated(args[0]);
  auto end = Truncated(args[1]);
  if (!start || !end || !IsInt32(*start) || !IsInt32(*end) || *start >= *end) {
    return InvalidIntrinsicArguments(spec.name);
  }
  if (args.size() == 3) {
    auto seed = Truncated(args[2]);
    if (!seed) return InvalidIntrinsicArguments(spec.name);
    // The same seed gives the same number, as the guide promises.
    std::mt19937_64 seeded(static_cast<uint64_t>(*seed));
    return Json(std::uniform_int_distribution<int64_t>(*start, *end - 1)(seeded));
  }
  return Json(random.Uniform(*start, *end - 1));
}

Result MathAdd(const IntrinsicSpec& spec, std::vector<Json>& args) {
  auto a = Rounded(args[0]);
  auto b = Rounded(args[1]);
  if (!a || !b || !IsInt32(*a) || !IsInt32(*b) || !IsInt32(*a + *b)) {
    return InvalidIntrinsicArguments(spec.name);
  }
  return Json(*a + *b);
}

Result Hash(const IntrinsicSpec& spec, std::vector<Json>& args) {
  if (!args[1].is_string()) return InvalidIntrinsicArguments(spec.name);
  std::string data = args[0].is_string() ? args[0].get<std::string>() : DumpJson(args[0]);
  if (Utf16Length(data) > kMaxStringChars) return InvalidIntrinsicArguments(spec.name);
  const std::string& algorithm = args[1].get_ref<const std::string&>();
  if (algorithm == "MD5") return Json(Md5Hex(data));
  if (algorithm == "SHA-1") return Json(Sha1Hex(data));
  if (algorithm == "SHA-256") return Json(Sha256Hex(data));
  if (algorithm == "SHA-384") return Json(Sha384Hex(data));
  if (algorithm == "SHA-512") return Json(Sha512Hex(data));
  return InvalidIntrinsicArguments(spec.name);
}

Result Uuid(Random& random) {
  std::array<uint8_t, 16> b{};
  uint64_t hi = random.Next();
  uint64_t lo = random.Next();
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    b[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out += fmt::format("{:02x}", b[i]);
  }
  return Json(std::move(out));
}

Result ArrayFunction(const IntrinsicSpec& spec, std::vector<Json>& args) {
  if (!args[0].is_array()) return InvalidIntrinsicArguments(spec.name);
  Json& array = args[0];
  switch (spec.id) {
    case IntrinsicId::kArrayPartition: {
      auto size = Truncated(args[1]);
      if (!size || *size <= 0) return InvalidIntrinsicArguments(spec.name);
      Json out = Json::array();
      for (size_t i = 0; i < array.size(); i += static_cast<size_t>(*size)) {
        Json chunk = Json::array();
        for (size_t j = i; j < array.size() && j < i + static_cast<size_t>(*size); ++j) {
          chunk.push_back(std::move(array[j]));
        }
        out.push_back(std::move(chunk));
      }
      return out;
    }
    case IntrinsicId::kArrayContains:
      return Json(std::find(array.begin(), array.end(), args[1]) != array.end());
    case IntrinsicId::kArrayGetItem: {
      auto index = Truncated(args[1]);
      if (!index) return InvalidIntrinsicArguments(spec.name);
      if (array.empty()) return Json(nullptr);  // observed AWS behaviour
      if (*index < 0 || *index >= static_cast<int64_t>(array.size())) {
        return InvalidIntrinsicArguments(spec.name);
      }
      return std::move(array[static_cast<size_t>(*index)]);
    }
    case IntrinsicId::kArrayLength:
      return Json(array.size());
    case IntrinsicId::kArrayUnique: {
      Json out = Json::array();
      for (Json& item : array) {
        if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(std::move(item));
      }
      return out;
    }
    default:
      return InvalidIntrinsicArguments(spec.name);
  }
}

}  // namespace

const IntrinsicSpec* FindIntrinsic(std::string_view name) {
  for (const IntrinsicSpec& spec : kSpecs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

Result CallIntrinsic(const IntrinsicSpec& spec, std::vector<Json>& args,
                     const std::string* format_raw, Random& random) {
  switch (spec.id) {
    case IntrinsicId::kFormat:
      return Format(spec, args, format_raw);
    case IntrinsicId::kStringToJson: {
      if (!args[0].is_string()) return InvalidIntrinsicArguments(spec.name);
      const std::string& text = args[0].get_ref<const std::string&>();
      if (text.find_first_not_of(" \t\r\n") == std::string::npos) return Json(nullptr);
      StatusOr<Json> parsed = ParseJson(text);
      if (!parsed.ok()) return InvalidIntrinsicArguments(spec.name);
      return std::move(*parsed);
    }
    case IntrinsicId::kJsonToString:
      return Json(DumpJson(args[0]));
    case IntrinsicId::kArray:
      return Json(std::move(args));
    case IntrinsicId::kArrayPartition:
    case IntrinsicId::kArrayContains:
    case IntrinsicId::kArrayGetItem:
    case IntrinsicId::kArrayLength:
    case IntrinsicId::kArrayUnique:
      return ArrayFunction(spec, args);
    case IntrinsicId::kArrayRange:
      return ArrayRange(spec, args);
    case IntrinsicId::kBase64Encode: {
      if (!args[0].is_string()) return InvalidIntrinsicArguments(spec.name);
      const std::string& text = args[0].get_ref<const std::string&>();
      if (Utf16Length(text) > kMaxStringChars) return InvalidIntrinsicArguments(spec.name);
      return Json(Base64Encode(text));
    }
    case IntrinsicId::kBase64Decode: {
      if (!args[0].is_string()) return InvalidIntrinsicArguments(spec.name);
      const std::string& text = args[0].get_ref<const std::string&>();
      if (Utf16Length(text) > kMaxStringChars) return InvalidIntrinsicArguments(spec.name);
      std::optional<std::string> bytes = Base64DecodeMime(text);
      if (!bytes) return InvalidIntrinsicArguments(spec.name);
      return Json(SanitizeUtf8(*bytes));
    }
    case IntrinsicId::kHash:
      return Hash(spec, args);
    case IntrinsicId::kJsonMerge: {
      if (!args[0].is_object() || !args[1].is_object()) return InvalidIntrinsicArguments(spec.name);
      // Only shallow merging exists; a deep merge request is refused.
      if (args[2].is_boolean() && args[2].get<bool>()) return InvalidIntrinsicArguments(spec.name);
      Json merged = std::move(args[0]);
      merged.update(args[1]);
      return merged;
    }
    case IntrinsicId::kMathRandom:
      return MathRandom(spec, args, random);
    case IntrinsicId::kMathAdd:
      return MathAdd(spec, args);
    case IntrinsicId::kStringSplit:
      return StringSplit(spec, args);
    case IntrinsicId::kUuid:
      return Uuid(random);
  }
  return InvalidIntrinsicArguments(spec.name);
}

}  // namespace mlflowctl::path::internal
