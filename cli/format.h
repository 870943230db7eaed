// Rendering records for people (tables, durations) and for scripts (the AWS
// API's response shapes, timestamps as epoch seconds).
#ifndef MLFLOWCTL_CLI_FORMAT_H_
#define MLFLOWCTL_CLI_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/json_util.h"
#include "engine/history/execution_record.h"
#include "engine/history/execution_store.h"
#include "engine/history/history_event.h"
#include "engine/store/sqlite_execution_store.h"

namespace mlflowctl::cli {

// Milliseconds since the epoch as the API's timestamps: seconds, with a fraction.
double SecondsFromMillis(int64_t ms);

// DescribeExecution's shape: input/output as JSON strings, dates as numbers.
Json DescribeExecutionJson(const history::ExecutionRecord& r);
// ListExecutions' item shape.
Json ExecutionListItemJson(const history::ExecutionRecord& r);
// `mlflowctl run --json`: output parsed (not a string), error/cause only when failed.
Json RunResultJson(const history::ExecutionRecord& r);

// `executions list --json`: ListExecutions' response shape
// ({"executions": [...], "nextToken"}), indented by 2, with a newline.
std::string ListExecutionsJson(const history::ExecutionPage& page);

// Appends one event in GetExecutionHistory's shape to `out`, byte for byte
// what HistoryEvent::ToApiJson().dump() prints for the same event, but with
// the stored details text copied instead of parsed and serialised again.
// kDataLoss if the details are not JSON.
Status AppendHistoryEventJson(const store::StoredHistoryEvent& e, std::string& out);

// `executions history --json`: GetExecutionHistory's response shape
// ({"events": [...]}) of `query`'s events, compact, with a newline. Errors
// are ScanHistory's and AppendHistoryEventJson's.
StatusOr<std::string> HistoryJson(store::SqliteExecutionStore& store,
                                  const std::string& execution_arn,
                                  const history::HistoryQuery& query);

std::string FormatLocalTime(int64_t epoch_ms);
std::string FormatDuration(int64_t ms);  // "1.234s", "2m03s", "45ms"

// Prints rows as a table with a header, columns padded to their widest cell.
void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// One line summarising an event's details for people.
std::string EventSummary(const history::HistoryEvent& e);

}  // namespace mlflowctl::cli

#endif  // MLFLOWCTL_CLI_FORMAT_H_
