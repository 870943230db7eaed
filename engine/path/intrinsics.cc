// Intrinsic call parsing and evaluation. Grammar:
//   call := "States." Name "(" [arg ("," arg)*] ")"
//   arg  := call | path | 'string' | number | true | false | null
// String literals use \' \{ \} \\ escapes; any other backslash is an "open
// escape" and is rejected. Paths are JSONPaths starting with "$" ("$$" and
// "$var" too). At most 10 calls may be nested, as AWS documents.
#include "engine/path/intrinsics.h"

#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "engine/path/internal/errors.h"
#include "engine/path/internal/intrinsic_functions.h"
#include "engine/path/json_path.h"

namespace mlflowctl::path {

struct Intrinsic::Call {
  enum class Kind { kLiteral, kPath, kCall };
  Kind kind = Kind::kLiteral;
  Json literal;
  std::optional<std::string> raw_string;  // a string literal, escapes intact
  std::optional<JsonPath> path;
  const internal::IntrinsicSpec* spec = nullptr;
  std::vector<Call> args;
};

namespace {

constexpr int kMaxNesting = 10;

class CallParser {
 public:
  explicit CallParser(std::string_view text) : text_(text) {}

  StatusOr<Intrinsic::Call> ParseTop() {
    SkipSpaces();
    auto call = ParseCall(1);
    if (!call.ok()) return call;
    SkipSpaces();
    if (pos_ != text_.size()) return Fail("unexpected text after the call");
    return call;
  }

 private:
  Status Fail(std::string_view what) const {
    return InvalidArgumentError(
        fmt::format("invalid intrinsic function '{}': {} at {}", text_, what, pos_ + 1));
  }
  void SkipSpaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool StartsWith(std::string_view s) const { return text_.substr(pos_, s.size()) == s; }

  StatusOr<Intrinsic::Call> ParseCall(int depth) {
    if (depth > kMaxNesting) return Fail("more than 10 nested intrinsic functions");
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '.' || text_[pos_] == '_')) {
      ++pos_;
    }
    std::string_view name = text_.substr(start, pos_ - start);
    const internal::IntrinsicSpec* spec = internal::FindIntrinsic(name);
    if (spec == nullptr) {
      pos_ = start;
      return Fail(fmt::format("unknown function '{}'", name));
    }
    SkipSpaces();
    if (pos_ >= text_.size() || text_[pos_] != '(') return Fail("expected '('");
    ++pos_;
    Intrinsic::Call call;
    call.kind = Intrinsic::Call::Kind::kCall;
    call.spec = spec;
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == ')') {
      ++pos_;
    } else {
      while (true) {
        SkipSpaces();
        auto arg = ParseArg(depth);
        if (!arg.ok()) return arg;
        call.args.push_back(std::move(*arg));
        SkipSpaces();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == ')') {
          ++pos_;
          break;
        }
        return Fail("expected ',' or ')'");
      }
    }
    int n = static_cast<int>(call.args.size());
    if (n < spec->min_args || (spec->max_args >= 0 && n > spec->max_args)) {
      std::string expected = spec->max_args < 0 ? fmt::format("at least {}", spec->min_args)
                             : spec->min_args == spec->max_args
                                 ? fmt::format("{}", spec->min_args)
                                 : fmt::format("{} to {}", spec->min_args, spec->max_args);
      return InvalidArgumentError(
          fmt::format("invalid intrinsic function '{}': {} takes {} argument(s), got {}", text_,
                      spec->name, expected, n));
    }
    return call;
  }

  StatusOr<Intrinsic::Call> ParseArg(int depth) {
    if (pos_ >= text_.size()) return Fail("missing argument");
    char c = text_[pos_];
    if (c == '\'') return ParseString();
    if (c == '$') return ParsePathArg();
    if (StartsWith("States.")) return ParseCall(depth + 1);
    Intrinsic::Call lit;
    for (std::string_view word : {"true", "false", "null"}) {
      if (StartsWith(word)) {
        pos_ += word.size();
        lit.literal = word == "true" ? Json(true) : word == "false" ? Json(false) : Json(nullptr);
        return lit;
      }
    }
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) ||
                                   std::string_view("-+.eE").find(text_[pos_]) !=
                                       std::string_view::npos)) {
      ++pos_;
    }
    if (pos_ == start) return Fail("expected an argument");
    std::string_view number = text_.substr(start, pos_ - start);
    StatusOr<Json> parsed = ParseJson(number);
    if (!parsed.ok() || !parsed->is_number()) {
      pos_ = start;
      return Fail(fmt::format("invalid number '{}'", number));
    }
    lit.literal = std::move(*parsed);
    return lit;
  }

  StatusOr<Intrinsic::Call> ParseString() {
    ++pos_;  // opening quote
    std::string value;
    std::string raw;
    while (pos_ < text_.size() && text_[pos_] != '\'') {
      char c = text_[pos_];
      if (c == '\\') {
        if (pos_ + 1 >= text_.size() ||
            std::string_view("'{}\\").find(text_[pos_ + 1]) == std::string_view::npos) {
          return Fail("open escape backslash (only \\' \\{ \\} \\\\ are allowed)");
        }
        raw.push_back(c);
        c = text_[++pos_];
      }
      value.push_back(c);
      raw.push_back(c);
      ++pos_;
    }
    if (pos_ >= text_.size()) return Fail("unterminated string literal");
    ++pos_;
    Intrinsic::Call lit;
    lit.literal = std::move(value);
    lit.raw_string = std::move(raw);
    return lit;
  }

  // A path runs to the first ',' or ')' outside brackets, parentheses and
  // quotes (filters may contain all three).
  StatusOr<Intrinsic::Call> ParsePathArg() {
    size_t start = pos_;
    int depth = 0;
    char quote = 0;
    for (; pos_ < text_.size(); ++pos_) {
      char c = text_[pos_];
      if (quote != 0) {
        if (c == '\\') ++pos_;
        else if (c == quote) quote = 0;
        continue;
      }
      if (c == '\'' || c == '"') quote = c;
      else if (c == '[' || c == '(') ++depth;
      else if ((c == ']' || c == ')') && depth > 0) --depth;
      else if (depth == 0 && (c == ',' || c == ')')) break;
    }
    std::string_view text = text_.substr(start, pos_ - start);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
      text.remove_suffix(1);
    }
    auto path = JsonPath::Parse(text);
    if (!path.ok()) return path.status();
    Intrinsic::Call arg;
    arg.kind = Intrinsic::Call::Kind::kPath;
    arg.path = std::move(*path);
    return arg;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

std::variant<Json, Error> EvaluateCall(const Intrinsic::Call& call, const Scope& scope,
                                       Random& random, std::string_view field) {
  switch (call.kind) {
    case Intrinsic::Call::Kind::kLiteral:
      return call.literal;
    case Intrinsic::Call::Kind::kPath: {
      Selection selected = call.path->Evaluate(scope);
      if (selected.error) return std::move(*selected.error);
      if (!selected.value) return internal::PathNotFound(*call.path, scope, field);
      return std::move(*selected.value);
    }
    case Intrinsic::Call::Kind::kCall:
      break;
  }
  std::vector<Json> args;
  args.reserve(call.args.size());
  for (const Intrinsic::Call& arg : call.args) {
    auto value = EvaluateCall(arg, scope, random, field);
    if (auto* error = std::get_if<Error>(&value)) return std::move(*error);
    args.push_back(std::move(std::get<Json>(value)));
  }
  const std::string* raw = nullptr;
  if (!call.args.empty() && call.args[0].raw_string) raw = &*call.args[0].raw_string;
  try {
    return internal::CallIntrinsic(*call.spec, args, raw, random);
  } catch (const std::exception&) {
    return internal::InvalidIntrinsicArguments(call.spec->name);
  }
}

}  // namespace

bool Intrinsic::LooksLikeCall(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  text.remove_prefix(i);
  return text.substr(0, 7) == "States." && text.find('(') != std::string_view::npos;
}

StatusOr<Intrinsic> Intrinsic::Parse(std::string_view text) {
  auto call = CallParser(text).ParseTop();
  if (!call.ok()) return call.status();
  return Intrinsic(std::make_shared<const Call>(std::move(*call)));
}

std::variant<Json, Error> Intrinsic::Evaluate(const Scope& scope, Random& random) const {
  return Evaluate(scope, random, "");
}

std::variant<Json, Error> Intrinsic::Evaluate(const Scope& scope, Random& random,
                                              std::string_view field) const {
  return EvaluateCall(*call_, scope, random, field);
}

}  // namespace mlflowctl::path
