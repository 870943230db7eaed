// The listing actions of StepFunctionsApi: ListExecutions and
// GetExecutionHistory, with their paging tokens.
#include <charconv>

#include <fmt/format.h>

#include "engine/history/execution_page_token.h"
#include "server/api/arn.h"
#include "server/api/request_reader.h"
#include "server/api/shapes.h"
#include "server/api/step_functions_api.h"

namespace mlflowctl::api {

namespace {


ApiResult InvalidToken(const std::string& token) {
  return ApiResult::Fail("InvalidToken", fmt::format("Invalid Token: '{}'", token));
}

// History tokens: "h1:<f|r>:<last event id>", the direction they were made
// for included so a token is not reused with the other reverseOrder.
std::string HistoryToken(bool reverse, int64_t last_id) {
  return fmt::format("h1:{}:{}", reverse ? 'r' : 'f', last_id);
}

std::optional<int64_t> ParseHistoryToken(const std::string& token, bool reverse) {
  std::string prefix = fmt::format("h1:{}:", reverse ? 'r' : 'f');
  if (token.rfind(prefix, 0) != 0) return std::nullopt;
  int64_t id = 0;
  const char* begin = token.data() + prefix.size();
  const char* end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(begin, end, id);
  if (ec != std::errc() || ptr != end || begin == end || id < 1) return std::nullopt;
  return id;
}

// includeExecutionData=false: the events keep their shape without the
// payloads (input, output and task parameters of their details).
void StripExecutionData(Json& event) {
  for (auto& [key, value] : event.items()) {
    if (!value.is_object()) continue;
    value.erase("input");
    value.erase("output");
    value.erase("parameters");
  }
}

}  // namespace

ApiResult StepFunctionsApi::ListExecutions(const Json& request) {
  RequestReader in(request);
  std::optional<std::string> machine_arn = in.OptionalString("stateMachineArn", kArnLimits);
  std::optional<std::string> status = in.OptionalEnum(
      "statusFilter", {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"});
  int64_t max = in.OptionalInt("maxResults", 0, 1000).value_or(0);
  std::optional<std::string> token = in.OptionalString("nextToken", {1, 3096});
  std::optional<std::string> map_run_arn = in.OptionalString("mapRunArn", {1, 2000});
  in.OptionalEnum("redriveFilter", {"REDRIVEN", "NOT_REDRIVEN"});
  if (auto e = in.Error()) return ApiResult::Fail(*e);
  if (map_run_arn) {
    // No distributed Map here, so no map run exists.
    return ApiResult::Fail("ResourceNotFound",
                           fmt::format("Resource not found: '{}'", *map_run_arn));
  }
  if (!machine_arn) {
    return ApiResult::Fail("ValidationException", "Must provide a StateMachine ARN or MapRun ARN");
  }
  if (auto e = CheckStateMachineArn(*machine_arn)) return ApiResult::Fail(*e);
  std::optional<ApiResult> error;
  StatusOr<history::StateMachineRecord> machine = GetMachine(*machine_arn, error);
  if (error) return *error;
  if (token && !history::DecodeExecutionPageToken(*token).ok()) return InvalidToken(*token);

  history::ExecutionFilter filter;
  filter.state_machine_arn = *machine_arn;
  if (status) filter.status = history::ParseExecutionStatus(*status);
  filter.limit = static_cast<int>(max == 0 ? kDefaultPageSize : max);
  filter.page_token = token;
  StatusOr<history::ExecutionPage> page = store_.ListExecutions(filter);
  if (!page.ok()) {
    if (page.status().code() == StatusCode::kInvalidArgument && token) return InvalidToken(*token);
    return InternalFailure(page.status());
  }
  Json items = Json::array();
  for (const auto& r : page->executions) items.push_back(ExecutionListItemShape(r));
  Json out{{"executions", std::move(items)}};
  if (page->next_token) out["nextToken"] = *page->next_token;
  return ApiResult::Ok(std::move(out));
}

ApiResult StepFunctionsApi::GetExecutionHistory(const Json& request) {
  RequestReader in(request);
  std::string arn = in.RequiredString("executionArn", kArnLimits);
  int64_t max = in.OptionalInt("maxResults", 0, 1000).value_or(0);
  bool reverse = in.OptionalBool("reverseOrder").value_or(false);
  std::optional<std::string> token = in.OptionalString("nextToken", {1, 1024});
  bool include_data = in.OptionalBool("includeExecutionData").value_or(true);
  if (auto e = in.Error()) return ApiResult::Fail(*e);
  if (auto e = CheckExecutionArn(arn)) return ApiResult::Fail(*e);
  if (max == 0) max = kDefaultPageSize;
  history::HistoryQuery query;
  query.reverse = reverse;
  query.limit = static_cast<int>(max) + 1;  // one more tells whether a next page exists
  if (token) {
    std::optional<int64_t> after = ParseHistoryToken(*token, reverse);
    if (!after) return InvalidToken(*token);
    query.after_id = *after;
  }
  std::optional<ApiResult> error;
  StatusOr<history::ExecutionRecord> r = GetExecution(arn, error);
  if (error) return *error;
  StatusOr<std::vector<history::HistoryEvent>> events = store_.GetHistory(arn, query);
  if (!events.ok()) return InternalFailure(events.status());
  std::optional<std::string> next;
  if (static_cast<int64_t>(events->size()) > max) {
    events->resize(static_cast<std::size_t>(max));
    next = HistoryToken(reverse, events->back().id);
  }
  Json list = Json::array();
  for (const history::HistoryEvent& e : *events) {
    Json j = e.ToApiJson();
    if (!include_data) StripExecutionData(j);
    list.push_back(std::move(j));
  }
  Json out{{"events", std::move(list)}};
  if (next) out["nextToken"] = *next;
  return ApiResult::Ok(std::move(out));
}

}  // namespace mlflowctl::api
