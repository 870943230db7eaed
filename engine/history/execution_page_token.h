// Keyset paging tokens for ExecutionStore::ListExecutions, shared by every
// store so a token means the same thing whichever store made it. A token
// names the last execution of a page by (start_ms, arn), the order of the
// listing. Pure functions; thread-safe.
#ifndef MLFLOWCTL_HISTORY_EXECUTION_PAGE_TOKEN_H_
#define MLFLOWCTL_HISTORY_EXECUTION_PAGE_TOKEN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/status_or.h"

namespace mlflowctl::history {

// The position after which the next page starts: executions that sort after
// (start_ms, arn) in newest-first order, i.e. (start_ms, arn) < key.
struct ExecutionPageKey {
  int64_t start_ms = 0;
  std::string arn;
};

// "<start_ms>:<arn>". Callers treat it as opaque.
std::string EncodeExecutionPageToken(int64_t start_ms, std::string_view arn);

// kInvalidArgument if `token` was not made by EncodeExecutionPageToken.
StatusOr<ExecutionPageKey> DecodeExecutionPageToken(std::string_view token);

}  // namespace mlflowctl::history

#endif  // MLFLOWCTL_HISTORY_EXECUTION_PAGE_TOKEN_H_
