// Retry and Catch fields. ASL: retriers and catchers are tried in order;
// "States.ALL" must appear alone in its ErrorEquals and in the last
// retrier/catcher. Ranges as the Step Functions developer guide gives them.
#include <fmt/format.h>

#include <limits>

#include "engine/asl/internal/build_context.h"
#include "engine/asl/json_locations.h"
#include "engine/base/error.h"

namespace mlflowctl::asl::internal {

namespace {

constexpr int64_t kMaxRetrySeconds = 99999999;
constexpr int64_t kMaxDelaySeconds = 31622400;  // one year, AWS's limit

// Reads ErrorEquals; returns true if it names States.ALL.
bool ReadErrorEquals(const Json& def, const std::string& pointer,
                     std::vector<std::string>& out, BuildContext& ctx) {
  auto it = def.find("ErrorEquals");
  std::string where = AppendPointer(pointer, "ErrorEquals");
  if (it == def.end()) {
    ctx.Report(kSchema, pointer,
               "'ErrorEquals' is required: a non-empty array of error names.");
    return false;
  }
  if (!it->is_array() || it->empty()) {
    ctx.Report(kSchema, where,
               fmt::format("'ErrorEquals' must be a non-empty array of error "
                           "names; got {}.",
                           it->is_array() ? "an empty array" : TypeName(*it)));
    return false;
  }
  bool has_all = false;
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& name = (*it)[i];
    std::string at = AppendPointer(where, std::to_string(i));
    if (!name.is_string()) {
      ctx.Report(
          kSchema, at,
          fmt::format("Error names must be strings, not {}.", TypeName(name)));
      continue;
    }
    std::string s = name.get<std::string>();
    if (s == error_names::kAll) {
      has_all = true;
    } else if (s.rfind("States.", 0) == 0 &&
               !error_names::IsKnownStatesError(s)) {
      ctx.Report(kSchema, at,
                 fmt::format("'{}' is not an error name of the States "
                             "language; names starting with 'States.' are "
                             "reserved (e.g. States.ALL, States.TaskFailed, "
                             "States.Timeout).",
                             s));
    }
    out.push_back(std::move(s));
  }
  if (has_all && it->size() > 1) {
    ctx.Report(kSchema, where,
               "'States.ALL' must appear alone in ErrorEquals.");
  }
  return has_all;
}

// The array of retriers/catchers, or null after reporting.
const Json* ReadArray(const Json& def, const char* field,
                      const std::string& pointer, BuildContext& ctx) {
  auto it = def.find(field);
  if (it == def.end()) return nullptr;
  if (!it->is_array()) {
    ctx.Report(
        kSchema, AppendPointer(pointer, field),
        fmt::format("'{}' must be an array, not {}.", field, TypeName(*it)));
    return nullptr;
  }
  return &*it;
}

void ReportAllNotLast(const std::string& where, const char* what,
                      BuildContext& ctx) {
  ctx.Report(
      kSchema, where,
      fmt::format("A {} matching 'States.ALL' must be the last one.", what));
}

}  // namespace

void ParseRetryAndCatch(const Json& def, const std::string& pointer,
                        BuildContext& ctx, State& out) {
  if (const Json* retry = ReadArray(def, "Retry", pointer, ctx)) {
    std::string base = AppendPointer(pointer, "Retry");
    for (size_t i = 0; i < retry->size(); ++i) {
      const Json& r = (*retry)[i];
      std::string where = AppendPointer(base, std::to_string(i));
      if (!r.is_object()) {
        ctx.Report(
            kSchema, where,
            fmt::format("A retrier must be an object, not {}.", TypeName(r)));
        continue;
      }
      CheckAllowedFields(
          r, where,
          {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate",
           "MaxDelaySeconds", "JitterStrategy", "Comment"},
          "a retrier", ctx);
      Retrier retrier;
      if (ReadErrorEquals(r, where, retrier.error_equals, ctx) &&
          i + 1 != retry->size()) {
        ReportAllNotLast(where, "retrier", ctx);
      }
      (void)ReadString(r, "Comment", where, ctx);
      if (auto v = ReadInt(r, "IntervalSeconds", where, 1, kMaxRetrySeconds, ctx)) {
        retrier.interval_seconds = static_cast<double>(*v);
      }
      if (auto v = ReadInt(r, "MaxAttempts", where, 0, kMaxRetrySeconds, ctx)) {
        retrier.max_attempts = static_cast<int>(*v);
      }
      if (auto v = ReadNumber(r, "BackoffRate", where, 1.0,
                              std::numeric_limits<double>::max(), ctx)) {
        retrier.backoff_rate = *v;
      }
      if (auto v =
              ReadInt(r, "MaxDelaySeconds", where, 1, kMaxDelaySeconds, ctx)) {
        retrier.max_delay_seconds = static_cast<double>(*v);
      }
      if (auto j = ReadString(r, "JitterStrategy", where, ctx)) {
        if (*j == "FULL" || *j == "NONE") {
          retrier.jitter_full = *j == "FULL";
        } else {
          ctx.Report(kSchema, AppendPointer(where, "JitterStrategy"),
                     fmt::format("JitterStrategy must be \"FULL\" or \"NONE\", "
                                 "not \"{}\".",
                                 *j));
        }
      }
      out.retry.push_back(std::move(retrier));
    }
  }

  if (const Json* katch = ReadArray(def, "Catch", pointer, ctx)) {
    std::string base = AppendPointer(pointer, "Catch");
    for (size_t i = 0; i < katch->size(); ++i) {
      const Json& c = (*katch)[i];
      std::string where = AppendPointer(base, std::to_string(i));
      if (!c.is_object()) {
        ctx.Report(
            kSchema, where,
            fmt::format("A catcher must be an object, not {}.", TypeName(c)));
        continue;
      }
      CheckAllowedFields(
          c, where, {"ErrorEquals", "Next", "ResultPath", "Comment", "Assign"},
          "a catcher", ctx);
      Catcher catcher;
      if (ReadErrorEquals(c, where, catcher.error_equals, ctx) &&
          i + 1 != katch->size()) {
        ReportAllNotLast(where, "catcher", ctx);
      }
      (void)ReadString(c, "Comment", where, ctx);
      if (!c.contains("Next")) {
        ctx.Report(kSchema, where,
                   "A catcher needs 'Next', the state to go to on a matching "
                   "error.");
      } else if (auto next = ReadString(c, "Next", where, ctx)) {
        catcher.next_name = *next;
      }
      catcher.result_path = ReadOptionalPath(c, "ResultPath", where, true, ctx);
      catcher.assign = ReadAssign(c, where, ctx);
      out.catch_.push_back(std::move(catcher));
    }
  }
}

}  // namespace mlflowctl::asl::internal
