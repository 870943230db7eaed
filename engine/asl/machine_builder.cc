// BuildMachine: the top-level fields of a definition, a Parallel branch or a
// Map ItemProcessor, then each state, then the transitions between them.
#include <fmt/format.h>

#include <utility>

#include "engine/asl/internal/build_context.h"
#include "engine/asl/json_locations.h"

namespace mlflowctl::asl::internal {

namespace {

// AWS limits the nesting of Parallel and Map states.
constexpr int kMaxDepth = 40;

// AWS: state names have 1..80 characters.
constexpr size_t kMaxStateNameLength = 80;

const char* KindName(MachineKind kind) {
  switch (kind) {
    case MachineKind::kTop:
      return "the state machine";
    case MachineKind::kBranch:
      return "a Parallel branch";
    case MachineKind::kItemProcessor:
      return "a Map ItemProcessor";
  }
  return "the state machine";
}

void CheckTopFields(const Json& def, const std::string& pointer,
                    MachineKind kind, BuildContext& ctx) {
  switch (kind) {
    case MachineKind::kTop:
      CheckAllowedFields(def, pointer,
                         {"Comment", "StartAt", "States", "TimeoutSeconds",
                          "Version", "QueryLanguage"},
                         KindName(kind), ctx);
      break;
    case MachineKind::kBranch:
      CheckAllowedFields(def, pointer, {"Comment", "StartAt", "States"},
                         KindName(kind), ctx);
      break;
    case MachineKind::kItemProcessor:
      CheckAllowedFields(def, pointer,
                         {"Comment", "StartAt", "States", "ProcessorConfig"},
                         KindName(kind), ctx);
      break;
  }
  if (kind == MachineKind::kTop) {
    CheckQueryLanguage(def, pointer, ctx);
    if (std::optional<std::string> version =
            ReadString(def, "Version", pointer, ctx);
        version && *version != "1.0") {
      ctx.Report(kSchema, AppendPointer(pointer, "Version"),
                 fmt::format("Version must be \"1.0\", not \"{}\".", *version));
    }
  }
}

// Reads "States": each state in turn (in key order, as nlohmann keeps
// objects), checking names and registering them definition-wide.
void ReadStates(const Json& def, const std::string& pointer, MachineKind kind,
                BuildContext& ctx, std::vector<State>& states,
                std::unordered_map<std::string, int>& index) {
  std::string states_pointer = AppendPointer(pointer, "States");
  auto it = def.find("States");
  if (it == def.end()) {
    ctx.Report(kSchema, pointer,
               fmt::format("{} has no 'States'; add an object of states.",
                           KindName(kind)));
    return;
  }
  if (!it->is_object()) {
    ctx.Report(kSchema, states_pointer,
               fmt::format("'States' must be an object of states, not {}.",
                           TypeName(*it)));
    return;
  }
  if (it->empty()) {
    ctx.Report(kSchema, states_pointer,
               "'States' is empty; it needs at least one state.");
    return;
  }
  ++ctx.depth;
  states.reserve(it->size());
  for (const auto& [name, state_def] : it->items()) {
    std::string state_pointer = AppendPointer(states_pointer, name);
    if (name.empty() || name.size() > kMaxStateNameLength) {
      ctx.Report(kInvalidStateName, state_pointer,
                 fmt::format("State name '{}' has {} characters; a state "
                             "name has 1 to {}.",
                             name, name.size(), kMaxStateNameLength));
    }
    ctx.RegisterStateName(name, state_pointer);
    State state;
    state.name = name;
    state.pointer = state_pointer;
    ParseState(name, state_def, state_pointer, ctx, state);
    index.emplace(name, static_cast<int>(states.size()));
    states.push_back(std::move(state));
  }
  --ctx.depth;
}

}  // namespace

std::shared_ptr<const StateMachine> BuildMachine(const Json& def,
                                                 const std::string& pointer,
                                                 MachineKind kind,
                                                 BuildContext& ctx) {
  auto empty = [&] {
    return std::make_shared<const StateMachine>(
        "", kNoState, std::vector<State>{}, std::nullopt, "");
  };
  if (!def.is_object()) {
    ctx.Report(kSchema, pointer,
               fmt::format("{} must be a JSON object with StartAt and States, "
                           "not {}.",
                           KindName(kind), TypeName(def)));
    return empty();
  }
  if (ctx.depth > kMaxDepth) {
    ctx.Report(kTooDeeplyNested, pointer,
               fmt::format("Parallel and Map states are nested more than {} "
                           "levels deep here.",
                           kMaxDepth));
    return empty();
  }
  CheckTopFields(def, pointer, kind, ctx);
  std::string comment = ReadString(def, "Comment", pointer, ctx).value_or("");
  std::optional<int64_t> timeout;
  if (kind == MachineKind::kTop) {
    timeout = ReadInt(def, "TimeoutSeconds", pointer, 1, 99999999, ctx);
  }

  std::optional<std::string> start_at =
      ReadString(def, "StartAt", pointer, ctx);
  if (!def.contains("StartAt")) {
    ctx.Report(kSchema, pointer,
               fmt::format("{} has no 'StartAt'; set it to the name of the "
                           "first state.",
                           KindName(kind)));
  }

  std::vector<State> states;
  std::unordered_map<std::string, int> index;
  ReadStates(def, pointer, kind, ctx, states, index);

  int start = kNoState;
  if (start_at && !states.empty()) {
    auto found = index.find(*start_at);
    if (found == index.end()) {
      ctx.Report(kMissingTransitionTarget, AppendPointer(pointer, "StartAt"),
                 fmt::format("StartAt '{}' does not name a state of {}.",
                             *start_at, KindName(kind)));
    } else {
      start = found->second;
    }
  }
  if (!states.empty()) {
    ResolveTransitions(pointer, kind, states, index, start, ctx);
  }
  return std::make_shared<const StateMachine>(start_at.value_or(""), start,
                                              std::move(states), timeout,
                                              std::move(comment));
}

}  // namespace mlflowctl::asl::internal
