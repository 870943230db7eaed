#include "engine/base/json_util.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

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

StatusOr<Json> ParseJson(std::string_view text, std::string_view source) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    std::size_t offset = e.byte == 0 ? 0 : e.byte - 1;
    TextPosition pos = PositionOf(text, offset);
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line
    // L, column C: " prefix; we print our own location.
    if (auto colon = what.find(": "); colon != std::string::npos) {
      what = what.substr(colon + 2);
    }
    std::string where = source.empty()
                            ? fmt::format("line {}, column {}", pos.line, pos.column)
                            : fmt::format("{}:{}:{}", source, pos.line, pos.column);
    return InvalidArgumentError(fmt::format("{}: malformed JSON: {}", where, what));
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
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::size_t JsonSize(const Json& value) { return DumpJson(value).size(); }

void DumpJsonTo(const Json& value, std::string& out) {
  out.clear();
  nlohmann::detail::serializer<Json> s(nlohmann::detail::output_adapter<char>(out),
                                       ' ', Json::error_handler_t::replace);
  s.dump(value, false, false, 0);
}

}  // namespace mlflowctl
