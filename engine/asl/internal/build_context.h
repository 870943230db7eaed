// Private to mlf_asl: the pieces Parse() is built from. BuildContext collects
// diagnostics while the definition is walked once; the readers turn JSON
// fields into typed values, reporting what is wrong. Not thread-safe: one
// context per Parse() call.
#ifndef MLFLOWCTL_ASL_INTERNAL_BUILD_CONTEXT_H_
#define MLFLOWCTL_ASL_INTERNAL_BUILD_CONTEXT_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/asl/choice_rule.h"
#include "engine/asl/parser.h"
#include "engine/asl/state_machine.h"
#include "engine/base/json_util.h"
#include "engine/path/io_processing.h"
#include "engine/path/json_path.h"
#include "engine/path/payload_template.h"
#include "engine/path/value_expr.h"

namespace mlflowctl::asl::internal {

// Diagnostic codes. The upper-case ones are AWS's
// ValidateStateMachineDefinition codes; kUnsupportedFeature is ours, for
// valid ASL that this engine does not run.
inline constexpr char kInvalidJson[] = "INVALID_JSON_DESCRIPTION";
inline constexpr char kMissingDescription[] = "MISSING_DESCRIPTION";
inline constexpr char kSchema[] = "SCHEMA_VALIDATION_FAILED";
inline constexpr char kInvalidResource[] = "INVALID_RESOURCE";
inline constexpr char kMissingEndState[] = "MISSING_END_STATE";
inline constexpr char kDuplicateStateName[] = "DUPLICATE_STATE_NAME";
inline constexpr char kInvalidStateName[] = "INVALID_STATE_NAME";
inline constexpr char kMissingTransitionTarget[] = "MISSING_TRANSITION_TARGET";
inline constexpr char kTooDeeplyNested[] = "TOO_DEEPLY_NESTED";
inline constexpr char kUnsupportedFeature[] = "UNSUPPORTED_FEATURE";

// Where a (sub-)machine sits: the whole definition, a Parallel branch, or a
// Map's ItemProcessor / Iterator.
enum class MachineKind { kTop, kBranch, kItemProcessor };

class BuildContext {
 public:
  void Report(std::string code, std::string pointer, std::string message);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  std::vector<Diagnostic> TakeDiagnostics() { return std::move(diagnostics_); }

  // Registers a state name; false (after reporting DUPLICATE_STATE_NAME) if
  // the whole definition, branches included, already has it.
  bool RegisterStateName(const std::string& name, const std::string& pointer);

  int depth = 0;       // nesting of Parallel/Map machines being built
  int rule_depth = 0;  // nesting of And/Or/Not in the rule being read

 private:
  std::vector<Diagnostic> diagnostics_;
  std::unordered_map<std::string, std::string> state_names_;
};

// Builds one machine (the top level, a branch or an item processor).
// Always returns a machine; it is usable only if no diagnostic was reported.
std::shared_ptr<const StateMachine> BuildMachine(const Json& def,
                                                 const std::string& pointer,
                                                 MachineKind kind,
                                                 BuildContext& ctx);

// Reads one state's fields into `out` (state_parser.cc, state_fields.cc).
void ParseState(const std::string& name, const Json& def,
                const std::string& pointer, BuildContext& ctx, State& out);

// Retry and Catch of Task, Parallel and Map (retry_catch_parser.cc).
void ParseRetryAndCatch(const Json& def, const std::string& pointer,
                        BuildContext& ctx, State& out);

// The fields peculiar to Parallel and Map (parallel_map_parser.cc).
void ParseParallelFields(const Json& def, const std::string& pointer,
                         BuildContext& ctx, State& out);
void ParseMapFields(const Json& def, const std::string& pointer,
                    BuildContext& ctx, State& out);

// Reads a Choice rule (choice_parser.cc). `top_level` rules need a Next.
ChoiceRule ParseChoiceRule(const Json& def, const std::string& pointer,
                           bool top_level, BuildContext& ctx);

// Resolves Next/Default/Catch names to indexes, and reports unknown
// targets, unreachable states and a missing terminal state (validator.cc).
void ResolveTransitions(const std::string& pointer, MachineKind kind,
                        std::vector<State>& states,
                        const std::unordered_map<std::string, int>& index,
                        int start_at, BuildContext& ctx);

// ---- Field readers (field_readers.cc). Each reports and returns nothing
// (or false) when the field is present but wrong. -------------------------

// Reports every member of `obj` not in `allowed`, as "<what> does not
// support field 'X'", plus `hint` when not empty.
void CheckAllowedFields(const Json& obj, const std::string& pointer,
                        std::initializer_list<std::string_view> allowed,
                        std::string_view what, BuildContext& ctx);

// A JSONPath string. With `reference`, it must select a single node.
std::optional<path::JsonPath> ReadPath(const Json& obj, const char* field,
                                       const std::string& pointer,
                                       bool reference, BuildContext& ctx);

// InputPath/OutputPath (any path or null) or ResultPath (a reference path of
// names only into "$", or null).
path::OptionalPath ReadOptionalPath(const Json& obj, const char* field,
                                    const std::string& pointer,
                                    bool result_path, BuildContext& ctx);

// Parameters, ItemSelector, ResultSelector: an object template.
std::optional<path::PayloadTemplate> ReadTemplate(const Json& obj,
                                                  const char* field,
                                                  const std::string& pointer,
                                                  BuildContext& ctx);

// Assign: an object template whose keys (less ".$") are variable names.
std::optional<path::PayloadTemplate> ReadAssign(const Json& obj,
                                                const std::string& pointer,
                                                BuildContext& ctx);

std::optional<std::string> ReadString(const Json& obj, const char* field,
                                      const std::string& pointer,
                                      BuildContext& ctx);

// An integer in [min, max].
std::optional<int64_t> ReadInt(const Json& obj, const char* field,
                               const std::string& pointer, int64_t min,
                               int64_t max, BuildContext& ctx);

// A number in [min, max].
std::optional<double> ReadNumber(const Json& obj, const char* field,
                                 const std::string& pointer, double min,
                                 double max, BuildContext& ctx);

// An integer field and its "...Path" twin; at most one may be present.
IntOrPath ReadIntOrPath(const Json& obj, const char* field,
                        const char* path_field, const std::string& pointer,
                        int64_t min, int64_t max, BuildContext& ctx);

// QueryLanguage: "JSONPath", or "JSONata" (reported as not supported yet).
void CheckQueryLanguage(const Json& obj, const std::string& pointer,
                        BuildContext& ctx);

// Name of a JSON type for messages: "a string", "a number", ...
std::string TypeName(const Json& value);

}  // namespace mlflowctl::asl::internal

#endif  // MLFLOWCTL_ASL_INTERNAL_BUILD_CONTEXT_H_
