#include "engine/base/json_util.h"

#include <exception>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "engine/base/json_writer.h"

namespace mlflowctl {

TextPosition PositionOf(std::string_view text, std::size_t offset) {
  TextPosition pos;
  if (offset > text.size()) offset = text.size();
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

namespace {

// Deeper arrays and objects are rejected: nlohmann's parser is iterative, but
// copying, comparing and serialising a Json recurse once per level, and so
// do the definition parser and JSONPath's deep scan, so unbounded nesting
// would overflow the stack.
constexpr int kMaxJsonDepth = 512;

// Byte offset of the first '[' or '{' nested deeper than kMaxJsonDepth,
// skipping strings; npos if none. It agrees with the parser on any text
// that is valid JSON up to that offset, which is all it is asked about.
std::size_t TooDeepOffset(std::string_view text) {
  int depth = 0;
  return ScanOutsideStrings(text, [&depth](std::size_t, char c) {
    if (c == '[' || c == '{') return ++depth <= kMaxJsonDepth;
    if (c == ']' || c == '}') --depth;
    return true;
  });
}

std::string Where(std::string_view text, std::size_t offset, std::string_view source) {
  TextPosition pos = PositionOf(text, offset);
  return source.empty() ? fmt::format("line {}, column {}", pos.line, pos.column)
                        : fmt::format("{}:{}:{}", source, pos.line, pos.column);
}

struct TooDeep {};

// Offset of `token` as a value outside strings (not inside a longer number);
// 0 if it is not found.
std::size_t FindNumberToken(std::string_view text, std::string_view token) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (text.substr(i, token.size()) == token &&
               (i == 0 || std::string_view("0123456789+-.eE").find(text[i - 1]) ==
                              std::string_view::npos)) {
      return i;
    }
  }
  return 0;
}

// nlohmann's what() without its "[json.exception.<kind>.<id>] " prefix.
std::string WhatWithoutId(const std::exception& e) {
  std::string what = e.what();
  if (what.rfind("[json.exception.", 0) == 0) {
    if (auto end = what.find("] "); end != std::string::npos) what = what.substr(end + 2);
  }
  return what;
}

}  // namespace

StatusOr<Json> ParseJson(std::string_view text, std::string_view source) {
  try {
    std::size_t too_deep = TooDeepOffset(text);
    if (too_deep == std::string_view::npos) return Json::parse(text.begin(), text.end());
    // A syntax error before the deep part is reported as such: parse up to
    // it, stopping when the nesting gets too deep.
    Json::parser_callback_t stop = [](int depth, Json::parse_event_t event, Json&) {
      if ((event == Json::parse_event_t::object_start ||
           event == Json::parse_event_t::array_start) &&
          depth >= kMaxJsonDepth) {
        throw TooDeep{};
      }
      return true;
    };
    try {
      return Json::parse(text.begin(), text.end(), stop);
    } catch (const TooDeep&) {
      return InvalidArgumentError(
          fmt::format("{}: malformed JSON: arrays and objects nested deeper than {} levels",
                      Where(text, too_deep, source), kMaxJsonDepth));
    }
  } catch (const Json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    std::size_t offset = e.byte == 0 ? 0 : e.byte - 1;
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line
    // L, column C: " prefix; we print our own location.
    if (auto colon = what.find(": "); colon != std::string::npos) {
      what = what.substr(colon + 2);
    }
    return InvalidArgumentError(
        fmt::format("{}: malformed JSON: {}", Where(text, offset, source), what));
  } catch (const Json::exception& e) {
    // A number beyond a double's range ("1e400") is out_of_range 406, which
    // carries no position: locate the literal its message quotes.
    std::string what = WhatWithoutId(e);
    std::size_t offset = 0;
    if (auto open = what.find('\''), close = what.rfind('\'');
        open != std::string::npos && close > open) {
      offset = FindNumberToken(text, std::string_view(what).substr(open + 1, close - open - 1));
    }
    return InvalidArgumentError(
        fmt::format("{}: malformed JSON: {}", Where(text, offset, source), what));
  }
}

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(fmt::format("cannot open '{}'", path));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return DataLossError(fmt::format("error reading '{}'", path));
  return buf.str();
}

StatusOr<Json> ParseJsonFile(const std::string& path) {
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseJson(*text, path);
}

std::string DumpJson(const Json& value) {
  std::string out;
  AppendJson(value, out);
  return out;
}

std::size_t JsonSize(const Json& value) { return DumpJson(value).size(); }

void DumpJsonTo(const Json& value, std::string& out) {
  out.clear();
  AppendJson(value, out);
}

}  // namespace mlflowctl
