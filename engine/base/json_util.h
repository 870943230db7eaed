// JSON helpers: the one place where nlohmann's parse exceptions are caught.
// All functions are thread-safe (no shared state).
#ifndef MLFLOWCTL_BASE_JSON_UTIL_H_
#define MLFLOWCTL_BASE_JSON_UTIL_H_

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/base/status_or.h"

namespace mlflowctl {

using Json = nlohmann::json;

// Parses `text`. On malformed JSON returns kInvalidArgument with a message
// "line L, column C: <what>" prefixed by `source` when not empty
// ("input.json:3:7: syntax error ..."), also for arrays and objects nested
// deeper than 512 levels (the parser is recursive) and for numbers beyond a
// double's range.
StatusOr<Json> ParseJson(std::string_view text, std::string_view source = "");

// Reads and parses a file; kNotFound if it cannot be read.
StatusOr<Json> ParseJsonFile(const std::string& path);

// Reads a whole file into a string; kNotFound if it cannot be opened.
StatusOr<std::string> ReadFile(const std::string& path);

// Compact serialisation as AWS prints payloads ({"a":1}); invalid UTF-8 is
// replaced rather than throwing.
std::string DumpJson(const Json& value);

// Size in bytes of DumpJson(value), the measure of the 256 KiB payload limit.
std::size_t JsonSize(const Json& value);

// DumpJson(value) written into `out` (replacing its contents), so a caller
// that serialises many values can reuse one buffer.
void DumpJsonTo(const Json& value, std::string& out);

// Calls `visit(offset, c)` for each byte `c` of JSON text outside strings
// (a string's quotes and contents are skipped) until `visit` returns false.
// Returns the offset where it stopped, or npos after the last byte.
template <typename Visit>
std::size_t ScanOutsideStrings(std::string_view text, Visit visit) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (!visit(i, c)) {
      return i;
    }
  }
  return std::string_view::npos;
}

// 1-based line and column of byte `offset` in `text`.
struct TextPosition {
  int line = 1;
  int column = 1;
};
TextPosition PositionOf(std::string_view text, std::size_t offset);

}  // namespace mlflowctl

#endif  // MLFLOWCTL_BASE_JSON_UTIL_H_
