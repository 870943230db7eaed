#include "engine/history/execution_page_token.h"

#include <charconv>

#include <fmt/format.h>

namespace mlflowctl::history {

std::string EncodeExecutionPageToken(int64_t start_ms, std::string_view arn) {
  return fmt::format("{}:{}", start_ms, arn);
}

StatusOr<ExecutionPageKey> DecodeExecutionPageToken(std::string_view token) {
  auto invalid = [&] {
    return InvalidArgumentError(
        fmt::format("invalid pagination token '{}'", token));
  };
  std::size_t colon = token.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      colon + 1 >= token.size()) {
    return invalid();
  }
  ExecutionPageKey key;
  const char* begin = token.data();
  const char* end = token.data() + colon;
  auto [ptr, ec] = std::from_chars(begin, end, key.start_ms);
  if (ec != std::errc() || ptr != end) return invalid();
  key.arn = std::string(token.substr(colon + 1));
  return key;
}

}  // namespace mlflowctl::history
