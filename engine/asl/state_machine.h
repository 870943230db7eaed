// StateMachine: a parsed and validated ASL definition (JSONPath mode), with
// typed states, compiled paths and templates, and Next names resolved to
// indexes. Built only by Parse() (parser.h); immutable afterwards and safe to
// share between threads and executions.
#ifndef MLFLOWCTL_ASL_STATE_MACHINE_H_
#define MLFLOWCTL_ASL_STATE_MACHINE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/asl/choice_rule.h"
#include "engine/base/json_util.h"
#include "engine/path/io_processing.h"
#include "engine/path/json_path.h"
#include "engine/path/payload_template.h"
#include "engine/path/value_expr.h"

namespace mlflowctl::asl {

enum class StateType { kPass, kTask, kChoice, kWait, kSucceed, kFail, kParallel, kMap };

// "Pass", "Task", ... as in the definition and in history event names.
const char* StateTypeName(StateType type);

inline constexpr int kNoState = -1;

// ASL Retrier. Defaults as the spec: IntervalSeconds 1, MaxAttempts 3,
// BackoffRate 2.0, no MaxDelaySeconds, JitterStrategy NONE.
struct Retrier {
  std::vector<std::string> error_equals;
  double interval_seconds = 1;
  int max_attempts = 3;
  double backoff_rate = 2.0;
  std::optional<double> max_delay_seconds;
  bool jitter_full = false;
};

// ASL Catcher: on a matching error, go to `next` with the error output
// {"Error","Cause"} placed by `result_path` (default "$").
struct Catcher {
  std::vector<std::string> error_equals;
  std::string next_name;
  int next = kNoState;
  path::OptionalPath result_path;
  std::optional<path::PayloadTemplate> assign;
};

// An integer field given either literally or by a reference path
// (TimeoutSeconds / TimeoutSecondsPath, MaxConcurrency / MaxConcurrencyPath…).
struct IntOrPath {
  std::optional<int64_t> value;
  std::optional<path::JsonPath> path;
  bool present() const { return value.has_value() || path.has_value(); }
};
struct DoubleOrPath {
  std::optional<double> value;
  std::optional<path::JsonPath> path;
  bool present() const { return value.has_value() || path.has_value(); }
};

class StateMachine;

struct State {
  std::string name;
  StateType type = StateType::kPass;
  std::string comment;
  std::string pointer;  // JSON pointer of the state in the definition

  // Transitions. `next` is an index into the owning machine's states().
  std::string next_name;
  int next = kNoState;
  bool end = false;

  // Input/output processing (fields absent for a state type stay default).
  path::OptionalPath input_path;
  path::OptionalPath output_path;
  path::OptionalPath result_path;
  std::optional<path::PayloadTemplate> parameters;  // Parameters; ItemSelector for Map
  std::optional<path::PayloadTemplate> result_selector;
  std::optional<path::PayloadTemplate> assign;
  std::optional<Json> result;  // Pass "Result"

  // Task.
  std::string resource;
  IntOrPath timeout_seconds;    // TimeoutSeconds(Path); none = no limit
  IntOrPath heartbeat_seconds;  // HeartbeatSeconds(Path)
  std::optional<Json> credentials;

  // Task, Parallel, Map.
  std::vector<Retrier> retry;
  std::vector<Catcher> catch_;

  // Choice.
  std::vector<ChoiceRule> choices;  // top-level rules, each with a Next
  std::string default_name;
  int default_next = kNoState;

  // Wait: exactly one of these.
  std::optional<double> wait_seconds;
  std::optional<path::JsonPath> wait_seconds_path;
  std::optional<std::string> wait_timestamp;
  std::optional<path::JsonPath> wait_timestamp_path;

  // Fail: literal, or ErrorPath/CausePath (a reference path or intrinsic).
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::optional<path::ValueExpr> error_path;
  std::optional<path::ValueExpr> cause_path;

  // Parallel.
  std::vector<std::shared_ptr<const StateMachine>> branches;

  // Map (inline).
  std::shared_ptr<const StateMachine> item_processor;
  std::optional<path::JsonPath> items_path;  // default "$"
  IntOrPath max_concurrency;                 // 0 = unbounded
  IntOrPath tolerated_failure_count;
  DoubleOrPath tolerated_failure_percentage;
  std::string item_processor_mode = "INLINE";  // ProcessorConfig.Mode
};

class StateMachine {
 public:
  StateMachine(std::string start_at_name, int start_at, std::vector<State> states,
               std::optional<int64_t> timeout_seconds, std::string comment);

  const std::string& start_at_name() const { return start_at_name_; }
  int start_at() const { return start_at_; }
  const std::vector<State>& states() const { return states_; }
  const State& state(int index) const { return states_[static_cast<size_t>(index)]; }
  // kNoState if no state has this name.
  int Find(const std::string& name) const;
  std::optional<int64_t> timeout_seconds() const { return timeout_seconds_; }
  const std::string& comment() const { return comment_; }

 private:
  std::string start_at_name_;
  int start_at_;
  std::vector<State> states_;
  std::unordered_map<std::string, int> index_;
  std::optional<int64_t> timeout_seconds_;
  std::string comment_;
};

}  // namespace mlflowctl::asl

#endif  // MLFLOWCTL_ASL_STATE_MACHINE_H_
