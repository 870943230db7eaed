// ParseState: the Type, the allowed fields of each state type, transitions,
// input/output processing and the fields of Pass, Task, Choice, Wait,
// Succeed and Fail (Retry/Catch, Parallel and Map have files of their own).
// Field lists and ranges follow the ASL specification and the Step
// Functions developer guide, JSONPath mode.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <string_view>
#include <vector>

#include "engine/asl/internal/build_context.h"
#include "engine/asl/json_locations.h"
#include "engine/base/clock.h"

namespace mlflowctl::asl::internal {

namespace {

// AWS's upper bound for TimeoutSeconds, HeartbeatSeconds and Wait Seconds.
constexpr int64_t kMaxSeconds = 99999999;

struct TypeInfo {
  std::string_view name;
  StateType type;
  std::vector<std::string_view> fields;  // besides Type, Comment, QueryLanguage
};

const std::vector<TypeInfo>& Types() {
  static const std::vector<TypeInfo> kTypes = {
      {"Pass",
       StateType::kPass,
       {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters",
        "Result", "Assign"}},
      {"Task",
       StateType::kTask,
       {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters",
        "ResultSelector", "Resource", "TimeoutSeconds", "TimeoutSecondsPath",
        "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch",
        "Credentials", "Assign"}},
      {"Choice",
       StateType::kChoice,
       {"InputPath", "OutputPath", "Choices", "Default", "Assign"}},
      {"Wait",
       StateType::kWait,
       {"Next", "End", "InputPath", "OutputPath", "Seconds", "SecondsPath",
        "Timestamp", "TimestampPath", "Assign"}},
      {"Succeed", StateType::kSucceed, {"InputPath", "OutputPath"}},
      {"Fail", StateType::kFail, {"Error", "ErrorPath", "Cause", "CausePath"}},
      {"Parallel",
       StateType::kParallel,
       {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters",
        "ResultSelector", "Branches", "Retry", "Catch", "Assign"}},
      {"Map",
       StateType::kMap,
       {"Next",
        "End",
        "InputPath",
        "OutputPath",
        "ResultPath",
        "Parameters",
        "ItemSelector",
        "ResultSelector",
        "ItemsPath",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "Iterator",
        "ItemProcessor",
        "ItemReader",
        "ResultWriter",
        "ItemBatcher",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "Label",
        "Retry",
        "Catch",
        "Assign"}},
  };
  return kTypes;
}

bool Allows(const TypeInfo& info, std::string_view field) {
  return std::find(info.fields.begin(), info.fields.end(), field) !=
         info.fields.end();
}

void CheckStateFields(const Json& def, const std::string& pointer,
                      const TypeInfo& info, BuildContext& ctx) {
  for (const auto& [key, value] : def.items()) {
    if (key == "Type" || key == "Comment" || key == "QueryLanguage" ||
        Allows(info, key)) {
      continue;
    }
    std::string why;
    if (key == "Next" || key == "End") {
      why = fmt::format("{} states cannot have '{}': {}", info.name, key,
                        info.type == StateType::kChoice
                            ? "a Choice state transitions through its "
                              "Choices and Default"
                            : "they end their machine or branch");
    } else if (key == "Retry" || key == "Catch") {
      why = fmt::format(
          "{} states cannot have '{}': only Task, Parallel and "
          "Map states retry and catch errors",
          info.name, key);
    } else if (key == "Arguments" || key == "Output") {
      why = fmt::format(
          "The field '{}' belongs to JSONata mode, which this "
          "engine does not support yet",
          key);
    } else {
      why = fmt::format(
          "The field '{}' is not supported by {} states; "
          "remove it or check its spelling",
          key, info.name);
    }
    ctx.Report(kSchema, AppendPointer(pointer, key), why + ".");
  }
}

bool HasTransition(StateType t) {
  return t != StateType::kChoice && t != StateType::kSucceed &&
         t != StateType::kFail;
}

void ParseTransition(const Json& def, const std::string& pointer,
                     const TypeInfo& info, BuildContext& ctx, State& out) {
  std::optional<std::string> next = ReadString(def, "Next", pointer, ctx);
  if (next) out.next_name = *next;
  if (auto it = def.find("End"); it != def.end()) {
    if (it->is_boolean()) {
      out.end = it->get<bool>();
    } else {
      ctx.Report(kSchema, AppendPointer(pointer, "End"),
                 fmt::format("The field 'End' must be true or false, not {}.",
                             TypeName(*it)));
    }
  }
  bool has_next = def.contains("Next");
  if (has_next && out.end) {
    ctx.Report(kSchema, AppendPointer(pointer, "End"),
               fmt::format("A {} state cannot have both 'Next' and \"End\": "
                           "true; keep one.",
                           info.name));
  } else if (!has_next && !out.end && !def.contains("End")) {
    ctx.Report(kSchema, pointer,
               fmt::format("A {} state needs 'Next' (the state to go to) or "
                           "\"End\": true.",
                           info.name));
  } else if (!has_next && !out.end && def.at("End").is_boolean()) {
    ctx.Report(
        kSchema, AppendPointer(pointer, "End"),
        fmt::format("A {} state with \"End\": false needs 'Next'.", info.name));
  }
}

void ParseTask(const Json& def, const std::string& pointer, BuildContext& ctx,
               State& out) {
  auto it = def.find("Resource");
  if (it == def.end()) {
    ctx.Report(kSchema, pointer,
               "A Task state needs 'Resource', the handler to call "
               "(e.g. \"mlflowctl:train\" or an AWS ARN).");
  } else if (!it->is_string() || it->get<std::string>().empty() ||
             it->get<std::string>().find_first_of(" \t\r\n") !=
                 std::string::npos) {
    ctx.Report(kInvalidResource, AppendPointer(pointer, "Resource"),
               fmt::format("'Resource' must be a non-empty name or ARN without "
                           "spaces; got {}.",
                           it->dump()));
  } else {
    out.resource = it->get<std::string>();
  }
  out.timeout_seconds =
      ReadIntOrPath(def, "TimeoutSeconds", "TimeoutSecondsPath", pointer, 1,
                    kMaxSeconds, ctx);
  out.heartbeat_seconds =
      ReadIntOrPath(def, "HeartbeatSeconds", "HeartbeatSecondsPath", pointer, 1,
                    kMaxSeconds, ctx);
  if (out.timeout_seconds.value && out.heartbeat_seconds.value &&
      *out.heartbeat_seconds.value >= *out.timeout_seconds.value) {
    ctx.Report(
        kSchema, AppendPointer(pointer, "HeartbeatSeconds"),
        fmt::format("HeartbeatSeconds ({}) must be smaller than "
                    "TimeoutSeconds ({}).",
                    *out.heartbeat_seconds.value, *out.timeout_seconds.value));
  }
  if (auto c = def.find("Credentials"); c != def.end()) {
    if (c->is_object()) {
      out.credentials = *c;
    } else {
      ctx.Report(kSchema, AppendPointer(pointer, "Credentials"),
                 fmt::format("'Credentials' must be an object, not {}.",
                             TypeName(*c)));
    }
  }
}

void ParseChoice(const Json& def, const std::string& pointer, BuildContext& ctx,
                 State& out) {
  auto it = def.find("Choices");
  std::string where = AppendPointer(pointer, "Choices");
  if (it == def.end()) {
    ctx.Report(kSchema, pointer,
               "A Choice state needs 'Choices', a non-empty array of rules.");
  } else if (!it->is_array() || it->empty()) {
    ctx.Report(kSchema, where,
               fmt::format("'Choices' must be a non-empty array of rules; got "
                           "{}.",
                           it->is_array() ? "an empty array" : TypeName(*it)));
  } else {
    for (size_t i = 0; i < it->size(); ++i) {
      out.choices.push_back(ParseChoiceRule(
          (*it)[i], AppendPointer(where, std::to_string(i)), true, ctx));
    }
  }
  if (std::optional<std::string> d = ReadString(def, "Default", pointer, ctx)) {
    out.default_name = *d;
  }
}

void ParseWait(const Json& def, const std::string& pointer, BuildContext& ctx,
               State& out) {
  static constexpr std::array<const char*, 4> kFields = {
      "Seconds", "SecondsPath", "Timestamp", "TimestampPath"};
  int count = 0;
  for (const char* f : kFields) count += def.contains(f) ? 1 : 0;
  if (count != 1) {
    ctx.Report(kSchema, pointer,
               fmt::format("A Wait state needs exactly one of Seconds, "
                           "SecondsPath, Timestamp and TimestampPath; it has "
                           "{}.",
                           count));
  }
  if (std::optional<int64_t> s =
          ReadInt(def, "Seconds", pointer, 0, kMaxSeconds, ctx)) {
    out.wait_seconds = static_cast<double>(*s);
  }
  out.wait_seconds_path = ReadPath(def, "SecondsPath", pointer, true, ctx);
  if (std::optional<std::string> ts =
          ReadString(def, "Timestamp", pointer, ctx)) {
    if (ParseIso8601(*ts)) {
      out.wait_timestamp = *ts;
    } else {
      ctx.Report(kSchema, AppendPointer(pointer, "Timestamp"),
                 fmt::format("Timestamp '{}' is not an RFC 3339 timestamp such "
                             "as \"2016-03-14T01:59:00Z\".",
                             *ts));
    }
  }
  out.wait_timestamp_path = ReadPath(def, "TimestampPath", pointer, true, ctx);
}

std::optional<path::ValueExpr> ReadValueExpr(const Json& def, const char* field,
                                             const std::string& pointer,
                                             BuildContext& ctx) {
  std::optional<std::string> text = ReadString(def, field, pointer, ctx);
  if (!text) return std::nullopt;
  StatusOr<path::ValueExpr> expr = path::ValueExpr::Parse(*text);
  if (!expr.ok()) {
    ctx.Report(kSchema, AppendPointer(pointer, field),
               fmt::format("'{}' must be a JSONPath or an intrinsic function "
                           "call: {}",
                           field, expr.status().message()));
    return std::nullopt;
  }
  return std::move(expr).value();
}

void ParseFail(const Json& def, const std::string& pointer, BuildContext& ctx,
               State& out) {
  for (auto [lit, path] :
       {std::pair{"Error", "ErrorPath"}, std::pair{"Cause", "CausePath"}}) {
    if (def.contains(lit) && def.contains(path)) {
      ctx.Report(kSchema, AppendPointer(pointer, path),
                 fmt::format("A Fail state cannot have both '{}' and '{}'; "
                             "keep one.",
                             lit, path));
    }
  }
  out.error = ReadString(def, "Error", pointer, ctx);
  out.cause = ReadString(def, "Cause", pointer, ctx);
  out.error_path = ReadValueExpr(def, "ErrorPath", pointer, ctx);
  out.cause_path = ReadValueExpr(def, "CausePath", pointer, ctx);
}

}  // namespace

// Longer than most: it is the one table-driven walk over a state's fields
// (type, allowed fields, transition, I/O processing, then the type's own),
// and splitting it would scatter that order over several functions.
void ParseState(const std::string& name, const Json& def,
                const std::string& pointer, BuildContext& ctx, State& out) {
  if (!def.is_object()) {
    ctx.Report(kSchema, pointer,
               fmt::format("State '{}' must be an object, not {}.", name,
                           TypeName(def)));
    return;
  }
  auto type_it = def.find("Type");
  // Without a usable Type the other fields cannot be checked; keep a plain
  // Next all the same, so that its target is not also reported unreachable.
  auto keep_next = [&def, &out] {
    if (auto n = def.find("Next"); n != def.end() && n->is_string()) {
      out.next_name = n->get<std::string>();
    }
  };
  if (type_it == def.end()) {
    ctx.Report(kSchema, pointer,
               fmt::format("State '{}' has no 'Type'; use one of Pass, Task, "
                           "Choice, Wait, Succeed, Fail, Parallel, Map.",
                           name));
    keep_next();
    return;
  }
  const TypeInfo* info = nullptr;
  const TypeInfo* near = nullptr;  // same name but for letter case
  for (const TypeInfo& t : Types()) {
    if (!type_it->is_string()) break;
    const std::string& given = type_it->get_ref<const std::string&>();
    if (given == t.name) info = &t;
    if (given.size() == t.name.size() &&
        std::equal(given.begin(), given.end(), t.name.begin(),
                   [](char a, char b) {
                     return std::tolower(static_cast<unsigned char>(a)) ==
                            std::tolower(static_cast<unsigned char>(b));
                   })) {
      near = &t;
    }
  }
  if (info == nullptr) {
    ctx.Report(kSchema, AppendPointer(pointer, "Type"),
               near != nullptr
                   ? fmt::format("Unknown state type {}; did you mean \"{}\"? "
                                 "Type names are case-sensitive.",
                                 type_it->dump(), near->name)
                   : fmt::format("Unknown state type {}; use one of Pass, "
                                 "Task, Choice, Wait, Succeed, Fail, "
                                 "Parallel, Map.",
                                 type_it->dump()));
    keep_next();
    return;
  }
  out.type = info->type;
  CheckStateFields(def, pointer, *info, ctx);
  CheckQueryLanguage(def, pointer, ctx);
  out.comment = ReadString(def, "Comment", pointer, ctx).value_or("");
  if (HasTransition(info->type)) ParseTransition(def, pointer, *info, ctx, out);

  // Input and output processing, for the types that have each field.
  if (Allows(*info, "InputPath")) {
    out.input_path = ReadOptionalPath(def, "InputPath", pointer, false, ctx);
    out.output_path = ReadOptionalPath(def, "OutputPath", pointer, false, ctx);
  }
  if (Allows(*info, "ResultPath")) {
    out.result_path = ReadOptionalPath(def, "ResultPath", pointer, true, ctx);
  }
  if (info->type != StateType::kMap && Allows(*info, "Parameters")) {
    out.parameters = ReadTemplate(def, "Parameters", pointer, ctx);
  }
  if (Allows(*info, "ResultSelector")) {
    out.result_selector = ReadTemplate(def, "ResultSelector", pointer, ctx);
  }
  if (Allows(*info, "Assign")) out.assign = ReadAssign(def, pointer, ctx);
  if (Allows(*info, "Retry")) ParseRetryAndCatch(def, pointer, ctx, out);

  switch (info->type) {
    case StateType::kPass:
      if (auto r = def.find("Result"); r != def.end()) out.result = *r;
      break;
    case StateType::kTask:
      ParseTask(def, pointer, ctx, out);
      break;
    case StateType::kChoice:
      ParseChoice(def, pointer, ctx, out);
      break;
    case StateType::kWait:
      ParseWait(def, pointer, ctx, out);
      break;
    case StateType::kSucceed:
      break;
    case StateType::kFail:
      ParseFail(def, pointer, ctx, out);
      break;
    case StateType::kParallel:
      ParseParallelFields(def, pointer, ctx, out);
      break;
    case StateType::kMap:
      ParseMapFields(def, pointer, ctx, out);
      break;
  }
}

}  // namespace mlflowctl::asl::internal
